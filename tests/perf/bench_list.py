"""Benchmark: the prediction list page for a user with 10,000 predictions.

Run from the repository root:

    .venv/bin/python tests/perf/bench_list.py

It builds a throwaway database (a SQLite file in a temporary directory, or, when
DATABASE_URL is set, Django's test database "test_<name>" on that server, created and
dropped here, never the database itself), creates one user with 10,000 predictions and
one with 100 as the baseline, and measures the page with django.test.Client: the median
time over 20 requests after 2 warm-ups, and the number of queries. It exits non-zero if
the query count differs between the two users (or a request fails).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_MS = 100


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url-name", default="predictions:list", help="URL to measure")
    parser.add_argument("--n", type=int, default=10_000, help="predictions of the big user")
    parser.add_argument("--baseline", type=int, default=100, help="predictions of the baseline")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per user")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first")
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

    # Test environment: DEBUG off as in production, "testserver" allowed, mail in memory.
    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, not SQLite's in-memory test default, so the timings include real I/O.
        settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(tmp) / "test_bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


def make_user(username: str, n: int, rng: random.Random):
    """A user with `n` predictions in mixed states, one forecast each and a few tags.

    bulk_create bypasses the services for speed; the rows still satisfy every constraint.
    """
    from django.contrib.auth import get_user_model

    from predictions.models import Forecast, Prediction, Profile, Tag

    user = get_user_model().objects.create_user(username=username, password="bench-password")
    Profile.objects.create(user=user, timezone="Europe/Berlin")
    tags = Tag.objects.bulk_create(
        Tag(owner=user, name=name) for name in ("ai", "economy", "politics", "science", "work")
    )
    now = datetime.now(UTC)
    today = date.today()
    predictions = []
    for i in range(n):
        created_at = now - timedelta(days=rng.uniform(0, 730))
        state = rng.random()
        status, outcome, known_at = Prediction.Status.OPEN, None, None
        if state < 0.6:
            status, outcome = Prediction.Status.RESOLVED, rng.random() < 0.5
        elif state < 0.65:
            status = Prediction.Status.ANNULLED
        if status != Prediction.Status.OPEN:
            known_at = min(created_at + timedelta(days=rng.uniform(1, 90)), now)
        predictions.append(
            Prediction(
                owner=user,
                question=f"Benchmark claim {i} comes true",
                resolve_by=today + timedelta(days=rng.randint(-200, 200)),
                created_at=created_at,
                status=status,
                outcome=outcome,
                known_at=known_at,
                resolved_at=known_at,
            )
        )
    predictions = Prediction.objects.bulk_create(predictions, batch_size=1000)
    Forecast.objects.bulk_create(
        (
            Forecast(
                prediction=p,
                author_id=p.owner_id,
                probability=Decimal(rng.randint(0, 1000)) / 1000,
                created_at=p.created_at,
            )
            for p in predictions
        ),
        batch_size=1000,
    )
    through = Prediction.tags.through
    through.objects.bulk_create(
        (
            through(prediction_id=p.pk, tag_id=tag.pk)
            for p in predictions
            for tag in rng.sample(tags, rng.randint(1, 2))
        ),
        batch_size=1000,
    )
    return user


def measure(user, url: str, *, requests: int, warmup: int) -> tuple[float, int, int]:
    """Median milliseconds per request, the query count of one request, and how many of
    the user's predictions that page shows (to be sure it measured a full page)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warmup):
        check(client.get(url), url)
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        check(response, url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        check(response, url)
    rows = response.content.decode().count("Benchmark claim ")
    return statistics.median(timings), len(queries), rows


def check(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}, expected 200")


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="falsifiable-bench-") as tmp:
        teardown = setup_django(tmp)
        try:
            import django
            from django.db import connection
            from django.urls import reverse

            url = reverse(args.url_name)
            rng = random.Random(20230314)
            print(
                f"Django {django.get_version()} on {connection.vendor}; "
                f"GET {url} ({args.url_name}), median of {args.requests} requests "
                f"after {args.warmup} warm-up"
            )
            print("Creating data...", flush=True)
            small = make_user("bench-small", args.baseline, rng)
            big = make_user("bench-big", args.n, rng)
            small_ms, small_q, small_rows = measure(
                small, url, requests=args.requests, warmup=args.warmup
            )
            big_ms, big_q, big_rows = measure(big, url, requests=args.requests, warmup=args.warmup)
        finally:
            teardown()

    independent = small_q == big_q
    print()
    print(f"{'predictions':>12} {'median ms':>10} {'queries':>8} {'rows shown':>11}")
    print(f"{args.baseline:>12,} {small_ms:>10.1f} {small_q:>8} {small_rows:>11}")
    print(f"{args.n:>12,} {big_ms:>10.1f} {big_q:>8} {big_rows:>11}")
    print(f"time ratio {args.n:,} / {args.baseline:,}: {big_ms / small_ms:.2f}x")
    print(f"target under {TARGET_MS} ms at {args.n:,}: {'met' if big_ms < TARGET_MS else 'missed'}")
    print(f"query count independent of N: {'yes' if independent else 'no'}")
    return 0 if independent else 1


if __name__ == "__main__":
    sys.exit(main())
