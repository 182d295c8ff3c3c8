"""A large import run by a real `manage.py db_worker`, killed with SIGKILL mid-import.

On a database of its own (a SQLite file in tmp_path, or a PostgreSQL database created
beside the test database), with the real settings (tests.settings) in subprocesses:

1. an upload of IMPORT_PREDICTIONS predictions is checked and confirmed, which enqueues
   its import job;
2. a worker takes the job; once the import's transaction is open and writing (SQLite: it
   holds the write lock; PostgreSQL: its backend has a transaction id), the worker's
   process group is killed with SIGKILL;
3. no prediction or forecast of the import is in the database, and the page's status
   block (rendered by the app) says the import stopped unexpectedly and offers Retry;
4. Retry, and a new worker imports the file exactly once (every prediction and forecast,
   none twice), deletes the stored file and marks the upload imported.

Runtime: roughly 15-35 s, mostly process start-up and the import itself.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
IMPORT_PREDICTIONS = 5_000  # three forecasts each: an import that takes a few seconds
WAIT = 120  # seconds, for anything the test waits for
WORKER_OPTIONS = ["--no-reload", "--no-startup-delay", "--interval", "0.2"]


def write_big_file(path: Path) -> None:
    lines = ["question,probability,created,resolve_by"]
    for i in range(IMPORT_PREDICTIONS):
        for k in range(3):
            lines.append(
                f"Worker claim {i} holds,{(i * 7 + k * 11) % 90 + 5}%,2024-01-0{k + 1},2026-12-31"
            )
    path.write_text("\n".join(lines) + "\n")


class Database:
    """The worker test's own database, read from this process with a plain DB-API
    connection (never the Django test connection)."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.file = tmp_path / "worker.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            import psycopg

            settings = connection.settings_dict
            self.name = f"{settings['NAME']}_worker"[:63]
            auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
            self.server = (
                f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            )
            self.url = f"{self.server}/{self.name}"
            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.name}"')

    def value(self, sql: str):
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(self.file, timeout=20)) as db:
                return db.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            return db.execute(sql).fetchone()[0]

    def import_is_writing(self) -> bool:
        """The import's transaction is open and has written (uncommitted) rows."""
        if self.vendor == "sqlite":
            # Held at two moments 150 ms apart: the import's transaction, not one of the
            # heartbeat's millisecond updates.
            return self._sqlite_locked() and not time.sleep(0.15) and self._sqlite_locked()
        return bool(
            self.value(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND now() - xact_start > interval '200 ms'"
            )
        )

    def _sqlite_locked(self) -> bool:
        probe = sqlite3.connect(self.file, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the lock
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()

    def drop(self) -> None:
        if self.vendor != "sqlite":
            import psycopg

            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def environment(db: Database, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DATABASE_URL": db.url,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "FALSIFIABLE_IMPORT_DIR": str(tmp_path / "imports"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def python(code: str, env: dict) -> str:
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result.stdout


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )


def stop(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def wait_for(condition, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.01)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


SETUP = """
from django.contrib.auth import get_user_model
from django.core.files import File
from django.test import override_settings
from reports.imports import jobs
owner = get_user_model().objects.create_user("importer", password="worker-test-password-1")
with open({path!r}, "rb") as source, override_settings(FALSIFIABLE_IMPORT_INLINE_BYTES=10**9):
    upload = jobs.create_upload(owner, File(source), name="big.csv", fmt="generic",
                                fatebook_name="")  # checked at once, to save the test time
upload.refresh_from_db()
assert upload.state == "checked" and upload.summary["ok"], upload.summary
with override_settings(FALSIFIABLE_IMPORT_INLINE_BYTES=0):  # the import as a job
    assert jobs.begin_import(upload)
print(upload.pk, upload.token)
"""

PAGE = """
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
client.force_login(get_user_model().objects.get(username="importer"))
print(client.get("/import/{token}/status/").content.decode())
print("retry:", client.post("/import/{token}/retry/").status_code)
"""


def test_a_killed_import_writes_nothing_and_a_retry_imports_it_once(database, tmp_path):
    env = environment(database, tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=WAIT,
    )
    source = tmp_path / "big.csv"
    write_big_file(source)
    pk, token = python(SETUP.format(path=str(source)), env).split()
    upload = f"SELECT {{}} FROM reports_importupload WHERE id = {pk}"
    predictions = "SELECT COUNT(*) FROM predictions_prediction"
    forecasts = "SELECT COUNT(*) FROM predictions_forecast"

    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        wait_for(
            lambda: database.value(upload.format("worker")) != "" and database.import_is_writing(),
            "the import to be writing",
            worker,
            log,
        )
        stop(worker)  # kill -9, mid-transaction
    finally:
        stop(worker)
    assert worker.returncode == -signal.SIGKILL, log.read_text()[-3000:]
    assert database.value(predictions) == 0
    assert database.value(forecasts) == 0
    assert database.value(upload.format("state")) == "importing"

    page = python(PAGE.format(token=token), env)
    assert "The import stopped unexpectedly" in page
    assert "nothing was written" in page
    assert f"/import/{token}/retry/" in page
    assert "retry: 302" in page

    worker = start_worker(env, log)
    try:
        wait_for(
            lambda: database.value(upload.format("state")) == "imported",
            "the retried import to finish",
            worker,
            log,
        )
    finally:
        stop(worker, signal.SIGTERM)
    assert database.value(predictions) == IMPORT_PREDICTIONS
    assert database.value(forecasts) == 3 * IMPORT_PREDICTIONS
    assert database.value(upload.format("file")) == ""
    assert database.value(upload.format("attempts")) == 1
    assert list((tmp_path / "imports").iterdir()) == []  # the stored file is deleted
