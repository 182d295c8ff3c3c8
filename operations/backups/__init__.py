"""Consistent copies of the database while the site runs, and restoring one.

One module per database engine (sqlite.py, postgres.py); this one chooses between them
and holds the rule both follow: a restore goes into an empty database only, so it can
never mix a backup with rows that were already there.
"""

from pathlib import Path

from django.db import connections

from operations.backups import postgres, sqlite


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the operator."""


def _engine(alias: str):
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return sqlite
    if vendor == "postgresql":
        return postgres
    raise BackupError(f"backups are not supported for the {vendor} database engine")


def backup(path: Path, *, alias: str = "default") -> None:
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file (backups never overwrite)")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    _engine(alias).backup(connections[alias], path)


def restore(path: Path, *, alias: str = "default") -> None:
    connection = connections[alias]
    engine = _engine(alias)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with open(path, "rb") as file:
        header = file.read(len(engine.HEADER))
    if header != engine.HEADER:
        raise BackupError(f"{path} is not a {engine.DESCRIPTION}; was it made on this engine?")
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}); "
            "restore only into a new, empty database"
        )
    engine.restore(connection, path)
