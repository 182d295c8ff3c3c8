"""Crash safety on SQLite: kill -9 during an import and during a burst of form posts.

What this covers, on a SQLite file of its own in tmp_path
(never the test database), with the real settings (tests.settings: WAL,
synchronous=NORMAL, busy timeout, BEGIN IMMEDIATE) in subprocesses:

- test_import_killed_midway_is_not_half_applied: `manage.py import_predictions` runs
  one transaction; it is killed with SIGKILL once it holds the write lock *and* has
  already written uncommitted pages to the WAL. Afterwards `PRAGMA integrity_check` is
  ok, the import is wholly absent (0 predictions, never a part), no forecast lacks its
  prediction, and running the same import again completes in full.
- test_server_killed_during_write_burst_keeps_acknowledged_writes: gunicorn serves
  concurrent clients posting the create and forecast forms; the whole process group is
  killed with SIGKILL mid-burst and restarted. Afterwards integrity_check is ok, no
  forecast lacks its prediction, every post answered with a redirect (i.e. committed)
  is in the database, and the restarted server serves the list page.

A process kill loses nothing that was committed: with synchronous=NORMAL in WAL mode
only an operating-system crash or power loss can drop the last transactions, which is
not tested here. Skipped on PostgreSQL (it does not use the SQLite file).
Runtime: roughly 10-25 s, mostly process start-up.
"""

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
IMPORT_COMMAND = ROOT / "reports" / "management" / "commands" / "import_predictions.py"
IMPORT_PREDICTIONS = 20000  # three forecasts each; enough for the import to take a while
PASSWORD = "crash-test-password-1"
DETAIL_RE = re.compile(r"/p/(\d+)/$")
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="crash safety is tested on the SQLite file backend"
)


def subprocess_env(db_file: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{db_file}",
            "DJANGO_SETTINGS_MODULE": "tests.settings",  # real settings, fast hashing
            "DJANGO_SECRET_KEY": "crash-test-secret-key-" + "c" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(args: list[str], db_file: Path, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=subprocess_env(db_file),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


def kill_group(proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
    """Signals the process group we started (start_new_session) and reaps the leader."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def check_database(db_file: Path) -> sqlite3.Connection:
    """Opens the file after the crash (SQLite recovers the WAL) and checks its health."""
    db = sqlite3.connect(db_file, timeout=10)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = db.execute(
        "SELECT COUNT(*) FROM predictions_forecast f "
        "LEFT JOIN predictions_prediction p ON p.id = f.prediction_id WHERE p.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0, f"{orphans} forecasts without their prediction"
    return db


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """A migrated SQLite file with the users; each test works on a copy."""
    path = tmp_path_factory.mktemp("crash") / "template.sqlite3"
    run(["manage.py", "migrate", "--noinput", "-v0"], path)
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        f"for name in ['importer'] + [f'writer{{i}}' for i in range(4)]:\n"
        f"    User.objects.create_user(name, password={PASSWORD!r})\n"
    )
    run(["-c", code], path)
    return path


def copy_db(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


# --- (a) an import killed half-way -----------------------------------------------------


def write_import_file(path: Path, count: int) -> None:
    lines = ["question,probability,created,resolve_by"]
    for i in range(count):
        for k in range(3):
            probability = (i * 7 + k * 11) % 90 + 5
            lines.append(f"Crash import claim {i} holds,{probability}%,2024-01-0{k + 1},2026-12-31")
    path.write_text("\n".join(lines) + "\n")


def start_bulk_writer(db_file: Path, count: int, tmp_path: Path, log: Path) -> subprocess.Popen:
    """The import as one transaction: the import command, or (while it does not exist)
    the same all-or-nothing write through the services."""
    if IMPORT_COMMAND.exists():
        source = tmp_path / "import.csv"
        write_import_file(source, count)
        args = ["manage.py", "import_predictions", str(source), "--user", "importer"]
        args += ["--format", "generic"]
    else:
        code = (
            "import django; django.setup()\n"
            "from datetime import date; from decimal import Decimal\n"
            "from django.contrib.auth import get_user_model\n"
            "from django.db import connection, transaction\n"
            "from predictions import services\n"
            "connection.cursor().execute('PRAGMA cache_size=20')  # spill to the WAL early\n"
            "owner = get_user_model().objects.get(username='importer')\n"
            "with transaction.atomic():\n"
            f"    for i in range({count}):\n"
            "        p = services.prediction_create(owner=owner, question=f'Crash import claim "
            "{i} holds', resolve_by=date(2026, 12, 31), probability=Decimal('0.5'))\n"
            "        for k in range(2):\n"
            "            services.forecast_create(prediction=p, author=owner, "
            "probability=Decimal('0.6'))\n"
        )
        args = ["-c", code]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=subprocess_env(db_file),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_while_writing(proc: subprocess.Popen, db_file: Path, timeout: float = 60) -> bool:
    """Kills the writer once it has held the write lock for a while (its transaction is
    open and writing) or its uncommitted pages have reached the WAL; False if it
    finished first."""
    wal = Path(f"{db_file}-wal")
    probe = sqlite3.connect(db_file, timeout=0, isolation_level=None)
    try:
        baseline = held_since = None
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                probe.execute("BEGIN IMMEDIATE")  # fails at once while the writer holds it
                probe.execute("ROLLBACK")
                baseline = held_since = None
            except sqlite3.OperationalError:
                size = wal.stat().st_size if wal.exists() else 0
                if baseline is None:
                    baseline, held_since = size, time.monotonic()
                # Migrations hold the lock only briefly; an import holds it throughout.
                elif size > baseline + 256 * 1024 or time.monotonic() - held_since > 0.05:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
                    return True
            time.sleep(0.005)
        return False
    finally:
        probe.close()
        kill_group(proc)


def test_import_killed_midway_is_not_half_applied(migrated_db, tmp_path):
    count = IMPORT_PREDICTIONS if IMPORT_COMMAND.exists() else 300
    log = tmp_path / "import.log"
    for attempt in range(3):  # the kill can lose the race against the commit; rare
        db_file = copy_db(migrated_db, tmp_path / f"import-{attempt}.sqlite3")
        proc = start_bulk_writer(db_file, count, tmp_path, log)
        killed = kill_while_writing(proc, db_file)
        assert killed, f"the import ended before it could be killed: {log.read_text()}"
        db = check_database(db_file)
        predictions = db.execute("SELECT COUNT(*) FROM predictions_prediction").fetchone()[0]
        forecasts = db.execute("SELECT COUNT(*) FROM predictions_forecast").fetchone()[0]
        db.close()
        assert (predictions, forecasts) in {(0, 0), (count, 3 * count)}, "half applied"
        if predictions == 0:
            break
    else:
        pytest.fail("the import committed before every kill; nothing mid-way was tested")

    # The database stays usable: the same import, run again, completes in full.
    proc = start_bulk_writer(db_file, count, tmp_path, log)
    try:
        proc.wait(timeout=120)
    finally:
        kill_group(proc)
    assert proc.returncode == 0, log.read_text()
    db = check_database(db_file)
    assert db.execute("SELECT COUNT(*) FROM predictions_prediction").fetchone()[0] == count
    assert db.execute("SELECT COUNT(*) FROM predictions_forecast").fetchone()[0] == 3 * count
    db.close()


# --- (b) the server killed during a burst of form posts -------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_file: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
            cwd=ROOT, env=subprocess_env(db_file), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    import requests

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited: {log.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).ok:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.1)
    kill_group(proc)
    raise AssertionError("gunicorn did not answer within 30 s")


def logged_in_session(base: str, username: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = TOKEN_RE.search(page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    response = session.post(f"{base}/accounts/login/", data=data, timeout=10, allow_redirects=False)
    assert response.status_code == 302, f"log-in of {username} failed"
    page = session.get(f"{base}/new/", timeout=10)
    session.form_token = TOKEN_RE.search(page.text).group(1)
    return session


class Writer(threading.Thread):
    """Posts create + forecast forms until the server dies (bounded in count and time)."""

    def __init__(self, session, base: str, name: str, acknowledged, stop_at: float, killed):
        super().__init__(daemon=True)
        self.session, self.base, self.user = session, base, name
        self.acknowledged = acknowledged  # shared list of [pk, question, forecasts acked]
        self.stop_at = stop_at
        self.killed = killed  # set just before the server is killed
        self.failure = None  # an error while the server was still up

    def post(self, path: str, data: dict):
        data = {"csrfmiddlewaretoken": self.session.form_token, **data}
        response = self.session.post(self.base + path, data=data, timeout=10, allow_redirects=False)
        match = DETAIL_RE.search(response.headers.get("Location", ""))
        assert response.status_code == 302, f"{path}: HTTP {response.status_code}"
        assert match, f"{path}: redirected to {response.headers.get('Location')!r}"
        return int(match.group(1))

    def run(self):
        for i in range(300):
            if time.monotonic() > self.stop_at:
                return
            question = f"Burst claim {i} of {self.user}"
            try:
                pk = self.post(
                    "/new/",
                    {"kind": "binary", "question": question, "probability": "40",
                     "resolve_by": "2030-01-01", "visibility": "private"},
                )  # fmt: skip
                record = [pk, question, 0]
                self.acknowledged.append(record)
                self.post(f"/p/{pk}/forecast/", {"probability": "55"})
                record[2] += 1
            except Exception as exc:
                if not self.killed.is_set():
                    self.failure = repr(exc)
                return


def test_server_killed_during_write_burst_keeps_acknowledged_writes(migrated_db, tmp_path):
    db_file = copy_db(migrated_db, tmp_path / "burst.sqlite3")
    log = tmp_path / "gunicorn.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db_file, port, log)
    writers = []
    try:
        sessions = [logged_in_session(base, f"writer{i}") for i in range(4)]
        acknowledged: list[list] = []
        stop_at = time.monotonic() + 20
        killed = threading.Event()
        writers = [
            Writer(s, base, f"writer{i}", acknowledged, stop_at, killed)
            for i, s in enumerate(sessions)
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 15
        # At least 40 writes, and one from every writer (writer0's newest is checked below).
        while time.monotonic() < deadline and (
            len(acknowledged) < 40
            or {r[1].rsplit(" ", 1)[-1] for r in acknowledged} != {w.user for w in writers}
        ):
            time.sleep(0.01)
        assert [w.failure for w in writers] == [None] * len(writers), log.read_text()
        assert all(w.is_alive() for w in writers), "the burst ended before the kill"
        killed.set()
        kill_group(server)  # SIGKILL to gunicorn and all its workers, mid-burst
        for writer in writers:
            writer.join(timeout=15)
        assert not any(writer.is_alive() for writer in writers)
        assert len(acknowledged) >= 40, log.read_text()

        # Restart on the same file: it serves the list page with the writes in it.
        server = start_server(db_file, port, log)
        newest = [record for record in acknowledged if record[1].endswith("of writer0")][-1]
        page = sessions[0].get(f"{base}/", timeout=10)
        assert page.status_code == 200
        assert newest[1] in page.text
    finally:
        kill_group(server, signal.SIGTERM)

    db = check_database(db_file)
    stored = dict(
        db.execute(
            "SELECT p.id, COUNT(f.id) FROM predictions_prediction p "
            "LEFT JOIN predictions_forecast f ON f.prediction_id = p.id GROUP BY p.id"
        ).fetchall()
    )
    db.close()
    missing = [pk for pk, _, _ in acknowledged if pk not in stored]
    assert not missing, f"acknowledged predictions lost: {missing}"
    short = [pk for pk, _, acked in acknowledged if stored[pk] < 1 + acked]
    assert not short, f"acknowledged forecasts lost on predictions {short}"
    assert "database is locked" not in log.read_text()
