"""Settings built from the environment, each in a fresh process: production's
`check --deploy` is clean, a secret key is required, and the documented shared cache
(DJANGO_CACHE_URL) works."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "predictions.example.org",
    "DJANGO_EMAIL_HOST": "smtp.example.org",
    "DATABASE_URL": "postgres://falsifiable@127.0.0.1:5432/falsifiable",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Database 15, so the round trip never touches data a local Redis keeps in database 0.
REDIS_ENV = {
    "DJANGO_DEBUG": "1",
    "DJANGO_CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/15",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def run(args: list[str], env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    """Runs Python in the project with `env` instead of the caller's DJANGO_*/DATABASE_*."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], env=env)


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_policy_forbids_inline_script():
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: [str(v) for v in vs] for k, vs in settings.SECURE_CSP.items()}))"
    )
    result = run(["-c", code], env=PRODUCTION_ENV, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "unsafe-inline" not in result.stdout
    assert "'self'" in result.stdout
    assert "script-src" in result.stdout


def test_cache_url_selects_a_redis_client_without_a_server():
    """The backend's client imports the redis package: without the dependency this is
    where DJANGO_CACHE_URL crashed (ModuleNotFoundError), whether or not Redis runs."""
    code = (
        "import django; django.setup(); from django.core.cache import caches; "
        "cache = caches['default']; print(type(cache).__name__, type(cache._cache).__name__)"
    )
    result = run(["-c", code], env=REDIS_ENV, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "RedisCacheClient"]


def test_cache_url_round_trips_through_redis():
    """A real set/get against the machine's Redis (.ci/run starts one when none answers)."""
    if not redis_answers():
        reason = f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}"
        if os.environ.get("FALSIFIABLE_REDIS_REQUIRED", "") in {"1", "true", "yes"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    key = f"falsifiable-test-{uuid.uuid4().hex}"
    code = (
        "import django, json, sys; django.setup(); from django.core.cache import cache; "
        "key = sys.argv[1]; value = {'probability': '0.050', 'words': 'remote chance'}; "
        "cache.set(key, value, timeout=30); got = cache.get(key); cache.delete(key); "
        "print(json.dumps({'got': got, 'after_delete': cache.get(key)}))"
    )
    result = run(["-c", code, key], env=REDIS_ENV, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "got": {"probability": "0.050", "words": "remote chance"},
        "after_delete": None,
    }
