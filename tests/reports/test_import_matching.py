"""Import matching by key only, and the streamed import (docs/decisions/0013).

The bug this file reproduces: a file from another account whose predictions all share
one timestamp and whose original ids equal the importer's own primary keys, including
those of rows the same import creates, used to be matched against those rows: some
predictions were never created and their forecasts landed on other predictions.
"""

import io
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

from django.test import TestCase

from predictions.models import Forecast, Prediction
from reports.file_format import JSON_HEAD
from reports.imports import ImportOptions, grouping, run_import
from reports.imports.writing import writer
from tests.predictions.factories import UserFactory
from tests.reports.test_export import export_csv, export_json, history

STAMP = "2024-03-01T12:00:00Z"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def run(data: bytes | str, user, **options):
    if isinstance(data, str):
        data = data.encode()
    dry_run = options.pop("dry_run", False)
    return run_import(
        io.BytesIO(data), owner=user, options=ImportOptions(**options), dry_run=dry_run
    )


def export_lines(predictions: list[dict]) -> str:
    """Our JSON export's own layout: the head line, then one prediction per line."""
    head = json.dumps(JSON_HEAD)[:-1] + ', "predictions": [\n'
    return head + ",\n".join(json.dumps(p) for p in predictions) + "\n]}\n"


def tiny(original_id: int, probability: str, *, uid: str | None = None) -> dict:
    item = {
        "id": original_id,
        "question": f"Stranger's claim {original_id}",
        "kind": "binary",
        "resolve_by": "2024-12-31",
        "created_at": STAMP,
        "forecasts": [{"id": original_id, "created_at": STAMP, "probability": probability}],
        "resolution": {"status": "open"},
    }
    if uid is not None:
        item["uid"] = uid
    return item


def own_predictions(user, n: int) -> list[Prediction]:
    """n predictions of `user` made at the file's very timestamp, one forecast each."""
    made = []
    for i in range(n):
        p = Prediction.objects.create(
            owner=user, question=f"Own claim {i}", resolve_by=T0.date(), created_at=T0
        )
        Forecast.objects.create(
            prediction=p, author_id=p.owner_id, created_at=T0, probability=Decimal("0.5")
        )
        made.append(p)
    return made


def forecasts_by_question(user) -> dict[str, list[str]]:
    rows = Forecast.objects.filter(prediction__owner=user).values_list(
        "prediction__question", "probability"
    )
    found: dict[str, list[str]] = {}
    for question, probability in rows:
        found.setdefault(question, []).append(str(probability))
    return found


class AnotherAccountsFileTests(TestCase):
    """Original ids equal to the importer's own pks and to the pks this import creates."""

    def check_every_prediction_is_created(self, *, with_uids: bool):
        bob = UserFactory()
        own = own_predictions(bob, 4)
        first = own[0].pk
        # Ids from Bob's first pk on: his own four, then those this import will create.
        n = 40
        records = [
            tiny(
                first + i,
                f"0.{i + 10:03d}",
                uid=str(uuid.uuid4()) if with_uids else None,
            )
            for i in range(n)
        ]
        with mock.patch.object(writer, "BATCH_SIZE", 3):  # later batches meet new pks
            result = run(export_lines(records), bob)
        assert result.ok, result.problems.messages()
        assert result.summary.predictions == n
        assert result.summary.predictions_existing == 0
        found = forecasts_by_question(bob)
        for i in range(n):
            assert found[f"Stranger's claim {first + i}"] == [f"0.{i + 10:03d}"]
        for p in own:  # untouched: still one forecast each, at 50%
            assert found[p.question] == ["0.500"]
        assert Prediction.objects.filter(owner=bob).count() == n + 4

    def test_an_older_file_without_uids(self):
        self.check_every_prediction_is_created(with_uids=False)

    def test_a_file_with_another_accounts_uids(self):
        self.check_every_prediction_is_created(with_uids=True)

    def test_a_uid_of_someone_elses_prediction_never_touches_it(self):
        alice, mallory = UserFactory(), UserFactory()
        [target] = own_predictions(alice, 1)
        forged = tiny(target.pk, "0.999", uid=str(target.uid))
        result = run(export_lines([forged]), mallory)
        assert result.ok, result.problems.messages()
        assert result.summary.predictions == 1
        assert forecasts_by_question(alice) == {target.question: ["0.500"]}
        copy = Prediction.objects.get(owner=mallory)
        assert copy.uid != target.uid  # a new prediction, with a uid of its own

    def test_a_malformed_uid_is_refused_at_its_field(self):
        bob = UserFactory()
        result = run(export_lines([tiny(1, "0.5", uid="<script>alert(1)</script>")]), bob)
        assert not result.ok
        assert result.problems.messages() == [
            "prediction 1, field uid: expected a uid like "
            "0f8fad5b-d9cb-469f-a165-70867728950e, got “<script>alert(1)</script>”"
        ]
        assert not Prediction.objects.filter(owner=bob).exists()


class OwnExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory()
        history(cls.alice)

    def snapshot(self, user):
        return (
            Prediction.objects.filter(owner=user).count(),
            Forecast.objects.filter(prediction__owner=user).count(),
        )

    def test_exports_carry_each_predictions_uid(self):
        uids = {
            str(u)
            for u in Prediction.objects.filter(owner=self.alice).values_list("uid", flat=True)
        }
        assert {p["uid"] for p in export_json(self.alice)["predictions"]} == uids
        csv_uids = {
            # prediction_uid, then the empty owner and author of one's own export
            line.rsplit(",", 3)[1].strip()
            for line in export_csv(self.alice).splitlines()[1:]
        }
        assert csv_uids == uids

    def test_reimporting_ones_own_export_adds_nothing(self):
        before = self.snapshot(self.alice)
        for data in (export_lines(export_json(self.alice)["predictions"]), export_csv(self.alice)):
            result = run(data, self.alice)
            assert result.ok, result.problems.messages()
            assert result.summary.predictions == 0
            assert result.summary.forecasts == 0
            assert result.summary.predictions_existing == before[0]
        assert self.snapshot(self.alice) == before

    def test_a_copy_exported_again_is_recognised_by_its_own_uid(self):
        bob = UserFactory()
        assert run(json.dumps(export_json(self.alice)), bob).ok
        before = self.snapshot(bob)
        for data in (json.dumps(export_json(bob)), json.dumps(export_json(self.alice))):
            result = run(data, bob)
            assert result.ok, result.problems.messages()
            assert result.summary.predictions == 0
        assert self.snapshot(bob) == before

    def test_an_older_export_without_uids_still_imports_once(self):
        data = export_json(self.alice)
        for p in data["predictions"]:
            del p["uid"]
        lines = export_csv(self.alice).splitlines()
        # The columns from prediction_uid on (then owner, author: decision 0028) are newer.
        old_csv = "\r\n".join(line.rsplit(",", 3)[0] for line in lines) + "\r\n"
        assert "prediction_uid" not in old_csv
        bob = UserFactory()
        first = run(json.dumps(data), bob)
        assert first.ok, first.problems.messages()
        assert first.summary.predictions == self.snapshot(self.alice)[0]
        before = self.snapshot(bob)
        for again in (json.dumps(data), old_csv):  # the CSV twin derives the same keys
            result = run(again, bob)
            assert result.ok, result.problems.messages()
            assert result.summary.predictions == 0
        assert self.snapshot(bob) == before


class StreamTests(TestCase):
    """All or nothing across batches; the same prediction twice, however far apart."""

    def test_a_problem_in_the_last_batch_writes_nothing(self):
        bob = UserFactory()
        records = [tiny(i, "0.5", uid=str(uuid.uuid4())) for i in range(1, 20)]
        records[-1]["forecasts"][0]["probability"] = "1.5"
        with mock.patch.object(writer, "BATCH_SIZE", 4):
            result = run(export_lines(records), bob)
        assert [str(e) for e in result.problems.errors] == [
            "prediction 19, field forecasts[0].probability: "
            "expected a probability between 0 and 1, got 1.5"
        ]
        assert not Prediction.objects.filter(owner=bob).exists()

    def test_a_cut_off_file_writes_nothing(self):
        bob = UserFactory()
        text = export_lines([tiny(i, "0.5") for i in range(1, 20)])
        with mock.patch.object(writer, "BATCH_SIZE", 4):
            result = run(text[: -len("\n]}\n")], bob)
        assert result.problems.messages() == [
            "The file is not valid JSON: it ends too early (cut off?)."
        ]
        assert not Prediction.objects.filter(owner=bob).exists()

    def test_the_same_prediction_twice_in_different_batches(self):
        bob = UserFactory()
        same = str(uuid.uuid4())
        records = [tiny(i, "0.5", uid=str(uuid.uuid4())) for i in range(1, 10)]
        records[1]["uid"] = records[8]["uid"] = same
        with mock.patch.object(writer, "BATCH_SIZE", 3):
            result = run(export_lines(records), bob)
        assert result.problems.messages() == [
            "prediction 9: the same prediction as an earlier row of the file"
        ]
        assert not Prediction.objects.filter(owner=bob).exists()

    def test_our_csvs_rows_of_one_prediction_must_be_together(self):
        alice, bob = UserFactory(), UserFactory()
        history(alice)
        header, *rows = export_csv(alice).splitlines()
        first_id = rows[0].split(",")[0]
        mine = [r for r in rows if r.split(",")[0] == first_id]
        assert len(mine) >= 2
        others = [r for r in rows if r.split(",")[0] != first_id]
        shuffled = [mine[0], *others, *mine[1:]]
        result = run("\r\n".join([header, *shuffled]) + "\r\n", bob)
        assert not result.ok
        assert result.problems.messages()[-1].endswith(
            "the same prediction as an earlier row of the file"
        )
        assert not Prediction.objects.filter(owner=bob).exists()

    def test_generic_rows_of_a_question_group_within_the_window(self):
        bob = UserFactory()
        rows = ["question,probability,created"]
        for i in range(6):
            rows.append(f"Claim {i},0.{i + 1},2024-01-0{i + 1}")
        rows.append("Claim 3,0.9,2024-02-01")  # near its first row: grouped with it
        rows.append("Claim 0,0.8,2024-02-02")  # six questions later: evicted meanwhile
        with mock.patch.object(grouping, "MAX_OPEN_GROUPS", 4):
            result = run("\n".join(rows) + "\n", bob, format="generic")
        assert result.problems.messages() == [
            "row 9, column question: this prediction's rows are more than 4 predictions "
            "apart in the file; put its rows together (sort by it) and import again"
        ]
        with mock.patch.object(grouping, "MAX_OPEN_GROUPS", 4):
            result = run("\n".join(rows[:-1]) + "\n", bob, format="generic")
        assert result.ok, result.problems.messages()
        assert forecasts_by_question(bob)["Claim 3"] == ["0.400", "0.900"]

    def test_the_writer_takes_records_as_they_come(self):
        """The parser is not run ahead of the writer: a batch is written before the
        next one is parsed (so memory holds one batch, not the file)."""
        bob = UserFactory()
        records = [tiny(i, "0.5", uid=str(uuid.uuid4())) for i in range(1, 10)]
        seen: list[int] = []
        real_write = writer.bulk_write.write

        def spy(**kwargs):
            seen.append(Prediction.objects.filter(owner=bob).count())
            real_write(**kwargs)

        with (
            mock.patch.object(writer, "BATCH_SIZE", 4),
            mock.patch.object(writer.bulk_write, "write", spy),
        ):
            result = run(export_lines(records), bob)
        assert result.ok
        assert seen == [0, 4, 8]

    def test_only_an_account_with_predictions_looks_records_up(self):
        """A first import skips the per-batch key lookups (nothing can match: its own
        repeats are refused by the seen keys); once the account has predictions, every
        batch is looked up and the same file adds nothing."""
        bob = UserFactory()
        text = export_lines([tiny(i, "0.5", uid=str(uuid.uuid4())) for i in range(1, 10)])
        lookup = mock.Mock(wraps=writer.keys.existing)
        with (
            mock.patch.object(writer, "BATCH_SIZE", 4),
            mock.patch.object(writer.keys, "existing", lookup),
        ):
            first = run(text, bob)
            assert first.ok
            assert first.summary.predictions == 9
            assert lookup.call_count == 0
            again = run(text, bob)
        assert again.ok
        assert again.summary.predictions == 0
        assert lookup.call_count == 3  # batches of 4, 4 and 1
        assert Prediction.objects.filter(owner=bob).count() == 9
