"""Proof on one machine that several app servers behave as one site.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379
must answer; the script starts neither server process, it only makes throwaway state):

    .venv/bin/python tests/perf/multi_server.py            # full run, a few minutes
    .venv/bin/python tests/perf/multi_server.py --short    # under a minute, for CI

It creates a fresh PostgreSQL database (dropped at the end), uses Redis database 14 as
the shared cache (flushed before and after), migrates, and starts two gunicorn app
servers (A and B, production settings: DJANGO_DEBUG unset, only the https-only flags
off since the clients speak plain http), two `manage.py db_worker` job workers and one
scheduler runs. Servers and workers share one FALSIFIABLE_IMPORT_DIR, as the README asks
of a deployment (a shared mount or another storage backend).
Then it prints one PASS/FAIL line with figures for each claim, and exits 1 if any fails:

- health: /healthz answers 200 on both servers;
- session: a log-in made on A is signed in on B;
- cache: a dashboard cached on A shows at once a forecast posted on B;
- throttling: failed log-ins alternating between A and B lock out after the limit;
- scheduler: two `manage.py schedule` at once enqueue each periodic job once;
- import: uploaded and previewed on A, confirmed on B, run by a worker, progress on both;
- throughput: 32 clients posting forms, alternating between A and B, against all 32
  on A alone: rate not below, 0 errors, 0 lost writes (acknowledged writes vs rows);
- kill: B is killed (SIGKILL) mid-run; no acknowledged write is lost and B's clients
  carry on against A.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import load  # noqa: E402  (the single-server load test's helpers)

REDIS_DB = 14  # tests/test_settings.py uses 15; 0 is whatever the machine keeps
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
WORKERS_PER_SERVER = 2
CLIENTS = 32
AXES_LIMIT = 5  # config/settings.py AXES_FAILURE_LIMIT
RESULTS: list[tuple[str, bool, str]] = []


LAST_REPORT = [time.monotonic()]


def report(name: str, passed: bool, figures: str) -> None:
    RESULTS.append((name, passed, figures))
    seconds = time.monotonic() - LAST_REPORT[0]
    LAST_REPORT[0] = time.monotonic()
    print(f"{'PASS' if passed else 'FAIL'} {name}: {figures} [{seconds:.0f} s]", flush=True)


# --- the site -----------------------------------------------------------------------


class Site:
    """The throwaway database, the shared cache and the processes serving them."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.db_name = f"falsifiable_multi_{os.getpid()}"
        self.url = f"postgres://postgres@127.0.0.1:5432/{self.db_name}"
        self.env = load.server_env(self.url, "nodebug", tmp)
        # One upload directory for every server and worker, as the README asks (a shared
        # mount, or another storage backend); every upload is checked by a worker.
        self.env.update(
            {
                "DJANGO_CACHE_URL": REDIS_URL,
                "DJANGO_DEBUG": "",
                "FALSIFIABLE_IMPORT_DIR": str(tmp / "imports"),
                "FALSIFIABLE_IMPORT_INLINE_BYTES": "0",
            }
        )
        self.servers: dict[str, tuple[subprocess.Popen, str]] = {}
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def create(self) -> None:
        load.ensure_postgres()
        load.pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        load.pg_admin(f'CREATE DATABASE "{self.db_name}"')
        flush_redis()
        migrated = self.manage("migrate", "--noinput", "-v0")
        if migrated.returncode != 0:
            raise SystemExit(f"migrate failed:\n{migrated.stderr}")
        load.run_helper(self.env, "_prepare", str(CLIENTS + 8))

    def start_server(self, name: str) -> str:
        port = load.free_port()
        base = f"http://127.0.0.1:{port}"
        env = self.env
        log = open(self.tmp / f"gunicorn-{name}.log", "wb")  # noqa: SIM115 (lives with it)
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi",
             "--workers", str(WORKERS_PER_SERVER), "--bind", f"127.0.0.1:{port}",
             "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.servers[name] = (proc, base)
        return base

    def start_workers(self, count: int) -> None:
        for n in range(count):
            log = open(self.tmp / f"worker-{n}.log", "wb")  # noqa: SIM115
            self.workers.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def kill(self, name: str) -> None:
        proc, _ = self.servers[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc, _ in self.servers.values():
            load.stop(proc)
        for proc in self.workers:
            load.stop(proc)
        try:
            load.pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        except Exception as exc:
            print(f"could not drop {self.db_name}: {exc}", file=sys.stderr)
        flush_redis()

    def log_problems(self) -> dict[str, int]:
        text = "".join(path.read_text(errors="replace") for path in self.tmp.glob("gunicorn-*.log"))
        return {p: text.count(p) for p in load.LOG_PROBLEMS if text.count(p)}


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def redis_keys() -> int:
    import redis

    return redis.Redis.from_url(REDIS_URL).dbsize()


# --- one user's browser ----------------------------------------------------------------


class Browser:
    """A requests.Session that talks to whichever server it is told to, with the
    Origin header of that server (Django's CSRF check compares it with the host)."""

    def __init__(self):
        import requests

        self.session = requests.Session()

    def request(self, method: str, base: str, path: str, **kwargs):
        headers = {"Origin": base, **kwargs.pop("headers", {})}
        return self.session.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )

    def token(self, base: str, path: str) -> str:
        page = self.request("GET", base, path)
        match = load.TOKEN_RE.search(page.text)
        if not match:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {page.status_code})")
        return match.group(1)

    def login(self, base: str, username: str, password: str = load.PASSWORD):
        data = {
            "csrfmiddlewaretoken": self.token(base, "/accounts/login/"),
            "username": username,
            "password": password,
        }
        return self.request("POST", base, "/accounts/login/", data=data)

    def create(self, base: str, question: str, probability: str) -> int:
        data = {
            "csrfmiddlewaretoken": self.token(base, "/new/"),
            "kind": "binary", "question": question, "probability": probability,
            "resolve_by": (date.today() + timedelta(days=90)).isoformat(),
            "resolution_criteria": "", "new_tags": "", "notes": "", "visibility": "private",
        }  # fmt: skip
        response = self.request("POST", base, "/new/", data=data)
        match = load.DETAIL_RE.search(response.headers.get("Location", ""))
        if response.status_code != 302 or not match:
            raise RuntimeError(f"create not saved (HTTP {response.status_code})")
        return int(match.group(1))

    def resolve(self, base: str, pk: int, outcome: str) -> None:
        data = {"csrfmiddlewaretoken": self.token(base, f"/p/{pk}/"), "outcome": outcome}
        response = self.request("POST", base, f"/p/{pk}/resolve/", data=data)
        if response.status_code != 302:
            raise RuntimeError(f"resolve not saved (HTTP {response.status_code})")


# --- the checks ------------------------------------------------------------------------


def check_health(servers: dict[str, str]) -> None:
    import requests

    answers = {name: requests.get(base + "/healthz", timeout=10) for name, base in servers.items()}
    passed = all(r.status_code == 200 and r.json()["status"] == "ok" for r in answers.values())
    figures = ", ".join(f"{n} HTTP {r.status_code} {r.text}" for n, r in answers.items())
    report("health", passed, figures)


def check_session(a: str, b: str) -> None:
    browser = Browser()
    login = browser.login(a, "load032")
    on_b = browser.request("GET", b, "/")
    passed = login.status_code == 302 and on_b.status_code == 200 and "load032" in on_b.text
    report(
        "session made on A works on B",
        passed,
        f"log-in on A HTTP {login.status_code}, list page on B HTTP {on_b.status_code}",
    )


BRIER_RE = re.compile(r'class="stat-number">([0-9.]+)<')  # the headline Brier card


def dashboard_brier(browser: Browser, base: str) -> str:
    page = browser.request("GET", base, "/dashboard/")
    match = BRIER_RE.search(page.text)
    return match.group(1) if match else f"(none, HTTP {page.status_code})"


def check_cache(a: str, b: str) -> None:
    """One resolved 50% prediction (Brier 0.250), the dashboard rendered and cached on
    A; then on B a 90% prediction resolved YES (Brier 0.010): A must show the mean 0.130."""
    browser = Browser()
    browser.login(a, "load033")
    browser.resolve(a, browser.create(a, "Cache check: a coin lands heads", "50"), "yes")
    before = dashboard_brier(browser, a)
    keys = redis_keys()
    cached_again = dashboard_brier(browser, a)
    browser.resolve(b, browser.create(b, "Cache check: the sun rises", "90"), "yes")
    after = dashboard_brier(browser, a)
    passed = before == cached_again == "0.250" and after == "0.130" and keys > 0
    report(
        "dashboard cached on A reflects a forecast posted on B",
        passed,
        f"Brier on A {before} (cached: {keys} keys in Redis db {REDIS_DB}), "
        f"after B's forecast {after} (expected 0.130)",
    )


def check_throttling(a: str, b: str) -> None:
    """AXES_LIMIT wrong passwords alternating A, B, A, ...: the one that reaches the
    limit is answered with the lockout (429), and so is the right password on B."""
    statuses = []
    for attempt in range(AXES_LIMIT):
        base = a if attempt % 2 == 0 else b
        statuses.append(Browser().login(base, "load034", "wrong-password").status_code)
    right = Browser().login(b, "load034")
    passed = statuses == [200] * (AXES_LIMIT - 1) + [429] and right.status_code == 429
    report(
        "log-in throttling counts failures across both servers",
        passed,
        f"{AXES_LIMIT} wrong passwords (A {(AXES_LIMIT + 1) // 2}, B {AXES_LIMIT // 2}) "
        f"answered {statuses}; then the right password on B: HTTP {right.status_code} "
        f"(expected 200 x {AXES_LIMIT - 1}, then 429, 429)",
    )


IMPORT_CSV = (
    "question,probability,made at,resolve by,outcome\n"
    "Imported: it rains in Reading tomorrow,0.7,2026-01-02,2026-01-03,yes\n"
    "Imported: the train is late,0.2,2026-01-02,2026-01-03,no\n"
)


def poll_status(browser: Browser, bases: list[str], preview_path: str, timeout: float = 120):
    """Polls the import's status block on each server in turn, as two open pages would,
    until the job is no longer running (the block stops asking to be polled). Returns
    the number of answers each server gave with the job's progress, and the last block."""
    answered = dict.fromkeys(bases, 0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for base in bases:
            block = browser.request("GET", base, preview_path.rstrip("/") + "/status/")
            if block.status_code != 200:
                return answered, block.text
            answered[base] += 1
            if 'hx-trigger="every 1s"' not in block.text:
                return answered, block.text
        time.sleep(0.3)
    return answered, ""


def check_import(a: str, b: str) -> None:
    """Upload on A (a background check by a worker: the servers run every upload as a
    job), preview on A, confirm on B, and watch the import's progress on both servers
    until a worker has finished it; then both servers list what was imported."""
    browser = Browser()
    browser.login(a, "load035")
    token = browser.token(a, "/import/")
    upload = browser.request(
        "POST", a, "/import/",
        data={"csrfmiddlewaretoken": token, "format": "auto"},
        files={"file": ("history.csv", IMPORT_CSV.encode(), "text/csv")},
    )  # fmt: skip
    preview_path = upload.headers.get("Location", "")
    checked, _ = poll_status(browser, [a, b], preview_path) if preview_path else ({}, "")
    preview = browser.request("GET", a, preview_path) if preview_path else upload
    confirm_token = load.TOKEN_RE.search(preview.text)
    confirm = browser.request(
        "POST", b, preview_path.rstrip("/") + "/confirm/",
        data={"csrfmiddlewaretoken": confirm_token.group(1) if confirm_token else ""},
    )  # fmt: skip
    watched, final = poll_status(browser, [b, a], preview_path) if preview_path else ({}, "")
    imported = {
        name: browser.request("GET", base, "/").text.count("Imported: ")
        for name, base in (("A", a), ("B", b))
    }
    passed = (
        confirm.status_code == 302
        and all(watched.get(base, 0) > 0 for base in (a, b))
        and "Imported 2 predictions" in final
        and imported == {"A": 2, "B": 2}
    )
    report(
        "import uploaded and previewed on A, confirmed on B, done by a worker",
        passed,
        f"upload on A HTTP {upload.status_code}, check polled {sum(checked.values())}x, "
        f"confirm on B HTTP {confirm.status_code}, import progress answered by A "
        f"{watched.get(a, 0)}x and B {watched.get(b, 0)}x, listed on A {imported['A']} "
        f"and B {imported['B']} of 2",
    )


class AlternatingClient(load.Client):
    """load.py's client (log in, then create predictions and post forecast updates),
    sending request n to server n mod 2. A server that stops answering is dropped and
    the request goes to the other, as a load balancer would do; only a request that
    got no answer is retried, so every acknowledged write was acknowledged once."""

    # Each user logs in once (password hashing is slow on purpose); later runs reuse the
    # session cookie, on whichever server, which is itself the shared-session claim.
    signed_in: dict[str, dict] = {}

    def __init__(self, index: int, bases: list[str], args, barrier, deadline):
        super().__init__(index, bases[0], args, barrier, deadline)
        self.bases = list(bases)
        self.turn = index
        self.failovers = 0
        self.posts_after_failover = 0

    def login(self, session) -> None:
        cookies = self.signed_in.get(self.username)
        if cookies:
            session.cookies.update(cookies)
            return
        super().login(session)
        self.signed_in[self.username] = session.cookies.get_dict()

    def request(self, session, method: str, path: str, **kwargs):
        import requests

        while True:
            self.base = self.bases[self.turn % len(self.bases)]
            self.turn += 1
            session.headers["Origin"] = self.base
            try:
                response = session.request(
                    method, self.base + path, timeout=60, allow_redirects=False, **kwargs
                )
            except requests.ConnectionError:
                if len(self.bases) == 1:
                    raise
                self.bases.remove(self.base)
                self.failovers += 1
                continue
            except requests.RequestException as exc:
                self.error(f"exception {type(exc).__name__}", f"{method} {path}")
                return None
            if not 200 <= response.status_code < 400:
                self.error(f"HTTP {response.status_code}", f"{method} {path}")
                return None
            if self.failovers and method == "POST":
                self.posts_after_failover += 1
            return response


def drive(bases: list[str], args, first_user: int = 0, on_half=None) -> dict:
    """32 clients against `bases`; `on_half` runs once half the posts are answered."""
    deadline = time.monotonic() + args.deadline
    barrier = threading.Barrier(CLIENTS)
    clients = [
        AlternatingClient(first_user + i, bases, args, barrier, deadline) for i in range(CLIENTS)
    ]
    expected = CLIENTS * args.predictions * (1 + args.updates)
    for client in clients:
        client.start()
    fired = on_half is None
    while any(c.is_alive() for c in clients):
        if not fired and sum(len(c.post_times) for c in clients) >= expected // 2:
            on_half()
            fired = True
        time.sleep(0.02)
    times = [t for c in clients for t in c.post_times]
    span = max(a for _, a in times) - min(s for s, _ in times) if times else 0.0
    return {
        "posts": len(times),
        "rate": len(times) / span if span else 0.0,
        "errors": sum(sum(c.errors.values()) for c in clients),
        "examples": [e for c in clients for e in c.error_examples][:3],
        "pks": [pk for c in clients for pk in c.pks],
        "failovers": sum(c.failovers for c in clients),
        "after_failover": sum(c.posts_after_failover for c in clients),
    }


def rows_for(site: Site, pks: list[int], updates: int) -> dict:
    pks_file = site.tmp / f"pks-{len(pks)}-{time.monotonic_ns()}.json"
    pks_file.write_text(json.dumps(pks))
    return json.loads(
        load.run_helper(site.env, "_verify", str(pks_file), str(CLIENTS), str(updates))
    )


def check_throughput(site: Site, a: str, b: str, args) -> None:
    one = drive([a], args)
    two = drive([a, b], args)
    rows = rows_for(site, one["pks"] + two["pks"], args.updates)
    expected = 2 * CLIENTS * args.predictions
    lost = rows["missing"] + rows["wrong_forecast_count"]
    passed = (
        two["rate"] >= one["rate"]
        and one["errors"] == two["errors"] == 0
        and lost == 0
        and len(one["pks"]) + len(two["pks"]) == expected
    )
    report(
        "throughput with two servers not below one",
        passed,
        f"one server {one['rate']:.1f} posts/s, two servers {two['rate']:.1f} posts/s "
        f"(x{two['rate'] / max(one['rate'], 1e-9):.2f}); {one['posts'] + two['posts']} "
        f"acknowledged posts, errors {one['errors'] + two['errors']}, lost writes {lost}"
        + (f"; e.g. {one['examples'] + two['examples']}" if one["errors"] + two["errors"] else ""),
    )


def check_kill(site: Site, a: str, b: str, args) -> None:
    killed_at = {}

    def kill_b():
        killed_at["posts"] = True
        site.kill("B")

    run = drive([a, b], args, first_user=0, on_half=kill_b)
    rows = rows_for(site, run["pks"], args.updates)
    passed = (
        bool(killed_at)
        and rows["missing"] == 0
        and run["errors"] == 0
        and run["failovers"] > 0
        and run["after_failover"] > 0
    )
    report(
        "killing server B mid-run loses no acknowledged write",
        passed,
        f"B killed (SIGKILL) after half the posts; {run['posts']} acknowledged posts, "
        f"{rows['missing']} acknowledged predictions missing, {run['failovers']} clients "
        f"moved to A and posted {run['after_failover']} more, errors {run['errors']}"
        + (f"; e.g. {run['examples']}" if run["errors"] else ""),
    )


def check_scheduler(site: Site) -> None:
    """Two schedulers at once in the same period: each periodic job is enqueued once
    (the unique (job, period) record of notifications/schedule.py)."""
    command = [sys.executable, "manage.py", "schedule"]
    started = [
        subprocess.Popen(command, cwd=ROOT, env=site.env, stdout=subprocess.DEVNULL)
        for _ in range(2)
    ]
    codes = [proc.wait(timeout=120) for proc in started]
    enqueued = site.manage(
        "shell", "--no-imports", "-v", "0", "-c",
        "from notifications.models import ScheduledRun; from collections import Counter;"
        "print(max(Counter(ScheduledRun.objects.values_list('job', 'period_start')).values(),"
        " default=0), ScheduledRun.objects.count())",
    ).stdout.splitlines()[-1:]  # fmt: skip
    enqueued = enqueued[0].split() if enqueued else []
    most, runs = (int(n) for n in enqueued) if len(enqueued) == 2 else (-1, 0)
    report(
        "scheduler run twice at once enqueues each job once",
        codes == [0, 0] and most == 1 and runs > 0,
        f"exit codes {codes}, {runs} (job, period) runs recorded, at most {most} each",
    )


def check_workers(site: Site) -> None:
    alive = [w.poll() is None for w in site.workers]
    report("job workers running", all(alive), f"{sum(alive)} of {len(alive)} db_workers alive")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a small run, under a minute")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the servers' logs into DIR")
    args = parser.parse_args(argv)
    args.predictions, args.updates = (2, 1) if args.short else (10, 2)
    args.deadline, args.follow = 300, False
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="falsifiable-multi-"))
    site = Site(tmp)
    try:
        site.create()
        a, b = site.start_server("A"), site.start_server("B")
        site.start_workers(2)
        for _name, (proc, base) in site.servers.items():
            load.wait_until_serving(base, proc)
        print(
            f"servers A {a} and B {b} ({WORKERS_PER_SERVER} gunicorn workers each), "
            f"2 db_workers, PostgreSQL {site.db_name}, Redis db {REDIS_DB}; "
            f"{CLIENTS} clients x {args.predictions} predictions x (1 + {args.updates})",
            flush=True,
        )
        LAST_REPORT[0] = time.monotonic()
        check_scheduler(site)
        check_health({"A": a, "B": b})
        check_session(a, b)
        check_cache(a, b)
        check_throttling(a, b)
        check_import(a, b)
        check_throughput(site, a, b, args)
        check_kill(site, a, b, args)
        check_workers(site)
        problems = site.log_problems()
        # B's log ends where it was killed; anything else in the logs is a failure.
        report("server logs clean", not problems, json.dumps(problems) or "no tracebacks")
        if args.keep_logs:
            import shutil

            Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
            for path in tmp.glob("*.log"):
                shutil.copy(path, args.keep_logs)
    finally:
        site.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    failed = [name for name, passed, _ in RESULTS if not passed]
    print(
        f"{len(RESULTS) - len(failed)} of {len(RESULTS)} passed in "
        f"{time.monotonic() - started:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
