"""Benchmark: the calibration dashboard for users with N resolved predictions.

Run from the repository root:

    .venv/bin/python tests/perf/bench_dashboard.py                    # N = 1k, 10k, 100k
    .venv/bin/python tests/perf/bench_dashboard.py --sizes 1000,10000

It builds a throwaway database (a SQLite file in a temporary directory, or, when
DATABASE_URL is set, Django's test database "test_<name>" on that server, created and
dropped here), creates one user per N with N resolved binary predictions (3 forecasts
each, 1–2 of 6 tags), and reports medians, each as a ratio to a bare database cursor
fetching the same rows in the same run (the contenders take turns, one run each per
round, so a change of load during the run weighs on all of them alike):

- selector: reports.selectors.scored.scored_predictions(every_kind=True), as the dashboard calls
  it (3 queries for yes/no data, docs/design.md §4 applied);
- numbers: the dashboard's scoring (summary, buckets, findings, Spiegelhalter, CORP,
  months, tags) on the selector's output; CORP's 100-draw consistency band is drawn
  with the reliability image (a collapsed section), so it counts in "cold + collapsed";
- page cold: GET /dashboard/ with an empty cache (wall clock, and beside it its CPU time
  as a ratio to the bare fetch's CPU time).
  Every chart visible by default (calibration, activity, rolling Brier) is drawn inline
  in the page; the matplotlib images live in sections that start collapsed, are loaded
  lazily, and are timed separately ("cold + collapsed": the page plus those images);
- page warm: the page again with numbers and charts cached (and, separately, the page
  plus its chart images, as a browser without its own cache would make them).

Targets (printed, never enforced): selector ≤ 3× the bare fetch; numbers < 1× at 100,000;
at 10,000 the cold page ≤ 2× and the warm page ≤ 0.25× the bare fetch. Exits non-zero
only if something fails (an error or a non-200 response).
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CHARTS = ("reliability", "months", "tags")  # images in the collapsed sections
INLINE = ("calibration-chart", "rolling-chart", "activity-calendar")  # drawn in the page
TAGS = ("ai", "economy", "politics", "science", "sport", "work")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="comma-separated numbers of predictions"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--forecasts", type=int, default=3, help="forecasts per prediction")
    return parser.parse_args()


def setup_django(tmp: str):
    """Configures Django on a throwaway database; returns a function that drops it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # DEBUG off as in production, "testserver" allowed
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(tmp) / "test_bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


def make_user(n: int, per: int, rng: random.Random):
    """A user with n resolved predictions over two years, `per` forecasts each, in bulk."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from predictions.models import Forecast, Prediction, Profile, Tag

    with transaction.atomic():
        user = get_user_model().objects.create_user(username=f"bench{n}", password="bench-pw")
        Profile.objects.create(user=user, timezone="Europe/Berlin")
        tags = Tag.objects.bulk_create(Tag(owner=user, name=name) for name in TAGS)
        start = datetime.now(UTC) - timedelta(days=760)
        predictions = []
        for i in range(n):
            created = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
            known = created + timedelta(days=rng.randrange(1, 60))
            predictions.append(
                Prediction(
                    owner=user,
                    question=f"Benchmark claim {i}",
                    resolve_by=known.date(),
                    created_at=created,
                    status=Prediction.Status.RESOLVED,
                    outcome=rng.random() < 0.4,
                    known_at=known,
                    resolved_at=known + timedelta(hours=2),
                )
            )
        predictions = Prediction.objects.bulk_create(predictions, batch_size=2000)
        forecasts = []
        for p in predictions:
            base = rng.random()
            for j in range(per):
                step = (p.known_at - p.created_at) * j / per
                value = min(1.0, max(0.0, base + rng.gauss(0, 0.1)))
                forecasts.append(
                    Forecast(
                        prediction=p,
                        author_id=p.owner_id,
                        created_at=p.created_at + step,
                        probability=Decimal(round(value * 1000)) / 1000,
                    )
                )
        Forecast.objects.bulk_create(forecasts, batch_size=5000)
        links = Prediction.tags.through
        links.objects.bulk_create(
            (
                links(prediction_id=p.pk, tag_id=tag.pk)
                for p in predictions
                for tag in rng.sample(tags, rng.randint(1, 2))
            ),
            batch_size=5000,
        )
    return user


def bare_fetch(user) -> int:
    """The rows of the selector's three queries through a bare cursor: the same filters
    and shape of SQL (ids of the user's resolved predictions in a subquery), no
    conversion beyond what the driver does, no DataFrame."""
    from django.db import connection

    ids = "SELECT id FROM predictions_prediction WHERE owner_id = %s AND status = 'resolved'"
    sqls = [
        "SELECT id, kind, created_at, resolved_at, known_at, outcome, outcome_option_id, "
        "outcome_date FROM predictions_prediction "
        "WHERE owner_id = %s AND status = 'resolved'",
        "SELECT prediction_id, id, created_at, CAST(probability AS REAL), phrase "
        f"FROM predictions_forecast WHERE prediction_id IN ({ids})",
        "SELECT l.prediction_id, t.name FROM predictions_prediction_tags l "
        f"JOIN predictions_tag t ON t.id = l.tag_id WHERE l.prediction_id IN ({ids})",
    ]
    rows = 0
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql, [user.pk])
            rows += len(cursor.fetchall())
    return rows


def interleaved_ms(contenders: dict, repeat: int) -> dict[str, float]:
    """The median time of each contender, a (function, clock) pair, in milliseconds.

    The contenders take turns, one run each per round, so that a machine whose load
    changes during the run (other processes come and go) weighs on all of them alike
    and the ratios to the bare fetch stay comparable; measured one after the other,
    a burst of load would land on whichever was running."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, (fn, clock) in contenders.items():
            start = clock()
            fn()
            times[name].append((clock() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def measure(n: int, args, rng: random.Random) -> dict:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from predictions.services import profile_for
    from reports.dashboard.numbers import compute_numbers
    from reports.selectors.scored import scored_predictions

    t0 = time.perf_counter()
    user = make_user(n, args.forecasts, rng)
    build_s = time.perf_counter() - t0
    tz = profile_for(user).tzinfo
    client = Client()
    client.force_login(user)
    dashboard = reverse("reports:dashboard")

    def get(url: str) -> str:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response.content.decode()

    def page(only_first: bool = False) -> None:
        """The page, then (as a browser without its own cache would) its chart images."""
        html = get(dashboard)
        for name in INLINE:
            if f'class="{name}"' not in html and f'class="inline-chart {name}"' not in html:
                raise RuntimeError(f"the page should draw {name} inline")
        if only_first:
            return
        srcs = [unescape(src) for src in re.findall(r'<img class="chart"[^>]* src="([^"]+)"', html)]
        if len(srcs) != len(CHARTS):
            raise RuntimeError(f"expected {len(CHARTS)} charts, found {srcs}")
        for src in srcs:
            get(src)

    def cold() -> None:
        cache.clear()
        page(only_first=True)

    def cold_all() -> None:
        cache.clear()
        page()

    repeat = args.repeat if n < 100_000 else max(3, args.repeat // 2)
    bare_fetch(user)  # warm the database's own caches once for every contender
    data = scored_predictions(user=user, every_kind=True)
    assert len(data.predictions) == n, len(data.predictions)
    page()  # import and first-render costs paid before timing
    wall, cpu = time.perf_counter, time.process_time
    # In this order each round: the cold runs clear the cache, "cold_all" leaves the
    # page and its charts cached, so the warm runs after it are warm.
    result: dict = interleaved_ms(
        {
            "bare": (lambda: bare_fetch(user), wall),
            # CPU time of the bare fetch and the cold page (SQLite runs in-process): what
            # they cost without waiting for other processes on a busy machine.
            "bare_cpu": (lambda: bare_fetch(user), cpu),
            "selector": (lambda: scored_predictions(user=user, every_kind=True), wall),
            "numbers": (lambda: compute_numbers(data, tz), wall),
            "cold": (cold, wall),
            "cold_cpu": (cold, cpu),
            "cold_all": (cold_all, wall),
            "warm": (page, wall),
            "warm_page": (lambda: page(only_first=True), wall),
        },
        repeat,
    )
    result.update(n=n, rows=bare_fetch(user), build_s=build_s)
    return result


def report(results: list[dict]) -> None:
    head = (
        f"{'N':>8} {'rows':>8} {'bare ms':>8} {'selector':>15} {'numbers':>15} "
        f"{'cold page':>15} {'(CPU)':>15} {'cold + collapsed':>17} "
        f"{'warm page+charts':>17} {'warm page':>15}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        bare = r["bare"]

        def cell(key: str, width: int, r: dict = r, bare: float = bare) -> str:
            return f"{r[key]:.0f} ms {r[key] / bare:4.1f}×".rjust(width)

        print(
            f"{r['n']:>8,} {r['rows']:>8,} {bare:>8.1f} {cell('selector', 15)} "
            f"{cell('numbers', 15)} {cell('cold', 15)} "
            f"{r['cold_cpu']:>6.0f} ms {r['cold_cpu'] / r['bare_cpu']:4.1f}× "
            f"{cell('cold_all', 17)} {r['warm']:>14.1f} ms "
            f"{r['warm_page']:>6.1f} ms {r['warm_page'] / bare:4.2f}×"
        )
    print(
        "\nTargets: selector ≤ 3× bare; numbers < 1× bare at 100,000; at 10,000 the cold "
        "page (every chart visible by default drawn inline) ≤ 2× bare and the warm page\n"
        "≤ 0.25× bare. 'cold + collapsed' adds the images of the collapsed sections (loaded\n"
        "lazily when opened); 'warm page+charts' is for a browser without its own cache\n"
        "(chart URLs name the data version and are marked immutable). Ratios are to the\n"
        "bare fetch of the same run, whose contenders take turns. (CPU) is the process time of\n"
        "the cold page against that of the bare fetch, which a busy machine inflates far less\n"
        "than the wall clock."
    )
    for r in results:
        verdicts = [f"selector {'met' if r['selector'] <= 3 * r['bare'] else 'MISSED'}"]
        if r["n"] >= 100_000:
            verdicts.append(f"numbers {'met' if r['numbers'] < r['bare'] else 'MISSED'}")
        if r["n"] == 10_000:
            verdicts.append(f"cold {'met' if r['cold'] <= 2 * r['bare'] else 'MISSED'}")
            warm_met = r["warm_page"] <= 0.25 * r["bare"]
            verdicts.append(f"warm page {'met' if warm_met else 'MISSED'}")
        print(f"  N={r['n']:,} (built in {r['build_s']:.0f} s): " + ", ".join(verdicts))


def main() -> int:
    args = parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rng = random.Random(20240301)
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        teardown = setup_django(tmp)
        try:
            from django.db import connection

            print(
                f"Database: {connection.vendor}; forecasts per prediction: {args.forecasts}; "
                f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
            )
            results = [measure(n, args, rng) for n in sizes]
        finally:
            teardown()
    report(results)
    print(f"Load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
