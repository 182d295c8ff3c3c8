"""Subprocess side of tests/operations/test_backup_restore.py, run as
`python -m tests.operations.backup_helpers COMMAND ...` with DATABASE_URL set.

  seed            migrate, then the demo account (a year of every kind of prediction)
  write NAME STOP a writer: until the file STOP exists, commits one transaction after
                  another, each a new prediction, two forecasts and its resolution
                  through the services; after each commit, writes the count to
                  STOP's directory (progress-NAME)
  inspect         as JSON: every table's rows, every user's scores through reports'
                  selectors, and the writers' questions
  prune FILE      deletes the writers' predictions whose question is not in FILE
"""

import json
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django

QUESTION = "{name} claim {index} comes true"  # the test reads the index back
WRITER_PREFIX = "writer"


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def write(name: str, stop: Path) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from predictions.services import forecast_create, prediction_create, prediction_resolve

    user, _ = get_user_model().objects.get_or_create(username=f"{WRITER_PREFIX}-{name}")
    index = 0
    progress = stop.parent / f"progress-{name}"
    while not stop.exists():
        with transaction.atomic():
            prediction = prediction_create(
                owner=user,
                question=QUESTION.format(name=name, index=index),
                resolve_by=timezone.localdate() + timedelta(days=30),
                probability=Decimal(10 + index % 80) / 100,
            )
            forecast_create(
                prediction=prediction, author=user, probability=Decimal(90 - index % 80) / 100
            )
            prediction_resolve(prediction=prediction, outcome="yes" if index % 3 else "no")
        index += 1
        progress.write_text(str(index))


def tables() -> dict:
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            names = [column[0] for column in cursor.description]
            rows = [
                json.dumps(_comparable(table, names, row), default=str) for row in cursor.fetchall()
            ]
            result[table] = sorted(rows)
    return result


# Columns that no cut-back of the source can reproduce: Profile.data_version is a random
# cache key each write replaces (docs/decisions/0021), not data the backup must hold equal.
UNCOMPARED = {("predictions_profile", "data_version")}


def _comparable(table: str, names: list[str], row) -> list:
    return [None if (table, name) in UNCOMPARED else v for name, v in zip(names, row, strict=True)]


def questions() -> list[str]:
    from predictions.models import Prediction

    writers = Prediction.objects.filter(owner__username__startswith=WRITER_PREFIX)
    return list(writers.values_list("question", flat=True))


def prune(kept_file: Path) -> None:
    from predictions.models import Prediction

    kept = set(json.loads(kept_file.read_text()))
    writers = Prediction.objects.filter(owner__username__startswith=WRITER_PREFIX)
    writers.exclude(question__in=kept).delete()


def scores() -> dict:
    from django.contrib.auth import get_user_model

    from reports.selectors.scored import scored_predictions

    result = {}
    for user in get_user_model().objects.order_by("username"):
        scored = scored_predictions(user=user, every_kind=True)
        # Rows come in the order the database returns them, which on PostgreSQL is the
        # physical order and changes with a restore; no score depends on it.
        frames = {
            name: getattr(scored, name).sort_index(kind="stable")
            for name in ("predictions", "choices", "dates")
        }
        points = scored.points
        frames["points"] = points.sort_values(list(points.columns)).reset_index(drop=True)
        result[user.username] = {
            name: json.loads(frame.to_json(orient="split", double_precision=15))
            for name, frame in frames.items()
        }
    return result


def main() -> None:
    django.setup()
    command, *args = sys.argv[1:]
    if command == "seed":
        seed()
    elif command == "write":
        write(args[0], Path(args[1]))
    elif command == "inspect":
        print(json.dumps({"tables": tables(), "scores": scores(), "questions": questions()}))
    elif command == "prune":
        prune(Path(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
