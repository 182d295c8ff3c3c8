"""Log-in attacks with real concurrency: threads against gunicorn (several worker
processes, several threads each), real password hashing, on the database the suite
runs on (a SQLite file, or a PostgreSQL database of its own).

Each test counts what the attack achieved in the database axes writes to: how many
wrong passwords were evaluated, and whether the right one ever logged in.
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 5  # AXES_FAILURE_LIMIT
ADDRESS_LIMIT = 12  # DJANGO_LOGIN_ADDRESS_LIMIT for the server below
PASSWORD = "correct horse battery staple"
WRONG_PASSWORD_ERROR = "Please enter a correct username and password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path: Path) -> tuple[str, object]:
    """A database for the server alone, and a function that drops it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'live.sqlite3'}", lambda: None
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_live_login"
    admin = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


class Server:
    def __init__(self, base: str, env: dict) -> None:
        self.base = base
        self.env = env
        self.database_url = env["DATABASE_URL"]

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v", "0", "-c", code).strip()

    def query(self, sql: str, *params):
        """The server's database, read directly (a subprocess is slow): the first value."""
        if self.database_url.startswith("sqlite"):
            import sqlite3

            path = self.database_url[len("sqlite:///") :]
            with contextlib.closing(sqlite3.connect(path)) as db, db:
                row = db.execute(sql, params).fetchone()
        else:
            import psycopg

            with psycopg.connect(self.database_url) as db:
                cursor = db.execute(sql.replace("?", "%s"), params)
                row = cursor.fetchone() if cursor.description else None
        return (row[0] if row else None) or 0

    def forget_attempts(self) -> None:
        for table in ("axes_accessattempt", "axes_accesslog"):
            self.query(f"DELETE FROM {table}")

    def failures(self, username: str | None = None) -> int:
        """Wrong passwords evaluated (attempts refused while locked are not counted)."""
        sql = "SELECT SUM(failures_since_start) FROM axes_accessattempt"
        if username is None:
            return self.query(sql)
        return self.query(sql + " WHERE username = ?", username)

    def logins(self, username: str) -> int:
        return self.query("SELECT COUNT(*) FROM axes_accesslog WHERE username = ?", username)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("live-login")
    database_url, drop = _database_url(tmp_path)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",  # the real settings: real hashing
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "live-login-test-" + "x" * 40,
        "DATABASE_URL": database_url,
        "DJANGO_LOGIN_ADDRESS_LIMIT": str(ADDRESS_LIMIT),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    port = _free_port()
    live = Server(f"http://127.0.0.1:{port}", env)
    live.manage("migrate", "--noinput", "-v", "0")
    live.shell(
        "from django.contrib.auth.models import User; "
        f"[User.objects.create_user(n, password={PASSWORD!r}) for n in "
        "('alice', 'bob', 'carol', 'dave', 'erin')]; "
        f"User.objects.create_superuser('root', password={PASSWORD!r})"
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "3",
            "--threads",
            "16",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{live.base}/accounts/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield live
    finally:
        process.terminate()
        process.wait(timeout=30)
        drop()


@pytest.fixture
def live(server):
    yield server
    server.forget_attempts()


class Attempt:
    """One log-in POST; CSRF cookie and token come from a GET of the page first."""

    def __init__(self, base: str, path: str) -> None:
        self.url = base + path
        with urllib.request.urlopen(self.url, timeout=30) as response:
            page = response.read().decode()
            cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        self.cookie = cookie
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(self, username: str, password: str) -> tuple[int, str]:
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.token}
        ).encode()
        request = urllib.request.Request(
            self.url, data=data, headers={"Cookie": self.cookie, "Referer": self.url}
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _parallel(calls) -> list[tuple[int, str]]:
    """Runs the calls in threads released together; results in call order."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_forty_concurrent_wrong_guesses_are_not_all_evaluated(live):
    form = Attempt(live.base, "/accounts/login/")
    results = _parallel([lambda n=n: form.post("alice", f"guess{n}") for n in range(40)])
    statuses = [status for status, _ in results]
    evaluated = [body for _, body in results if WRONG_PASSWORD_ERROR in body]
    assert set(statuses) == {200, 429}
    assert len(evaluated) == LIMIT - 1  # the fifth failure answers with the lockout
    assert live.failures("alice") == LIMIT
    assert form.post("alice", PASSWORD)[0] == 429


def test_the_right_password_among_thirty_wrong_ones_never_logs_in_once_locked(live):
    form = Attempt(live.base, "/accounts/login/")
    for n in range(LIMIT - 1):
        assert form.post("bob", f"wrong{n}")[0] == 200

    def right():
        time.sleep(0.3)  # sent just after the wrong ones: one of them reaches the limit
        return form.post("bob", PASSWORD)

    results = _parallel([lambda: form.post("bob", "wrong") for _ in range(30)] + [right])
    assert results[-1][0] == 429
    assert live.logins("bob") == 0
    assert live.failures("bob") == LIMIT


def test_spraying_many_names_from_one_address_stops_at_the_address_limit(live):
    form = Attempt(live.base, "/accounts/login/")
    results = _parallel([lambda n=n: form.post(f"sprayed{n}", "Winter2026!") for n in range(40)])
    assert sum(WRONG_PASSWORD_ERROR in body for _, body in results) == ADDRESS_LIMIT
    assert live.failures() == ADDRESS_LIMIT
    status, body = form.post("carol", PASSWORD)  # a real user from that address: refused too
    assert status == 429
    assert "Try again after" in body


def test_admin_log_in_is_throttled_like_the_site(live):
    form = Attempt(live.base, "/admin/login/")
    results = _parallel([lambda: form.post("root", "letmein") for _ in range(20)])
    assert sum(status == 200 for status, _ in results) == LIMIT - 1
    assert live.failures("root") == LIMIT
    status, body = form.post("root", PASSWORD)
    assert status == 429
    assert "Try again after" in body
    site = Attempt(live.base, "/accounts/login/")
    assert site.post("root", PASSWORD)[0] == 429
    assert live.logins("root") == 0


def test_locking_one_name_leaves_other_users_from_that_address_alone(live):
    form = Attempt(live.base, "/accounts/login/")
    for _ in range(LIMIT):
        form.post("dave", "wrong")
    assert form.post("dave", PASSWORD)[0] == 429
    assert form.post("erin", PASSWORD)[0] == 302  # another user, same address: unaffected
