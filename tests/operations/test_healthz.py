"""/healthz: 200 with every service reachable, 503 naming which one is not, nothing else.

The broken services are real: a Redis URL on a port nobody listens on, and (in a fresh
process, since settings are read once) a PostgreSQL URL on such a port.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from operations.health import DATABASE_DEADLINE_SECONDS
from tests.operations.tasks import nothing_to_do
from tests.predictions.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"status", "database", "cache", "queue", "queue_depth"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_reveals_nothing(response) -> None:
    body = response.json()
    assert set(body) == KEYS
    assert all(body[key] in {"ok", "unavailable"} for key in KEYS - {"queue_depth"})
    assert body["queue_depth"] is None or isinstance(body["queue_depth"], int)
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthy_answers_200_with_the_queue_depth(client):
    for _ in range(3):
        nothing_to_do.enqueue()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
        "queue_depth": 3,
    }
    assert_reveals_nothing(response)


@pytest.mark.django_db
def test_finished_jobs_are_not_queue_depth(client):
    from django_tasks_db.models import DBTaskResult

    nothing_to_do.enqueue()
    done = nothing_to_do.enqueue()
    DBTaskResult.objects.filter(id=done.id).update(status="SUCCESSFUL")
    assert client.get("/healthz").json()["queue_depth"] == 1


@pytest.mark.django_db
def test_open_to_anyone_and_sets_no_cookie_for_a_signed_in_user(client):
    client.force_login(UserFactory())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_reveals_nothing(response)


@pytest.mark.django_db
def test_only_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_cache_down_answers_503_without_the_error(client, caplog):
    port = closed_port()
    dead_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    with override_settings(CACHES=dead_redis):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unavailable",
        "queue": "ok",
        "queue_depth": 0,
    }
    assert_reveals_nothing(response)
    assert str(port) not in response.content.decode()
    assert "health check cache failed" in caplog.text  # the operator still learns why


@pytest.mark.parametrize("cookie", ["", "sessionid=abc123"])
def test_database_down_answers_503_without_the_error(cookie):
    """A fresh process whose DATABASE_URL names a PostgreSQL port nobody listens on; a
    session cookie must not make the probe read the (unreachable) session store."""
    port = closed_port()
    script = (
        "import django, json, time; django.setup()\n"
        "from django.test import Client\n"
        "from django.urls import resolve; resolve('/')  # imports every view first\n"
        "started = time.monotonic()\n"
        f"r = Client(HTTP_HOST='127.0.0.1', HTTP_COOKIE={cookie!r}).get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.content.decode(),"
        " 'cookies': list(r.cookies), 'seconds': time.monotonic() - started}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DJANGO_DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/nowhere",
            "DJANGO_LOG_LEVEL": "CRITICAL",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert json.loads(answer["body"]) == {
        "status": "unavailable",
        "database": "unavailable",
        "cache": "ok",
        "queue": "unavailable",
        "queue_depth": None,
    }
    assert answer["cookies"] == []
    assert str(port) not in answer["body"]
    # Within a load balancer's patience, not after the pool's longer wait.
    assert answer["seconds"] < DATABASE_DEADLINE_SECONDS + 2
