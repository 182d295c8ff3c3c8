"""`manage.py backup` while writers run, then `manage.py restore` into a fresh database.

On a database of its own (never the test database): seeded with the demo account, two
writer processes commit through the services (each transaction a prediction, two
forecasts and a resolution) while the backup is taken. Then:

- the backup restores into a new database, and a second restore there is refused;
- SQLite: PRAGMA integrity_check of the restored file is "ok";
- consistency: each writer's transactions in the copy are a prefix 0..k-1 (none torn,
  none skipped), and once the source is cut back to those transactions every table
  holds exactly the same rows as the restored database: the copy is the source as of
  one moment;
- every user's scores (reports' selectors and scoring) computed from the restored
  database equal those of the cut-back source.

SQLite always; PostgreSQL when pg_dump/pg_restore are installed and a server answers
on 127.0.0.1:5432 (throwaway databases, dropped afterwards). Runtime ~20-40 s each,
mostly migrations and process start-up.
"""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
WRITERS = 2
HELPERS = "tests.operations.backup_helpers"


def env_for(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    )
    return env


def run(url: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env_for(url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ok(url: str, *args: str) -> str:
    result = run(url, *args)
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def postgres_missing() -> str | None:
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=1).close()
    except OSError:
        return f"no PostgreSQL answers on {PG_HOST}:{PG_PORT}"
    return None


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """(source URL, empty target URL) on the engine of the parameter."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'new.sqlite3'}"
        return
    reason = postgres_missing()
    if reason:
        pytest.skip(f"PostgreSQL backup not tested: {reason}")
    names = [f"ops_backup_{kind}_{os.getpid()}" for kind in ("source", "new")]
    for name in names:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield tuple(f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}" for name in names)
    finally:
        for name in names:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_writers(url: str, stop: Path) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", HELPERS, "write", str(n), str(stop)],
            cwd=ROOT,
            env=env_for(url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]


def committed(directory: Path) -> list[int]:
    counts = []
    for n in range(WRITERS):
        try:
            counts.append(int((directory / f"progress-{n}").read_text() or 0))
        except (FileNotFoundError, ValueError):
            counts.append(0)
    return counts


def wait_for_commits(directory: Path, at_least: list[int], writers: list) -> None:
    """Until each writer has committed `at_least` transactions (start-up is slow when the
    machine is busy, so no fixed sleep)."""
    deadline = time.monotonic() + 120
    while not all(c >= want for c, want in zip(committed(directory), at_least, strict=True)):
        assert all(w.poll() is None for w in writers), "a writer died"
        assert time.monotonic() < deadline, f"writers too slow: {committed(directory)}"
        time.sleep(0.05)


def test_backup_during_writes_restores_one_consistent_moment(databases, tmp_path):
    source, target = databases
    ok(source, "-m", HELPERS, "seed")
    stop = tmp_path / "stop"
    writers = start_writers(source, stop)
    try:
        # Every writer commits before the backup and goes on committing after it.
        wait_for_commits(tmp_path, [5] * WRITERS, writers)
        backup_file = tmp_path / "falsifiable.backup"
        made = ok(source, "manage.py", "backup", str(backup_file))
        wait_for_commits(tmp_path, [c + 5 for c in committed(tmp_path)], writers)
    finally:
        stop.touch()
        errors = [writer.communicate(timeout=60)[1] for writer in writers]
    for writer, err in zip(writers, errors, strict=True):
        assert writer.returncode == 0, err
    written = committed(tmp_path)
    assert "Backed up to" in made

    restored = ok(target, "manage.py", "restore", str(backup_file))
    assert "Restored" in restored
    again = run(target, "manage.py", "restore", str(backup_file))
    assert again.returncode != 0
    assert "the database is not empty" in again.stderr

    if source.startswith("sqlite"):
        with closing(sqlite3.connect(target.removeprefix("sqlite:///"))) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # Which writer transactions the copy holds: for each writer, 0..k-1 exactly.
    copy = json.loads(ok(target, "-m", HELPERS, "inspect"))
    kept = copy["questions"]
    in_copy = []
    for n in range(WRITERS):
        indices = sorted(int(q.split()[2]) for q in kept if q.startswith(f"{n} claim "))
        assert indices == list(range(len(indices))), f"writer {n}: a transaction is missing"
        in_copy.append(len(indices))
    assert all(0 < k < total for k, total in zip(in_copy, written, strict=True)), (
        f"the backup should fall mid-stream: copy {in_copy}, written {written}"
    )
    copy_tables, copy_scores = copy["tables"], copy["scores"]
    assert all(copy_scores[f"writer-{n}"]["predictions"]["index"] for n in range(WRITERS))

    kept_file = tmp_path / "kept.json"
    kept_file.write_text(json.dumps(kept))
    ok(source, "-m", HELPERS, "prune", str(kept_file))
    original = json.loads(ok(source, "-m", HELPERS, "inspect"))
    assert sorted(copy_tables) == sorted(original["tables"])
    for table, rows in original["tables"].items():
        assert copy_tables[table] == rows, f"{table}: the copy differs from the source"
    assert original["scores"] == copy_scores

    counts = {table: len(rows) for table, rows in copy_tables.items() if rows}
    print(
        f"\n{made.strip()} while {WRITERS} writers committed "
        f"{sum(written)} transactions ({sum(in_copy)} in the copy); "
        f"{len(copy_tables)} tables equal; rows {counts}"
    )
