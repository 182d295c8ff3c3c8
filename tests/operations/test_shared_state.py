"""State every app server shares, and the bounded connection pool on PostgreSQL.

The end-to-end proof with two gunicorn servers is tests/perf/multi_server.py; these
are the settings it rests on, and the pool's bound measured on a real server."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://falsifiable@127.0.0.1:5432/falsifiable"


def database_settings(**env: str) -> dict:
    """DATABASES["default"] as config/settings.py builds it from `env`, in a fresh process
    (nothing connects, so no server is needed)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import json; from config import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgres_is_pooled_within_the_configured_bounds():
    db = database_settings(
        DATABASE_URL=PG_URL,
        DJANGO_DB_POOL_MIN="2",
        DJANGO_DB_POOL_MAX="3",
        DJANGO_CONN_MAX_AGE="60",  # ignored: Django refuses a pool with persistent ones
    )
    assert db["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 3, "timeout": 10.0}
    assert db["CONN_MAX_AGE"] == 0
    assert db["CONN_HEALTH_CHECKS"] is True


def test_pool_minimum_never_exceeds_the_maximum():
    db = database_settings(DATABASE_URL=PG_URL, DJANGO_DB_POOL_MIN="9", DJANGO_DB_POOL_MAX="2")
    assert db["OPTIONS"]["pool"]["min_size"] == 2


def test_pool_can_be_turned_off_and_sqlite_has_none():
    off = database_settings(DATABASE_URL=PG_URL, DJANGO_DB_POOL_MAX="0")
    assert "pool" not in off.get("OPTIONS", {})
    assert off["CONN_MAX_AGE"] == 60
    sqlite = database_settings(DATABASE_URL="sqlite:///:memory:")
    assert "pool" not in sqlite["OPTIONS"]


def test_sessions_and_login_counts_live_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") == (
        "axes.handlers.database.AxesDatabaseHandler"
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_more_threads_than_the_pool_wait_their_turn_on_at_most_max_connections():
    pool = connection.pool
    assert pool is not None
    threads, hold = pool.max_size * 3, 0.2
    backends: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid(), pg_sleep(%s)", [hold])
                backends.append(cursor.fetchone()[0])
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections["default"].close()  # back to the pool

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    elapsed = time.monotonic() - started
    assert not failures
    assert len(backends) == threads
    assert len(set(backends)) <= pool.max_size  # never more server connections than max
    assert elapsed >= (threads / pool.max_size) * hold * 0.9  # so they did queue
