"""Benchmark: export and re-import of 200,000 forecast rows.

Run from the repository root:

    .venv/bin/python tests/perf/bench_export_import.py

It builds a throwaway database (a SQLite file in a temporary directory, or, when
DATABASE_URL is set, Django's test database "test_<name>" on that server, created and
dropped here, never the database itself) with one user whose yes/no predictions carry
200,000 forecasts (4 each; 70% resolved, 5% annulled, the rest open; 1–2 tags each),
then measures:

- CSV export (`reports.exports.csv.csv_lines` through `csv_stream`, as the web view and the
  command stream it) written to a file: rows per second and peak RSS growth;
- baseline for the export: a bare cursor fetch of the same forecast rows (with their
  prediction's columns) written with csv.writer to the same kind of file;
- import of that CSV into an empty account (`reports.imports.run_import`, our CSV
  format, one transaction): rows per second and peak RSS growth;
- baseline for the import: bulk_create of the same number of bare Forecast rows;
- JSON export and import of the same data, for comparison.

Peak RSS growth is the process's resident-set high-water mark (VmHWM in /proc/self/status)
during the step minus the resident set (VmRSS) just before it, the mark being reset with
/proc/self/clear_refs first. Where that file cannot be written, tracemalloc's peak of
Python allocations is reported instead, and the output says so. Targets: export
>= 50,000 rows/s with < 200 MB growth; import >= 10,000 rows/s. Exits 1 if a target is
missed and --strict is given.
"""

import argparse
import csv
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

EXPORT_TARGET = 50_000  # rows/s
EXPORT_MEMORY_TARGET = 200  # MB
IMPORT_TARGET = 10_000  # rows/s


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="forecast rows to export")
    parser.add_argument("--per", type=int, default=4, help="forecasts per prediction")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def setup_django(tmp: str):
    """Configures Django on a throwaway database and returns a function that drops it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")

    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)  # as in production: no query log
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(tmp) / "test_bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


# --- Memory ---------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _can_reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        _status_kb("VmHWM")
        return True
    except OSError:
        return False


class Peak:
    """Peak memory growth of a block: RSS high-water mark minus RSS before, in MB
    (method "rss"), or tracemalloc's peak of Python allocations (method "tracemalloc")."""

    method = "rss" if _can_reset_peak() else "tracemalloc"

    def __enter__(self):
        gc.collect()
        if self.method == "rss":
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := current RSS
            self.before = _status_kb("VmRSS")
        else:
            tracemalloc.start()
        return self

    def __exit__(self, *exc):
        if self.method == "rss":
            self.mb = (_status_kb("VmHWM") - self.before) / 1024
        else:
            self.mb = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            tracemalloc.stop()


# --- Data -----------------------------------------------------------------------------


def make_user(username: str, n_predictions: int, per: int, rng: random.Random):
    """A user with `n_predictions` yes/no predictions of `per` forecasts each, in bulk
    (services are far too slow for setup; the rows satisfy every constraint)."""
    from django.contrib.auth import get_user_model

    from predictions.models import Forecast, Prediction, Tag

    user = get_user_model().objects.create_user(username=username, password="bench-password")
    tags = Tag.objects.bulk_create(
        Tag(owner=user, name=name) for name in ("ai", "economy", "politics", "science", "work")
    )
    start = datetime(2022, 1, 1, tzinfo=UTC)
    predictions = []
    for i in range(n_predictions):
        created = start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        state = rng.random()
        status, outcome, known = Prediction.Status.OPEN, None, None
        if state < 0.7:
            status, outcome = Prediction.Status.RESOLVED, rng.random() < 0.4
        elif state < 0.75:
            status = Prediction.Status.ANNULLED
        if status != Prediction.Status.OPEN:
            known = created + timedelta(days=per * 10 + rng.randint(-15, 30))
        predictions.append(
            Prediction(
                owner=user,
                question=f"Benchmark claim {i} comes true",
                resolve_by=(created + timedelta(days=60)).date(),
                created_at=created,
                status=status,
                outcome=outcome,
                known_at=known,
                resolved_at=known,
            )
        )
    predictions = Prediction.objects.bulk_create(predictions, batch_size=2000)
    Forecast.objects.bulk_create(
        (
            Forecast(
                prediction=p,
                author_id=p.owner_id,
                probability=Decimal(rng.randint(0, 1000)) / 1000,
                created_at=p.created_at + timedelta(days=10 * j, seconds=rng.randint(0, 9999)),
                rationale="" if rng.random() < 0.8 else f"Reason {j}",
            )
            for p in predictions
            for j in range(per)
        ),
        batch_size=2000,
    )
    through = Prediction.tags.through
    through.objects.bulk_create(
        (
            through(prediction_id=p.pk, tag_id=tag.pk)
            for p in predictions
            for tag in rng.sample(tags, rng.randint(1, 2))
        ),
        batch_size=2000,
    )
    return user


# --- Steps ----------------------------------------------------------------------------


def timed(step):
    """Wall seconds, CPU seconds, peak memory growth (MB) and the step's result."""
    with Peak() as peak:
        start, cpu = time.perf_counter(), time.process_time()
        result = step()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, cpu, peak.mb, result


def export_csv(user, path: Path) -> int:
    from reports.exports import csv as csv_export
    from reports.exports.queryset import export_queryset
    from reports.exports.scope import personal_scope

    qs = export_queryset(user=user, params={})
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for piece in csv_export.csv_stream(csv_export.csv_lines(qs, personal_scope(user))):
            rows += piece.count("\r\n")
            out.write(piece)
    return rows - 1  # the header


def export_json(user, path: Path) -> None:
    from reports.exports import json as json_export
    from reports.exports.queryset import export_queryset
    from reports.exports.scope import personal_scope

    qs = export_queryset(user=user, params={})
    with open(path, "w", encoding="utf-8") as out:
        for piece in json_export.json_stream(qs, personal_scope(user)):
            out.write(piece)


def baseline_fetch_and_write(user, path: Path) -> int:
    """The least any CSV export of these rows costs: one cursor over the forecasts with
    their prediction's columns, every row through csv.writer into a file."""
    from django.db import connection

    sql = """
        SELECT p.id, p.question, p.kind, f.id, f.created_at, f.probability, p.status,
               p.outcome, p.known_at, p.resolve_by, p.created_at, p.resolved_at, f.rationale
        FROM predictions_forecast f JOIN predictions_prediction p ON p.id = f.prediction_id
        WHERE p.owner_id = %s ORDER BY p.created_at, p.id, f.created_at, f.id
    """
    rows = 0
    with connection.cursor() as cursor, open(path, "w", encoding="utf-8", newline="") as out:
        cursor.execute(sql, [user.pk])
        writer = csv.writer(out)
        while batch := cursor.fetchmany(5000):
            writer.writerows(batch)
            rows += len(batch)
    return rows


def import_file(user, path: Path, fmt: str):
    from reports.imports import ImportOptions, run_import

    with open(path, "rb") as binary:
        result = run_import(binary, owner=user, options=ImportOptions(format=fmt))
    if not result.ok:
        raise SystemExit("import failed: " + "; ".join(result.problems.messages()[:5]))
    return result.summary


def baseline_bulk_insert(user, rows: int) -> int:
    """The inserts alone: the same number of bare forecasts by bulk_create, on one
    prediction per `per` rows, in one transaction."""
    from django.db import transaction

    from predictions.models import Forecast, Prediction

    now = datetime(2024, 1, 1, tzinfo=UTC)
    with transaction.atomic():
        predictions = Prediction.objects.bulk_create(
            (
                Prediction(owner=user, question=f"b{i}", resolve_by=now.date(), created_at=now)
                for i in range(rows // 4)
            ),
            batch_size=2000,
        )
        Forecast.objects.bulk_create(
            (
                Forecast(
                    prediction=p, author_id=p.owner_id, probability=Decimal("0.5"), created_at=now
                )
                for p in predictions
                for _ in range(4)
            ),
            batch_size=2000,
        )
    return rows


def warm_up(tmpdir: Path) -> None:
    """Imports the export and import code (pandas, scipy, matplotlib via the dashboard
    module) and runs both once on a tiny account, so no step pays for first use."""
    from django.contrib.auth import get_user_model

    small = make_user("bench-warm", 20, 4, random.Random(1))
    export_csv(small, tmpdir / "warm.csv")
    export_json(small, tmpdir / "warm.json")
    other = get_user_model().objects.create_user(username="bench-warm-import")
    import_file(other, tmpdir / "warm.csv", "csv")


def main() -> int:
    args = parse_args()
    n_predictions = args.rows // args.per
    rows = n_predictions * args.per
    with tempfile.TemporaryDirectory(prefix="falsifiable-bench-") as tmp:
        teardown = setup_django(tmp)
        try:
            import django
            from django.contrib.auth import get_user_model
            from django.db import connection

            memory = (
                "peak RSS growth (VmHWM after - VmRSS before, /proc/self/clear_refs reset)"
                if Peak.method == "rss"
                else "tracemalloc peak of Python allocations (RSS peak not resettable)"
            )
            print(
                f"Django {django.get_version()} on {connection.vendor}; {rows:,} forecast rows "
                f"({n_predictions:,} yes/no predictions x {args.per}); memory: {memory}; "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
            )
            print("Creating data...", flush=True)
            source = make_user("bench-source", n_predictions, args.per, random.Random(20230314))
            tmpdir = Path(tmp)
            warm_up(tmpdir)
            User = get_user_model()
            results = []

            def step(name, fn, count=rows, baseline=None):
                seconds, cpu, mb, result = timed(fn)
                results.append((name, count, seconds, cpu, mb, baseline))
                return seconds, mb, result

            base_export, _, fetched = step(
                "baseline: cursor fetch + csv.writer",
                lambda: baseline_fetch_and_write(source, tmpdir / "baseline.csv"),
            )
            assert fetched == rows, (fetched, rows)
            export_s, export_mb, exported = step(
                "export CSV (streamed, scored)",
                lambda: export_csv(source, tmpdir / "export.csv"),
                baseline=base_export,
            )
            assert exported == rows, (exported, rows)
            step(
                "export JSON (streamed, scored)",
                lambda: export_json(source, tmpdir / "export.json"),
                baseline=base_export,
            )
            bulk_user = User.objects.create_user(username="bench-bulk")
            base_import, _, _ = step(
                "baseline: bulk_create of bare forecasts",
                lambda: baseline_bulk_insert(bulk_user, rows),
            )
            csv_user = User.objects.create_user(username="bench-csv")
            import_s, _, summary = step(
                "import CSV (one transaction)",
                lambda: import_file(csv_user, tmpdir / "export.csv", "csv"),
                baseline=base_import,
            )
            assert summary.forecasts == rows, summary
            json_user = User.objects.create_user(username="bench-json")
            _, _, summary = step(
                "import JSON (one transaction)",
                lambda: import_file(json_user, tmpdir / "export.json", "json"),
                baseline=base_import,
            )
            assert summary.forecasts == rows, summary
            _, _, summary = step(
                "re-import CSV (adds nothing)",
                lambda: import_file(csv_user, tmpdir / "export.csv", "csv"),
            )
            assert summary.forecasts == 0, summary
            assert summary.predictions == 0, summary
            size_mb = (tmpdir / "export.csv").stat().st_size / 1024 / 1024
            json_mb = (tmpdir / "export.json").stat().st_size / 1024 / 1024
        finally:
            teardown()

    print()
    header = f"{'step':<40} {'rows':>9} {'wall s':>7} {'rows/s':>8} {'CPU s':>6}"
    print(header + f" {'rows/CPU s':>10} {'peak MB':>8} {'x baseline':>10}")
    for name, count, seconds, cpu, mb, baseline in results:
        ratio = f"{seconds / baseline:.1f}" if baseline else ""
        print(
            f"{name:<40} {count:>9,} {seconds:>7.2f} {count / seconds:>8,.0f} {cpu:>6.2f} "
            f"{count / cpu:>10,.0f} {mb:>8.1f} {ratio:>10}"
        )
    load = os.getloadavg()[0]
    print(f"files: CSV {size_mb:.1f} MB, JSON {json_mb:.1f} MB; load average now {load:.1f}")
    export_ok = rows / export_s >= EXPORT_TARGET and export_mb < EXPORT_MEMORY_TARGET
    import_ok = rows / import_s >= IMPORT_TARGET
    print(
        f"export target (>= {EXPORT_TARGET:,} rows/s, < {EXPORT_MEMORY_TARGET} MB): "
        f"{'met' if export_ok else 'missed'}"
    )
    print(f"import target (>= {IMPORT_TARGET:,} rows/s): {'met' if import_ok else 'missed'}")
    return 1 if args.strict and not (export_ok and import_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
