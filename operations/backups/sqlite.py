"""SQLite: the online backup API (sqlite3.Connection.backup), in both directions.

Copying every page in one step reads the whole file inside one read transaction, so the
copy is the database as of one moment; in WAL mode writers carry on meanwhile
(docs/decisions/0004-sqlite-settings.md). The copy is written beside its final name and
renamed only once complete and checked, so a failed backup leaves no half file behind.
"""

import os
import sqlite3
from pathlib import Path

DESCRIPTION = "SQLite database file"
HEADER = b"SQLite format 3\x00"


class CorruptBackup(Exception):
    pass


def integrity(db: sqlite3.Connection) -> str:
    return db.execute("PRAGMA integrity_check").fetchone()[0]


def backup(connection, path: Path) -> None:
    # A connection of its own: Django's may be inside a transaction holding the write
    # lock, and the backup would then wait for itself. In WAL mode nothing blocks a reader.
    name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(name, uri=name.startswith("file:"), timeout=20)
    partial = path.with_name(f".{path.name}.partial")
    target = sqlite3.connect(partial)
    try:
        source.backup(target)  # pages=-1: all of them in one step
        # The copy stays a plain rollback-journal file: one file, nothing beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        verdict = integrity(target)
    finally:
        target.close()
        source.close()
    if verdict != "ok":
        partial.unlink()
        raise CorruptBackup(f"the copy failed its integrity check: {verdict}")
    os.replace(partial, path)


def restore(connection, path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = integrity(source)
        if verdict != "ok":
            raise CorruptBackup(f"{path} failed its integrity check: {verdict}")
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()
