"""Benchmark: a 1,000,000-prediction import in bounded memory, beside a bare executemany.

Run from the repository root:

    .venv/bin/python tests/perf/bench_import_memory.py [--rows 1000000,100000] [--strict]

For each size N it writes, streamed to a temporary directory, a file of our JSON export
format (one line per prediction, as the export writes it) of N tiny yes/no predictions
with one forecast each, all made at the same instant (the file the issue's merge bug
came from), then runs in child processes, each against its own copy of one freshly
migrated SQLite database file:

- the import: `manage.py import_predictions FILE --user bench` (the real path: format
  detection, parsing, every check, the bulk writer, one transaction);
- the baseline: a bare `executemany` of the same rows (every column of
  predictions_prediction and predictions_forecast, explicit ids, the app's time-ordered
  uids from `predictions.uids`) into the same tables in one transaction, with the
  connection settings the app uses (WAL, synchronous=NORMAL);
- `--dry-run` of a generic CSV of about 50 MB (`--csv-mb`), for its peak memory.

It reports each child's peak RSS (ru_maxrss from wait4), its wall and CPU time
(user + system, from wait4: the figure to compare on a shared machine) with predictions
per second of each, and the import's CPU time as a multiple of the baseline's. Targets:
< 300 MB peak RSS whatever N, >= 20,000 predictions per CPU second. `--strict` exits 1
when a target is missed. `--profile` runs the import of the smallest size under
cProfile instead and prints the top entries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RSS_TARGET_MB = 300
RATE_TARGET = 20_000  # predictions/s
CREATED = "2024-03-01T12:00:00Z"
RESOLVE_BY = "2024-12-31"
CHUNK = 5000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", default="100000,1000000", help="comma-separated numbers of predictions"
    )
    parser.add_argument("--csv-mb", type=int, default=50, help="size of the generic CSV (0: skip)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--profile", action="store_true", help="cProfile the smallest import")
    return parser.parse_args()


def child_env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="",  # as in production: no query log
        DJANGO_SECRET_KEY="benchmark-only-secret-key-not-for-any-site",
        DATABASE_URL=f"sqlite:///{db}",
        PYTHONPATH=str(ROOT),
    )
    return env


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """(seconds, peak RSS in MB, output, CPU seconds) of a child process, which must
    succeed. CPU time is the figure to compare on a busy machine."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}... failed ({proc.returncode}):\n{output[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, output, cpu  # ru_maxrss is in KiB on Linux


# --- Data -----------------------------------------------------------------------------


def tiny(i: int) -> dict:
    """One tiny prediction as the JSON export writes it (scores and urls included)."""
    return {
        "id": i,
        "uid": str(uuid.UUID(int=i + 1, version=4)),
        "question": f"Tiny prediction {i}",
        "kind": "binary",
        "resolution_criteria": "",
        "resolve_by": RESOLVE_BY,
        "created_at": CREATED,
        "notes": "",
        "visibility": "private",
        "url": f"/p/{i}/",
        "tags": [],
        "options": [],
        "forecasts": [
            {
                "id": i,
                "created_at": CREATED,
                "probability": (i % 999 + 1) / 1000,
                "phrase": "",
                "rationale": "",
                "evidence_id": None,
                "is_late": False,
                "is_final": True,
                "brier": None,
                "log_loss": None,
            }
        ],
        "evidence": [],
        "resolution": {
            "status": "open",
            "outcome": None,
            "known_at": None,
            "resolved_at": None,
            "note": "",
            "evidence_id": None,
        },
        "resolution_history": [],
        "edits": [],
        "scores": {"brier": None, "brier_time_avg": None, "log_loss": None, "wis": None},
    }


def write_json(path: Path, n: int) -> None:
    """The export's layout: head line, one prediction per line, written as generated."""
    from reports.file_format import JSON_HEAD

    with path.open("w", encoding="utf-8") as out:
        head = json.dumps(JSON_HEAD, ensure_ascii=False)
        out.write(head[:-1] + ', "predictions": [\n')
        for i in range(1, n + 1):
            out.write(("" if i == 1 else ",\n") + json.dumps(tiny(i), ensure_ascii=False))
        out.write("\n]}\n")


def write_generic_csv(path: Path, megabytes: int) -> int:
    """A generic CSV of about `megabytes`: one question per row, two in three resolved."""
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("question,probability,created,deadline,outcome\n")
        while out.tell() < megabytes * 1024 * 1024:
            rows += 1
            outcome = ("yes", "no", "")[rows % 3]
            out.write(
                f"Will generic question number {rows} come true,{rows % 97 + 1}%,"
                f"2024-03-01 12:00,2024-06-30,{outcome}\n"
            )
    return rows


# --- The database ---------------------------------------------------------------------


def migrated_template(tmp: Path) -> Path:
    db = tmp / "template.sqlite3"
    env = child_env(db)
    run_child([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env)
    script = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "get_user_model().objects.create_user(username='bench', password='bench-password')"
    )
    run_child([PYTHON, "-c", script], env)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def fresh_copy(template: Path, name: str) -> Path:
    db = template.with_name(name)
    shutil.copyfile(template, db)
    return db


BASELINE = r"""
import secrets, sqlite3, sys, uuid  # share tokens as predictions.models.new_share_token
from datetime import datetime, timezone

db, n, chunk, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, root)
from predictions.uids import new_uid  # the same time-ordered uids as the app's rows
conn = sqlite3.connect(db, isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536"):
    conn.execute("PRAGMA " + pragma)
(owner,) = conn.execute("SELECT id FROM auth_user WHERE username = 'bench'").fetchone()
created = "2024-03-01 12:00:00"
now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
prediction_sql = (
    "INSERT INTO predictions_prediction (id, owner_id, question, kind, resolution_criteria, "
    "resolve_by, created_at, notes, visibility, share_token, status, outcome, "
    "outcome_option_id, outcome_date, known_at, resolved_at, resolution_note, "
    "resolution_evidence_id, import_key, uid, hide_until_forecast, hidden_until) VALUES "
    "(?, ?, ?, 'binary', '', '2024-12-31', ?, '', 'private', ?, 'open', NULL, NULL, NULL, "
    "NULL, NULL, '', NULL, ?, ?, 1, NULL)"
)
forecast_sql = (
    "INSERT INTO predictions_forecast (id, prediction_id, author_id, created_at, probability, "
    "phrase, rationale, evidence_id, import_key) VALUES (?, ?, ?, ?, ?, '', '', NULL, ?)"
)
conn.execute("BEGIN IMMEDIATE")
for start in range(1, n + 1, chunk):
    ids = range(start, min(start + chunk, n + 1))
    conn.executemany(
        prediction_sql,
        [
            (i, owner, f"Tiny prediction {i}", created, secrets.token_urlsafe(18),
             f"falsifiable:uid:{uuid.UUID(int=i + 1, version=4)}", new_uid().hex)
            for i in ids
        ],
    )
    conn.executemany(
        forecast_sql,
        [(i, i, owner, created, f"{(i % 999 + 1) / 1000:.3f}", f"falsifiable:f{i}") for i in ids],
    )
conn.execute("COMMIT")
"""


def columns_match(template: Path) -> None:
    """The baseline names every column of both tables: a new column must be added here."""
    with sqlite3.connect(template) as conn:
        for table, count in (("predictions_prediction", 22), ("predictions_forecast", 9)):
            found = len(conn.execute(f"PRAGMA table_info({table})").fetchall())
            if found != count:
                raise SystemExit(f"{table} has {found} columns; update BASELINE ({count}).")


def count_rows(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        p = conn.execute("SELECT count(*) FROM predictions_prediction").fetchone()[0]
        f = conn.execute("SELECT count(*) FROM predictions_forecast").fetchone()[0]
    return p, f


# --- Main -----------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    sizes = sorted(int(s) for s in args.rows.split(",") if s.strip())
    sys.path.insert(0, str(ROOT))
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-import-") as name:
        tmp = Path(name)
        template = migrated_template(tmp)
        columns_match(template)
        if args.profile:
            return profile(tmp, template, sizes[0])
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, SQLite, {os.cpu_count()} CPUs")
        header = (
            f"{'step':<34}{'N':>10}{'seconds':>9}{'pred/s':>9}{'CPU s':>8}{'pred/CPU s':>11}"
            f"{'peak RSS':>10}{'ratio':>7}"
        )
        print(header)
        print("-" * len(header))
        for n in sizes:
            data = tmp / f"tiny-{n}.json"
            write_json(data, n)
            db = fresh_copy(template, f"base-{n}.sqlite3")
            baseline = [PYTHON, "-c", BASELINE, str(db), str(n), str(CHUNK), str(ROOT)]
            base_s, base_mb, _, base_cpu = run_child(baseline, {})
            assert count_rows(db) == (n, n)
            db.unlink()
            db = fresh_copy(template, f"import-{n}.sqlite3")
            env = child_env(db)
            cmd = [PYTHON, "manage.py", "import_predictions", str(data), "--user", "bench"]
            imp_s, imp_mb, output, imp_cpu = run_child(cmd, env)
            found = count_rows(db)
            if found != (n, n):
                raise SystemExit(f"expected {n} predictions and forecasts, found {found}")
            db.unlink()
            size_mb = data.stat().st_size / 1024 / 1024
            data.unlink()
            row("baseline: bare executemany", n, base_s, base_cpu, base_mb, 1.0)
            label = f"import_predictions ({size_mb:.0f} MB JSON)"
            row(label, n, imp_s, imp_cpu, imp_mb, imp_cpu / base_cpu)
            print(f"  {output.strip()[-120:]}")
            if imp_mb >= RSS_TARGET_MB or n / imp_cpu < RATE_TARGET:
                failed = True
        if args.csv_mb:
            data = tmp / "generic.csv"
            rows = write_generic_csv(data, args.csv_mb)
            db = fresh_copy(template, "generic.sqlite3")
            cmd = [
                PYTHON,
                "manage.py",
                "import_predictions",
                str(data),
                "--user",
                "bench",
                "--dry-run",
            ]
            s, mb, output, cpu = run_child(cmd, child_env(db))
            label = f"--dry-run generic CSV ({args.csv_mb} MB)"
            row(label, rows, s, cpu, mb, None)
            print(f"  {output.strip()[-120:]}")
            if mb >= RSS_TARGET_MB:
                failed = True
        print(
            f"targets: peak RSS < {RSS_TARGET_MB} MB at every N, "
            f">= {RATE_TARGET:,} predictions per CPU second: " + ("missed" if failed else "met")
        )
    return 1 if failed and args.strict else 0


def row(label: str, n: int, seconds: float, cpu: float, mb: float, ratio: float | None) -> None:
    """One line of the table; `ratio` is CPU time against the baseline's."""
    shown = f"{ratio:>7.2f}" if ratio is not None else f"{'':>7}"
    print(
        f"{label:<34}{n:>10,}{seconds:>9.1f}{n / seconds:>9,.0f}{cpu:>8.1f}{n / cpu:>11,.0f}"
        f"{mb:>7.0f} MB{shown}"
    )


def profile(tmp: Path, template: Path, n: int) -> int:
    data = tmp / f"tiny-{n}.json"
    write_json(data, n)
    db = fresh_copy(template, "profile.sqlite3")
    out = tmp / "import.prof"
    cmd = [
        PYTHON,
        "-m",
        "cProfile",
        "-o",
        str(out),
        "manage.py",
        "import_predictions",
        str(data),
        "--user",
        "bench",
    ]
    run_child(cmd, child_env(db))
    import pstats

    stats = pstats.Stats(str(out))
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
