"""The import writes plain rows, not model instances (docs/decisions/0019): every column
must hold what the single-row service, which saves model instances, stores for the same
prediction, for every kind; and the defaults the model fills (uid, share token, status)
are filled per row."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.test import TestCase

from predictions.models import DateQuantile, Forecast, Option, OptionProbability, Prediction
from predictions.services import prediction_create
from predictions.uids import new_uid
from reports.imports import ours_json
from reports.imports.writing import keys
from tests.predictions.factories import UserFactory
from tests.reports.test_import_matching import STAMP, T0, export_lines, run

UID = "0f8fad5b-d9cb-469f-a165-70867728950e"
KEY = ours_json.prediction_key(None, None, uuid.UUID(UID))
TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")  # secrets.token_urlsafe(18)
COMMON = {
    "id": 7,
    "uid": UID,
    "question": "  Will   the <b>claim</b>\nhold?  ",
    "resolve_by": "2025-06-30",
    "created_at": STAMP,
    "resolution_criteria": "  As reported.  ",
    "notes": " <script>alert(1)</script> ",
    "visibility": "link",
}
KINDS = {
    "binary": (
        {"kind": "binary"},
        {"probability": "0.7", "phrase": "1 in 20", "rationale": " why "},
        {"probability": Decimal("0.7"), "phrase": "1 in 20"},
    ),
    "multiple_choice": (
        {
            "kind": "multiple_choice",
            "options": [{"label": "Red", "position": 0}, {"label": " Blue  sky", "position": 1}],
        },
        {
            "option_probabilities": [
                {"option": "Red", "probability": "0.25"},
                {"option": " Blue  sky", "probability": "0.75"},
            ]
        },
        {
            "options": ["Red", " Blue  sky"],
            "option_probabilities": [Decimal("0.25"), Decimal("0.75")],
        },
    ),
    "date": (
        {"kind": "date"},
        {
            "quantiles": [
                {"level": "0.1", "value": "2025-01-01"},
                {"level": "0.5", "value": "2025-03-01"},
                {"level": "0.9", "value": "2025-06-01"},
            ]
        },
        {
            "quantiles": {
                Decimal("0.1"): date(2025, 1, 1),
                Decimal("0.5"): date(2025, 3, 1),
                Decimal("0.9"): date(2025, 6, 1),
            }
        },
    ),
}
RANDOM = {"id", "uid", "share_token"}  # per row by the model's defaults


def stored(prediction: Prediction) -> dict:
    """Every column of the prediction and its dependents, ids replaced by positions."""
    forecasts = list(Forecast.objects.filter(prediction=prediction).order_by("pk"))
    options = list(Option.objects.filter(prediction=prediction).order_by("position"))
    position = {o.pk: o.position for o in options}
    return {
        "prediction": {
            k: v
            for k, v in Prediction.objects.filter(pk=prediction.pk).values().get().items()
            if k not in RANDOM
        },
        "forecasts": [
            {k: v for k, v in f.items() if k not in ("id", "prediction_id")}
            for f in Forecast.objects.filter(prediction=prediction).order_by("pk").values()
        ],
        "options": [(o.label, o.position) for o in options],
        "option_probabilities": sorted(
            (position[row.option_id], row.probability)
            for row in OptionProbability.objects.filter(forecast__in=forecasts)
        ),
        "quantiles": sorted(
            (row.level, row.value) for row in DateQuantile.objects.filter(forecast__in=forecasts)
        ),
    }


class SameRowsAsTheModelPathTests(TestCase):
    def check_kind(self, kind: str):
        fields, forecast, service_forecast = KINDS[kind]
        record = {**COMMON, **fields, "forecasts": [{"id": 3, "created_at": STAMP, **forecast}]}
        importer = UserFactory()
        result = run(export_lines([record]), importer)
        assert result.ok, result.problems.messages()
        imported = Prediction.objects.get(owner=importer)

        # The same prediction through the single-row service, which saves instances.
        by_hand = UserFactory()
        made = prediction_create(
            owner=by_hand,
            question=COMMON["question"],
            kind=kind,
            resolve_by=date(2025, 6, 30),
            resolution_criteria=COMMON["resolution_criteria"],
            notes=COMMON["notes"],
            visibility="link",
            created_at=T0,
            import_key=KEY,
            **service_forecast,
        )
        # The file's forecast also keeps its rationale and import key; the service
        # gives none, so those two are compared with the file itself. Both forecasts
        # are their owner's: the importing user's, the other account's.
        expected = stored(made)
        assert [f["author_id"] for f in expected["forecasts"]] == [by_hand.pk]
        expected["prediction"]["owner_id"] = importer.pk
        rationale = forecast.get("rationale", "").strip()
        for f in expected["forecasts"]:
            f.update(
                rationale=rationale, import_key=ours_json.forecast_key(3), author_id=importer.pk
            )
        assert stored(imported) == expected
        assert imported.question == "Will the <b>claim</b> hold?"  # one line, stored as text
        assert imported.notes == "<script>alert(1)</script>"  # escaped when shown, not here

        # Per-row defaults: a fresh uid (time-ordered, version 7) and share token each.
        assert imported.uid != uuid.UUID(UID)
        assert imported.uid.version == 7
        assert TOKEN.match(imported.share_token)
        assert imported.share_token != made.share_token

    def test_yes_no(self):
        self.check_kind("binary")

    def test_multiple_choice(self):
        self.check_kind("multiple_choice")

    def test_release_date(self):
        self.check_kind("date")

    def test_every_row_gets_its_own_uid_and_token(self):
        owner = UserFactory()
        records = [
            {**COMMON, "id": i, "uid": str(uuid.uuid4()), "kind": "binary"} for i in range(30)
        ]
        result = run(export_lines(records), owner)
        assert result.ok, result.problems.messages()
        rows = Prediction.objects.filter(owner=owner).values_list("uid", "share_token")
        assert len({uid for uid, _ in rows}) == len({token for _, token in rows}) == 30


class NewUidTests(TestCase):
    def test_a_version_7_uuid_with_the_time_in_milliseconds(self):
        before = datetime.now(UTC)
        uid = new_uid()
        after = datetime.now(UTC)
        assert uid.version == 7
        assert uid.variant == uuid.RFC_4122
        made = datetime.fromtimestamp((uid.int >> 80) / 1000, UTC)
        assert before - timedelta(milliseconds=1) <= made <= after

    def test_ordered_by_time_and_random_within_a_millisecond(self):
        first = new_uid()
        uids = [new_uid() for _ in range(2000)]
        assert len(set(uids)) == 2000
        assert all(u.int >> 80 >= first.int >> 80 for u in uids)
        # 74 random bits: the last 62 differ even between uids of one millisecond.
        assert len({u.int & ((1 << 62) - 1) for u in uids}) == 2000

    def test_the_model_default(self):
        p = Prediction(owner=UserFactory(), question="q", resolve_by=date(2025, 1, 1))
        assert p.uid.version == 7


class KeyLookupTests(TestCase):
    """A batch's keys are looked up on their unique indexes, not by scanning all the
    owner's predictions once per batch (quadratic over a large import)."""

    def plan(self, sql: str, values: list) -> str:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, values)
            return " ".join(str(row[-1]) for row in cursor.fetchall())

    def test_the_indexes_sqlite_uses(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's planner; PostgreSQL's plan depends on its statistics")
        owner = UserFactory()
        by_key = keys.matching_sql("import_key", 2, not_blank=True)
        plan = self.plan(by_key, [owner.pk, "a", "b"])
        assert "prediction_unique_import_key" in plan
        by_uid = keys.matching_sql("uid", 2)
        plan = self.plan(by_uid, [owner.pk, uuid.uuid4().hex, uuid.uuid4().hex])
        assert "(uid=?)" in plan

    def test_found_by_key_and_by_uid_only_in_the_owners_account(self):
        alice, bob = UserFactory(), UserFactory()
        mine = Prediction.objects.create(
            owner=alice, question="q", resolve_by=date(2025, 1, 1), import_key="k"
        )
        Prediction.objects.create(
            owner=bob, question="q", resolve_by=date(2025, 1, 1), import_key="k"
        )
        uid = Prediction._meta.get_field("uid").get_db_prep_value(mine.uid, connection)
        assert keys._matching(alice, "import_key", ["k", "x"], not_blank=True) == [mine.pk]
        assert keys._matching(alice, "uid", [uid]) == [mine.pk]
        assert keys._matching(bob, "uid", [uid]) == []
