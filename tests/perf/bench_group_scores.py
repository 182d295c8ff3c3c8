"""Benchmark: a group's scores (reports/selectors/group_scores.py) for Q questions × M
members.

Run from the repository root:

    .venv/bin/python tests/perf/bench_group_scores.py                  # 500 × 20, 100 × 5
    .venv/bin/python tests/perf/bench_group_scores.py --sizes 200x10

For each size, on a throwaway database (as tests/perf/bench_dashboard.py: SQLite in a
temporary directory, or Django's test database on the DATABASE_URL server), one owner
shares Q resolved yes/no questions with a group of M members, each of whom makes
FORECASTS = 3 forecasts on every question. It reports the median time of `group_scores`
(every member scored, relative Briers, the leaderboard and per-question rows) as a ratio
to the baseline measured in the same run: the owner's dashboard selector
(`scored_predictions(every_kind=True)`), which reads the same questions and every one of
their forecasts. Target (printed, never enforced): ≤ 3× the baseline.
"""

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf.bench_dashboard import median_ms, setup_django

TARGET = 3.0
FORECASTS = 3  # per member and question


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100x5,500x20", help="QxM pairs, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    return parser.parse_args()


def make_group(label: str, questions: int, members: int, per: int, rng: random.Random):
    from groups.models import Group, Membership
    from predictions.models import Forecast, Prediction
    from tests.predictions.factories import UserFactory

    users = [UserFactory(username=f"{label}-{i}") for i in range(members)]
    group = Group.objects.create(name=label)
    Membership.objects.bulk_create(Membership(group=group, user=u) for u in users)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    predictions = Prediction.objects.bulk_create(
        Prediction(
            owner=users[0],
            question=f"Question {i}",
            resolve_by=(start + timedelta(days=i % 300 + 30)).date(),
            created_at=start + timedelta(days=i % 300),
            status=Prediction.Status.RESOLVED,
            outcome=rng.random() < 0.4,
            known_at=start + timedelta(days=i % 300 + 25),
            resolved_at=start + timedelta(days=i % 300 + 26),
        )
        for i in range(questions)
    )
    Prediction.shared_with.through.objects.bulk_create(
        Prediction.shared_with.through(prediction_id=p.pk, group_id=group.pk) for p in predictions
    )
    Forecast.objects.bulk_create(
        Forecast(
            prediction=p,
            author=u,
            created_at=p.created_at + timedelta(days=rng.randint(0, 30)),  # some late
            probability=Decimal(rng.randint(0, 1000)) / 1000,
        )
        for p in predictions
        for u in users
        for _ in range(per)
    )
    return group, users[0]


def main() -> int:
    args = parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        teardown = setup_django(tmp)
        try:
            from predictions.models import Profile
            from reports.selectors.group_scores import group_scores
            from reports.selectors.scored import scored_predictions

            utc = Profile(timezone="UTC")
            head = ("size", "forecasts", "group ms", "baseline ms", "ratio")
            print(" ".join(f"{h:>{w}}" for h, w in zip(head, (10, 10, 9, 12, 6), strict=True)))
            for size in args.sizes.split(","):
                q, m = (int(x) for x in size.lower().split("x"))
                group, owner = make_group(size, q, m, FORECASTS, rng)
                group_ms = median_ms(lambda g=group: group_scores(g, profile=utc), args.repeat)
                base_ms = median_ms(
                    lambda o=owner: scored_predictions(user=o, every_kind=True), args.repeat
                )
                ratio = group_ms / base_ms
                print(
                    f"{size:>10} {q * m * FORECASTS:>10} {group_ms:>9.1f} "
                    f"{base_ms:>12.1f} {ratio:>6.2f}"
                    + ("" if ratio <= TARGET else f"  (target ≤ {TARGET}×)")
                )
        finally:
            teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
