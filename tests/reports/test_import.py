"""Import: every format from a hand-written fixture, the lossless JSON roundtrip,
idempotency, all-or-nothing, malformed files, isolation, the command (the upload pages
are tested in test_import_views.py)."""

import csv
import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from predictions import rules, services
from predictions.kinds import DatePredictionForm, MultipleChoicePredictionForm
from predictions.models import Forecast, Prediction, ResolutionEvent, Tag
from reports.imports import ImportOptions, detect_format, run_import
from reports.management.commands.import_predictions import Command as ImportCommand
from reports.selectors.scored import scored_predictions
from sources.models import EvidenceLink, Source
from sources.services import evidence_link_create
from tests.predictions.factories import UserFactory
from tests.reports.test_export import export_csv, export_json, history

FIXTURES = Path(__file__).parent / "fixtures"
T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def run(data: bytes | str, user, **options):
    if isinstance(data, str):
        data = data.encode()
    dry_run = options.pop("dry_run", False)
    return run_import(
        io.BytesIO(data), owner=user, options=ImportOptions(**options), dry_run=dry_run
    )


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def counts(user=None) -> tuple[int, ...]:
    """Rows of everything an import writes (for one user, or in the whole database)."""
    p = Prediction.objects.all() if user is None else Prediction.objects.filter(owner=user)
    ids = p.values("pk")
    return (
        p.count(),
        Forecast.objects.filter(prediction__in=ids).count(),
        ResolutionEvent.objects.filter(prediction__in=ids).count(),
        EvidenceLink.objects.filter(prediction__in=ids).count(),
        Tag.objects.count() if user is None else Tag.objects.filter(owner=user).count(),
        Source.objects.count() if user is None else Source.objects.filter(owner=user).count(),
    )


def without_ids(data):
    """The JSON export with everything that names a database row removed."""
    if isinstance(data, dict):
        return {
            k: without_ids(v)
            for k, v in data.items()
            if k not in ("id", "uid", "url", "evidence_id")
        }
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def csv_without_ids(text: str) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for column in ("prediction_id", "forecast_id", "url", "prediction_uid"):
            row.pop(column)
    return rows


def dashboard_numbers(user) -> list[tuple]:
    frame = scored_predictions(user=user).predictions.reset_index(drop=True)
    return [tuple(row) for row in frame.itertuples(index=False)]


# --- The lossless roundtrip ----------------------------------------------------------


class RoundtripTests(TestCase):
    """Export → import into an empty account → export gives the same files and scores."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory()
        cls.made = history(cls.alice)

    def test_json_roundtrip_is_identical_apart_from_ids(self):
        bob = UserFactory()
        first = export_json(self.alice)
        result = run(json.dumps(first), bob)
        assert result.ok, result.problems.messages()
        second = export_json(bob)
        assert without_ids(second) == without_ids(first)
        # Ids are the new account's own.
        assert {p["id"] for p in second["predictions"]}.isdisjoint(
            {p["id"] for p in first["predictions"]}
        )
        assert csv_without_ids(export_csv(bob)) == csv_without_ids(export_csv(self.alice))
        assert dashboard_numbers(bob) == dashboard_numbers(self.alice)

    def test_history_survives(self):
        bob = UserFactory()
        run(json.dumps(export_json(self.alice)), bob)
        p = Prediction.objects.get(owner=bob, kind="binary", status="resolved")
        events = list(p.resolution_events.order_by("pk").values_list("action", "outcome", "note"))
        assert events == [
            ("resolve", False, ""),
            ("undo", None, "Wrong button"),
            ("resolve", True, "Announced"),
        ]
        assert p.outcome is True
        assert p.resolution_note == "Announced"
        link = p.evidence_links.get()
        assert p.resolution_evidence == link
        assert link.source.owner == bob
        assert link.source.title == "GPT-4 next week"
        assert p.forecasts.filter(evidence=link).count() == 1
        assert [e.field for e in p.edits.all()] == ["question"]
        assert p.forecasts.filter(created_at__gt=p.known_at).count() == 2  # the late ones
        assert p.forecasts.get(probability=Decimal("0.05")).phrase == "1 in 20"
        mc = Prediction.objects.get(owner=bob, kind="multiple_choice")
        assert mc.outcome_option.label == "Real announcement"

    def test_importing_twice_adds_nothing(self):
        bob = UserFactory()
        data = json.dumps(export_json(self.alice))
        run(data, bob)
        before = counts(bob)
        again = run(data, bob)
        assert again.ok
        assert counts(bob) == before
        assert again.summary.predictions == 0
        assert again.summary.forecasts == 0
        assert again.summary.predictions_existing == 5

    def test_own_export_into_the_same_account_adds_nothing(self):
        before = counts(self.alice)
        for data in (json.dumps(export_json(self.alice)), export_csv(self.alice)):
            result = run(data, self.alice)
            assert result.ok, result.problems.messages()
            assert result.summary.predictions == 0
        assert counts(self.alice) == before

    def test_csv_and_json_of_one_export_share_keys(self):
        bob = UserFactory()
        assert run(export_csv(self.alice), bob).summary.predictions == 5
        result = run(json.dumps(export_json(self.alice)), bob)
        assert result.summary.predictions == 0
        assert result.summary.predictions_existing == 5

    def test_csv_roundtrip_keeps_forecasts_resolutions_and_scores(self):
        bob = UserFactory()
        result = run(export_csv(self.alice), bob)
        assert result.ok, result.problems.messages()
        assert csv_without_ids(export_csv(bob)) == csv_without_ids(export_csv(self.alice))
        assert dashboard_numbers(bob) == dashboard_numbers(self.alice)

    def test_a_later_export_adds_only_the_new_forecasts(self):
        bob = UserFactory()
        run(json.dumps(export_json(self.alice)), bob)
        open_one = self.made["open"]
        services.forecast_create(prediction=open_one, author=self.alice, probability=Decimal("0.3"))
        result = run(json.dumps(export_json(self.alice)), bob)
        assert result.summary.forecasts == 1
        assert result.summary.predictions == 0
        assert (
            Forecast.objects.filter(prediction__owner=bob, probability=Decimal("0.3")).count() == 1
        )


def _probability(permille: int) -> Decimal:
    return Decimal(permille) / 1000


@st.composite
def payloads(draw, kind: str, n_options: int):
    if kind == "binary":
        return {"probability": _probability(draw(st.integers(0, 1000)))}
    if kind == "multiple_choice":
        cuts = sorted(
            draw(st.lists(st.integers(0, 1000), min_size=n_options - 1, max_size=n_options - 1))
        )
        bounds = [0, *cuts, 1000]
        return {
            "option_probabilities": [_probability(b - a) for a, b in itertools.pairwise(bounds)]
        }
    levels = sorted(
        {Decimal("0.1"), Decimal("0.5"), Decimal("0.9")}
        | set(
            draw(st.sets(st.sampled_from([Decimal(x) for x in ("0.05", "0.25", "0.75", "0.95")])))
        )
    )
    days = sorted(draw(st.sets(st.integers(0, 2000), min_size=len(levels), max_size=len(levels))))
    base = dt.date(2024, 1, 1)
    return {
        "quantiles": {lv: base + dt.timedelta(days=d) for lv, d in zip(levels, days, strict=True)}
    }


@st.composite
def scripts(draw):
    """A prediction's life: forecasts and resolution steps (resolve / annul / undo),
    each some minutes after the last (0 = the same instant)."""
    kind = draw(st.sampled_from(["binary", "multiple_choice", "date"]))
    n_options = draw(st.integers(2, 4))
    steps = draw(
        st.lists(
            st.one_of(
                payloads(kind, n_options).map(lambda p: ("forecast", p)),
                st.sampled_from(["resolve", "annul", "undo"]).map(lambda a: (a, None)),
            ),
            max_size=7,
        )
    )
    gaps = draw(
        st.lists(st.integers(0, 3 * 24 * 60), min_size=len(steps) + 1, max_size=len(steps) + 1)
    )
    known_back = draw(
        st.lists(st.integers(0, 2 * 24 * 60), min_size=len(steps), max_size=len(steps))
    )
    winners = draw(st.lists(st.integers(0, 10_000), min_size=len(steps), max_size=len(steps)))
    tags = draw(st.lists(st.sampled_from(["ai", "Economy", "work", "=x"]), max_size=2))
    return kind, n_options, steps, gaps, known_back, winners, tags


def play(user, script, index: int, start: dt.datetime) -> dt.datetime:
    """Runs a script through the services with the clock moving forward; returns the
    time reached. Forecasts while closed are late forecasts as imports add them."""
    kind, n_options, steps, gaps, known_back, winners, tags = script
    now = start + dt.timedelta(minutes=gaps[0])
    with time_machine.travel(now, tick=False):
        prediction = services.prediction_create(
            owner=user,
            kind=kind,
            question=f"Claim {index}",
            resolve_by=now.date() + dt.timedelta(days=10),
            options=[f"Option {i}" for i in range(n_options)] if kind == "multiple_choice" else (),
            tags=services.tags_for_names(owner=user, names=tags),
        )
    for i, (step, payload) in enumerate(steps):
        now += dt.timedelta(minutes=gaps[i + 1])
        with time_machine.travel(now, tick=False):
            prediction.refresh_from_db()
            closed = prediction.status != "open"
            if step == "forecast":
                key = f"late{i}" if closed else ""
                services.forecast_create(
                    prediction=prediction, author=user, import_key=key, **payload
                )
            elif step == "undo":
                if closed:
                    services.prediction_reopen(prediction=prediction, note=f"undo {i}")
            else:
                known = max(now - dt.timedelta(minutes=known_back[i]), prediction.created_at)
                if step == "annul":
                    outcome = "annulled"
                elif kind == "binary":
                    outcome = "yes" if winners[i] % 2 else "no"
                elif kind == "multiple_choice":
                    outcome = prediction.options.all()[winners[i] % n_options]
                else:
                    # an actual date that has happened (the service refuses later ones)
                    outcome = now.date() - dt.timedelta(days=winners[i] % 2100)
                services.prediction_resolve(
                    prediction=prediction, outcome=outcome, known_at=known, note=f"step {i}"
                )
    return now


class PreviewTests(TestCase):
    """The preview names the forecast that will count, chosen by the scoring rule."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory()
        cls.made = history(cls.alice)

    def test_the_preview_shows_the_forecast_that_counts_and_the_late_ones(self):
        # The yes/no claim: 5%, 20%, then 90% and 99.9% after the outcome was known.
        result = run(json.dumps(export_json(self.alice)), UserFactory(), dry_run=True)
        assert result.ok, result.problems.messages()
        row = next(r for r in result.summary.preview if r.question.startswith("GPT-4"))
        assert row.forecasts == 4
        assert row.final == "20%"  # not the file's last forecast (99.9%)
        assert row.late == 2
        scored = scored_predictions(user=self.alice).predictions
        assert scored.loc[self.made["binary"].pk, "final_probability"] == pytest.approx(0.2)

    def test_an_open_prediction_counts_its_latest_forecast(self):
        result = run(json.dumps(export_json(self.alice)), UserFactory(), dry_run=True)
        rows = [r for r in result.summary.preview if r.resolution == ""]
        assert rows
        assert all(r.late == 0 for r in rows)


class RoundtripPropertyTests(HypothesisTestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(scripts(), min_size=1, max_size=3))
    def test_any_history_roundtrips_exactly(self, lives):
        alice, bob = UserFactory(), UserFactory()
        now = T0
        for index, script in enumerate(lives):
            now = play(alice, script, index, now)
        first = export_json(alice)
        result = run(json.dumps(first), bob)
        assert result.ok, result.problems.messages()
        assert without_ids(export_json(bob)) == without_ids(first)
        assert csv_without_ids(export_csv(bob)) == csv_without_ids(export_csv(alice))
        assert dashboard_numbers(bob) == dashboard_numbers(alice)
        assert run(json.dumps(first), bob).summary.forecasts == 0


# --- Other tools' files --------------------------------------------------------------


class FatebookTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def test_needs_a_name_when_several_people_forecast(self):
        result = run(fixture("fatebook.csv"), self.user)
        assert not result.ok
        assert result.fatebook_names == ["Ada Lovelace", "Charles Babbage"]
        assert "Several people forecast" in result.problems.messages()[0]
        assert counts(self.user)[0] == 0

    def test_only_the_named_persons_forecasts(self):
        result = run(fixture("fatebook.csv"), self.user, fatebook_name="Ada Lovelace")
        assert result.ok, result.problems.messages()
        assert result.format == "fatebook"
        # Charles Babbage's two rows are skipped, and the preview says how many.
        assert result.problems.notes == [
            "2 forecasts by people other than “Ada Lovelace” skipped: "
            "only your own forecasts are imported"
        ]
        questions = dict(
            Prediction.objects.filter(owner=self.user).values_list("question", "status")
        )
        assert questions == {
            "GPT-4 will be announced this week": "resolved",
            "The conference will be held in person": "annulled",
            "Which model ships first?: Gemini": "resolved",
            "Which model ships first?: Claude 3": "resolved",
            "=1+1 is a spreadsheet formula, not a claim": "open",
        }
        gpt = Prediction.objects.get(owner=self.user, question__startswith="GPT-4")
        history = list(gpt.forecasts.values_list("created_at", "probability"))
        assert history == [
            (dt.datetime(2023, 3, 13, 9, 15, 7, tzinfo=dt.UTC), Decimal("0.050")),
            (dt.datetime(2023, 3, 14, 8, 30, 45, tzinfo=dt.UTC), Decimal("0.200")),
        ]
        assert gpt.outcome is True
        assert gpt.known_at == dt.datetime(2023, 3, 14, 18, 2, 3, tzinfo=dt.UTC)
        assert gpt.resolve_by == dt.date(2023, 3, 17)
        assert sorted(gpt.tags.values_list("name", flat=True)) == ["ai", "openai"]
        assert gpt.notes.startswith("Heise")
        gemini = Prediction.objects.get(owner=self.user, question__endswith="Gemini")
        assert gemini.outcome is False
        assert gemini.forecasts.get().probability == Decimal("0.6")

    def test_charles_gets_his_own(self):
        result = run(fixture("fatebook.csv"), self.user, fatebook_name="Charles Babbage")
        assert result.ok
        assert sorted(
            Prediction.objects.filter(owner=self.user).values_list("question", flat=True)
        ) == [
            "Babbage's engine will run",
            "GPT-4 will be announced this week",
        ]

    def test_unknown_name(self):
        result = run(fixture("fatebook.csv"), self.user, fatebook_name="Nobody")
        assert "No forecast in this file was made by “Nobody”" in result.problems.messages()[0]

    def test_idempotent(self):
        run(fixture("fatebook.csv"), self.user, fatebook_name="Ada Lovelace")
        before = counts(self.user)
        again = run(fixture("fatebook.csv"), self.user, fatebook_name="Ada Lovelace")
        assert again.ok
        assert again.summary.predictions == 0
        assert again.summary.forecasts == 0
        assert counts(self.user) == before

    def test_a_later_export_adds_the_resolution(self):
        data = fixture("fatebook.csv").decode()
        unresolved = data.replace('"YES",2023-03-14 18:02:3', ",")
        run(unresolved, self.user, fatebook_name="Ada Lovelace")
        gpt = Prediction.objects.get(owner=self.user, question__startswith="GPT-4")
        assert gpt.status == "open"
        run(data, self.user, fatebook_name="Ada Lovelace")
        gpt.refresh_from_db()
        assert gpt.status == "resolved"
        assert gpt.outcome is True


class PredictionBookTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def test_csv(self):
        result = run(fixture("predictionbook_mine.csv"), self.user)
        assert result.ok, result.problems.messages()
        assert result.format == "predictionbook"
        mars = Prediction.objects.get(owner=self.user, question__startswith="The Mars rover")
        assert mars.outcome is True  # "right": the statement came true
        assert mars.known_at == dt.datetime(2012, 12, 4, 18, 30, tzinfo=dt.UTC)
        assert mars.forecasts.get().probability == Decimal("0.7")
        assert sorted(mars.tags.values_list("name", flat=True)) == ["science", "space"]
        thesis = Prediction.objects.get(owner=self.user, question__startswith="I will finish")
        assert thesis.outcome is False  # "wrong"
        assert list(thesis.forecasts.values_list("probability", flat=True)) == [
            Decimal("0.4"),
            Decimal("0.25"),
        ]
        snow = Prediction.objects.get(owner=self.user, question__contains="snow")
        assert snow.status == "open"  # "unknown"
        assert run(fixture("predictionbook_mine.csv"), self.user).summary.forecasts == 0

    def test_api_json(self):
        result = run(fixture("predictionbook_api.json"), self.user)
        assert result.ok, result.problems.messages()
        assert result.format == "predictionbook"
        higgs = Prediction.objects.get(owner=self.user, question__contains="Higgs")
        assert higgs.outcome is True
        # Charles's 90% and the comment without a confidence are not Ada's forecasts.
        assert list(higgs.forecasts.values_list("probability", "rationale")) == [
            (Decimal("0.6"), "Standard model says yes"),
            (Decimal("0.8"), "Rumours from CERN"),
        ]
        assert not higgs.forecasts.filter(created_at__gt=higgs.known_at).exists()
        bitcoin = Prediction.objects.get(owner=self.user, question__contains="Bitcoin")
        assert bitcoin.outcome is False
        assert (
            Prediction.objects.get(owner=self.user, question__contains="Leeds").status == "annulled"
        )
        assert run(fixture("predictionbook_api.json"), self.user).summary.predictions == 0


class GenericCsvTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def test_guessed_columns_and_percent(self):
        result = run(fixture("generic.csv"), self.user)
        assert result.ok, result.problems.messages()
        assert result.format == "generic"
        assert result.columns["question"] == "Claim"
        assert result.columns["probability"] == "Chance"
        rain = Prediction.objects.get(owner=self.user, question__contains="Niamey")
        assert list(rain.forecasts.values_list("probability", flat=True)) == [
            Decimal("0.8"),
            Decimal("0.65"),
        ]
        assert rain.outcome is True
        assert rain.resolve_by == dt.date(2016, 8, 1)
        assert rain.known_at == dt.datetime(2016, 8, 2, tzinfo=dt.UTC)  # end of the resolve-by day
        assert Prediction.objects.get(owner=self.user, question__contains="café").status == "open"
        bus = Prediction.objects.get(owner=self.user, question__contains="bus")
        assert bus.outcome is False
        assert bus.forecasts.get().probability == Decimal("0.3")

    def test_mapping_chosen_by_hand(self):
        data = "What,p,When\nIt works,0.25,2020-01-01\nIt works,1,2020-01-02\n"
        result = run(
            data,
            self.user,
            format="generic",
            columns={"question": "What", "probability": "p", "created": "When"},
        )
        assert result.ok, result.problems.messages()
        works = Prediction.objects.get(owner=self.user)
        # 1 next to 0.25 is read on the 0–1 scale: no value above 1, none with %.
        assert list(works.forecasts.values_list("probability", flat=True)) == [
            Decimal("0.25"),
            Decimal("1"),
        ]

    def test_missing_role_is_explained(self):
        result = run("Foo,Bar\nx,y\n", self.user)
        assert (
            "choose which column holds the question and the probability"
            in result.problems.messages()[0]
        )

    def test_command_options(self):
        path = FIXTURES / "generic.csv"
        out = io.StringIO()
        call_command(
            "import_predictions",
            str(path),
            user=self.user.username,
            question_column="Claim",
            probability_column="Chance",
            created_column="Date",
            resolve_by_column="Deadline",
            outcome_column="Result",
            stdout=out,
        )
        assert "Imported 3 predictions with 4 forecasts" in out.getvalue()


# --- Bad files -----------------------------------------------------------------------

GOOD_HEADER = "Claim,Chance,Date\n"


class MalformedTests(TestCase):
    """Every bad file gets a clear message naming the row and column, and writes nothing."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.other = UserFactory()
        history(cls.other)

    def assert_refused(self, data, expected: str, **options):
        before = counts()
        result = run(data, self.user, **options)
        assert not result.ok
        messages = result.problems.messages()
        assert any(expected in m for m in messages), messages
        assert counts() == before
        return messages

    def test_wrong_encoding(self):
        data = (GOOD_HEADER + "Ça va marcher,0.5,2020-01-01\n").encode("latin-1")
        self.assert_refused(data, "row 2: the file is not UTF-8 text (byte 0xc7")

    def test_utf16(self):
        self.assert_refused((GOOD_HEADER + "x,0.5,2020-01-01\n").encode("utf-16"), "UTF-16")

    def test_missing_column(self):
        csv_text = export_csv(self.other)
        header, rest = csv_text.split("\r\n", 1)
        broken = header.replace("forecast_at,", "") + "\r\n" + rest
        self.assert_refused(broken, "row 1: missing column “forecast_at”")

    def test_probability_out_of_range(self):
        data = GOOD_HEADER + "Fine,0.4,2020-01-01\nNot fine,1.7,2020-01-02\n"
        self.assert_refused(
            data,
            "row 3, column Chance: expected a probability between 0 and 1, got 1.7",
            format="generic",
            probability_scale="unit",
        )

    def test_probability_in_our_csv(self):
        csv_text = export_csv(self.other).replace(",0.05,", ",1.7,", 1)
        self.assert_refused(
            csv_text, "row 2, column probability: expected a probability between 0 and 1, got 1.7"
        )

    def test_bad_date(self):
        data = GOOD_HEADER + "Fine,0.4,2020-01-01\nBad,0.5,yesterday\n"
        self.assert_refused(
            data, "row 3, column Date: expected a time like 2023-03-14T00:00:00Z, got “yesterday”"
        )

    def test_impossible_date(self):
        data = GOOD_HEADER + "Bad,0.5,2020-02-30\n"
        self.assert_refused(data, "row 2, column Date: expected a real date and time")

    def test_duplicated_header(self):
        self.assert_refused(
            "Claim,Chance,Claim\nx,0.5,y\n", "row 1, column Claim: the column “Claim” appears twice"
        )

    def test_empty_file(self):
        self.assert_refused(b"", "The file is empty.")
        self.assert_refused(b"\n\n  \n", "The file is empty.")

    def test_header_only(self):
        self.assert_refused(GOOD_HEADER, "The file has no rows to import.")

    def test_binary_file(self):
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
        self.assert_refused(png, "This is not a text file")

    def test_csv_bomb(self):
        bomb = GOOD_HEADER.encode() + b'"' + b"A" * (10 * 1024 * 1024) + b'",0.5,2020-01-01\n'
        messages = self.assert_refused(bomb, "row 2: a line is longer than 1,000,000 bytes")
        assert len(messages) == 1
        quoted_lines = GOOD_HEADER.encode() + b'"' + b"A\n" * (2 * 1024 * 1024) + b'",0.5,x\n'
        self.assert_refused(quoted_lines, "row 2: a cell is longer than 131,072 characters")

    def test_not_json(self):
        self.assert_refused(b'{"format_version": 1, "predictions": [', "not valid JSON")
        self.assert_refused(
            b'{"format_version": 7, "predictions": []}', "format_version 7 is not supported"
        )

    def test_all_or_nothing(self):
        data = json.loads(json.dumps(export_json(self.other)))
        data["predictions"][-1]["forecasts"] = [
            {"id": 1, "created_at": "2024-03-01T12:00:00Z", "probability": 1.5}
        ]
        self.assert_refused(
            json.dumps(data),
            "prediction 5, field forecasts[0].probability: "
            "expected a probability between 0 and 1, got 1.5",
        )

    def test_every_error_is_listed(self):
        rows = "".join(
            f"Claim {i},{'2' if i % 2 else '0.5'},2020-01-0{i % 9 + 1}\n" for i in range(1, 8)
        )
        result = run(GOOD_HEADER + rows, self.user, format="generic", probability_scale="unit")
        assert result.problems.count == 4
        assert [e.row for e in result.problems.errors] == [2, 4, 6, 8]

    def test_services_rules_apply(self):
        data = export_json(self.other)
        mc = next(p for p in data["predictions"] if p["kind"] == "multiple_choice")
        mc["forecasts"][0]["option_probabilities"][0]["probability"] = 0.9
        self.assert_refused(json.dumps(data), "The probabilities add up to 130%, not 100%.")
        data = export_json(self.other)
        data["predictions"][0]["question"] = "x" * 301
        self.assert_refused(
            json.dumps(data),
            "prediction 1, field question: Ensure this value has at most 300 characters",
        )
        data = export_json(self.other)
        data["predictions"][0]["resolution_history"].insert(
            0,
            {"action": "undo", "created_at": "2024-03-01T12:00:00Z", "known_at": None, "note": ""},
        )
        self.assert_refused(json.dumps(data), services.MSG_ALREADY_OPEN)

    def test_nul_characters(self):
        data = export_json(self.other)
        data["predictions"][0]["question"] = "It rains\x00 today"
        message = "prediction 1, field question: Null characters are not allowed."
        self.assert_refused(json.dumps(data), message)
        data = export_json(self.other)
        data["predictions"][0]["tags"] = ["a\x00b"]
        self.assert_refused(json.dumps(data), "prediction 1, field tags: Null characters")

    def test_deeply_nested_json(self):
        self.assert_refused(b"[" * 200_000 + b"]" * 200_000, "nested too deeply")

    def test_dry_run_writes_nothing(self):
        before = counts()
        result = run(json.dumps(export_json(self.other)), self.user, dry_run=True)
        assert result.ok
        assert result.summary.predictions == 5
        assert counts() == before


class DetectionTests(TestCase):
    def test_formats(self):
        user = UserFactory()
        history(user)
        cases = {
            "fatebook.csv": "fatebook",
            "predictionbook_mine.csv": "predictionbook",
            "predictionbook_api.json": "predictionbook",
            "generic.csv": "generic",
        }
        for name, expected in cases.items():
            assert detect_format(io.BytesIO(fixture(name))) == expected, name
        assert detect_format(io.BytesIO(export_csv(user).encode())) == "csv"
        assert detect_format(io.BytesIO(json.dumps(export_json(user)).encode())) == "json"
        pretty = json.dumps(export_json(user), indent=2).encode()
        assert detect_format(io.BytesIO(pretty)) == "json"
        assert run(pretty, UserFactory()).summary.predictions == 5  # read whole, not by line


# --- Isolation -----------------------------------------------------------------------


class IsolationTests(TestCase):
    def test_import_never_touches_another_users_data(self):
        alice, bob = UserFactory(), UserFactory()
        made = history(alice)
        alice_export = export_json(alice)
        alice_rows = counts(alice)
        snapshot = list(Prediction.objects.filter(owner=alice).values().order_by("pk"))
        # Bob imports Alice's file, even one naming Alice's ids: he gets his own copies.
        assert run(json.dumps(alice_export), bob).ok
        assert counts(alice) == alice_rows
        assert list(Prediction.objects.filter(owner=alice).values().order_by("pk")) == snapshot
        assert not Prediction.objects.filter(owner=bob, pk=made["binary"].pk).exists()
        assert Tag.objects.filter(owner=bob, name="ai").exists()
        assert Source.objects.filter(owner=bob).count() == 1
        assert Source.objects.filter(owner=alice).count() == 1
        # A third person importing the same file gets a third copy, not Bob's.
        carol = UserFactory()
        assert run(json.dumps(alice_export), carol).summary.predictions == 5


# --- The command ---------------------------------------------------------------------


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.source = UserFactory()
        history(cls.source)

    def test_success_and_idempotence(self):
        path = Path(self.id().replace(".", "_") + ".json")
        tmp = Path(__file__).parent / path
        try:
            call_command(
                "export_predictions",
                user=self.source.username,
                format="json",
                output=str(tmp),
                stderr=io.StringIO(),
            )
            out = io.StringIO()
            call_command("import_predictions", str(tmp), user=self.user.username, stdout=out)
            assert "(json): Imported 5 predictions with 8 forecasts" in out.getvalue()
            out = io.StringIO()
            call_command("import_predictions", str(tmp), user=self.user.username, stdout=out)
            assert "Imported 0 predictions with 0 forecasts" in out.getvalue()
        finally:
            tmp.unlink(missing_ok=True)

    def test_failure_names_row_and_column_and_writes_nothing(self):
        tmp = Path(__file__).parent / "bad_import_command.csv"
        tmp.write_text(GOOD_HEADER + "Fine,0.5,2020-01-01\nBad,1.7,2020-01-01\n")
        try:
            err = io.StringIO()
            with pytest.raises(CommandError) as caught:
                call_command(
                    "import_predictions",
                    str(tmp),
                    user=self.user.username,
                    format="generic",
                    probability_scale="unit",
                    stderr=err,
                )
            assert "Nothing was imported: 1 problem" in str(caught.value)
            assert (
                "row 3, column Chance: expected a probability between 0 and 1, got 1.7"
                in err.getvalue()
            )
            assert counts(self.user)[0] == 0
        finally:
            tmp.unlink(missing_ok=True)

    def test_unknown_user_and_missing_file(self):
        with pytest.raises(CommandError):
            call_command("import_predictions", str(FIXTURES / "generic.csv"), user="nobody")
        with pytest.raises(CommandError):
            call_command(
                "import_predictions", str(FIXTURES / "missing.csv"), user=self.user.username
            )

    def test_exit_status_is_not_zero(self):
        tmp = Path(__file__).parent / "empty_import_command.csv"
        tmp.write_bytes(b"")
        command = ImportCommand(stdout=io.StringIO(), stderr=io.StringIO())
        try:
            argv = ["manage.py", "import_predictions", str(tmp), "--user", self.user.username]
            # run_from_argv closes every connection when done; the test keeps its own.
            with (
                mock.patch("django.core.management.base.connections.close_all"),
                pytest.raises(SystemExit) as caught,
            ):
                command.run_from_argv(argv)
            assert caught.value.code == 1
        finally:
            tmp.unlink(missing_ok=True)


class ImportRefusesUnsafeLinksTests(TestCase):
    """Only http/https sources come in through an import, as through the forms."""

    def test_javascript_and_data_urls_in_evidence_are_refused_and_nothing_is_written(self):
        owner, newcomer = UserFactory(), UserFactory()
        prediction = services.prediction_create(
            owner=owner,
            question="It ships",
            resolve_by=dt.date(2030, 1, 1),
            probability=Decimal("0.4"),
        )

        evidence_link_create(
            prediction=prediction, owner=owner, stance="supports", url="https://example.org/news"
        )
        exported = json.dumps(export_json(owner))
        assert "https://example.org/news" in exported
        for bad in ["javascript:alert(1)", "data:text/html,<b>x</b>"]:
            with self.subTest(url=bad):
                result = run(exported.replace("https://example.org/news", bad), newcomer)
                assert not result.ok
                text = " ".join(result.problems.messages())
                assert "evidence.url" in text
                assert "Only http:// and https://" in text
                assert counts(newcomer) == (0, 0, 0, 0, 0, 0)


class ResolvingStanceTests(TestCase):
    """docs/decisions/0002-resolves-stance-set-by-one-service.md: the evidence a resolution cites
    has the stance "resolves", whichever path resolved it."""

    def test_an_imported_resolution_marks_its_evidence_as_the_service_does(self):
        alice, bob = UserFactory(), UserFactory()
        prediction = services.prediction_create(
            owner=alice,
            question="The model ships this year",
            resolve_by=dt.date(2024, 12, 31),
            probability=Decimal("0.6"),
            created_at=T0,
        )
        link = evidence_link_create(
            prediction=prediction, owner=alice, stance="supports", url="https://example.org/ships"
        )
        services.prediction_resolve(prediction=prediction, outcome="yes", evidence=link)
        link.refresh_from_db()
        assert link.stance == "resolves"  # the service's path
        data = export_json(alice)
        [evidence] = data["predictions"][0]["evidence"]
        assert data["predictions"][0]["resolution"]["evidence_id"] == evidence["id"]
        evidence["stance"] = "supports"  # a file (another tool, an older export) says otherwise
        result = run(json.dumps(data), bob)
        assert result.ok, result.problems.messages()
        imported = EvidenceLink.objects.get(prediction__owner=bob)
        assert Prediction.objects.get(owner=bob).resolution_evidence == imported
        assert imported.stance == link.stance == "resolves"
        assert imported.prediction.resolution_events.get().evidence == imported


class OneMessageEverywhereTests(TestCase):
    """A rule has one message, whichever path refuses the value: form, service, import."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory()
        cls.bob = UserFactory()

    def imported(self, data: dict) -> list[str]:
        result = run(json.dumps(data), self.bob)
        assert not result.ok
        return result.problems.messages()

    def test_the_option_total(self):
        labels, bad = ["Leaked", "Misspoke", "Real"], [Decimal("0.7"), Decimal("0.25"), "0.048"]
        form = MultipleChoicePredictionForm(
            {
                "question": "Why?",
                "resolve_by": "2030-01-01",
                "visibility": "private",
                "option_count": "3",
                **{f"label_{i}": label for i, label in enumerate(labels)},
                **{f"prob_{i}": str(Decimal(p) * 100) for i, p in enumerate(bad)},
            },
            owner=self.alice,
        )
        assert not form.is_valid()
        with pytest.raises(ValidationError) as ctx:
            services.prediction_create(
                owner=self.alice,
                question="Why?",
                resolve_by=dt.date(2030, 1, 1),
                kind="multiple_choice",
                options=labels,
                option_probabilities=[Decimal(p) for p in bad],
            )
        services.prediction_create(
            owner=self.alice,
            question="Why?",
            resolve_by=dt.date(2030, 1, 1),
            kind="multiple_choice",
            options=labels,
            option_probabilities=[Decimal("0.7"), Decimal("0.25"), Decimal("0.05")],
        )
        data = export_json(self.alice)
        data["predictions"][0]["forecasts"][0]["option_probabilities"][2]["probability"] = 0.048
        expected = rules.MSG_OPTIONS_TOTAL.format(total="99.8%")
        assert form.non_field_errors() == [expected]
        assert ctx.value.messages == [expected]
        assert any(m.endswith(f": {expected}") for m in self.imported(data))

    def test_the_quantile_order(self):
        form = DatePredictionForm(
            {
                "question": "When?",
                "resolve_by": "2030-01-01",
                "visibility": "private",
                "q10": "2030-03-01",
                "q50": "2030-02-01",
                "q90": "2030-05-01",
            },
            owner=self.alice,
        )
        assert not form.is_valid()
        bad = {
            Decimal("0.1"): dt.date(2030, 3, 1),
            Decimal("0.5"): dt.date(2030, 2, 1),
            Decimal("0.9"): dt.date(2030, 5, 1),
        }
        with pytest.raises(ValidationError) as ctx:
            services.prediction_create(
                owner=self.alice,
                question="When?",
                resolve_by=dt.date(2030, 1, 1),
                kind="date",
                quantiles=bad,
            )
        services.prediction_create(
            owner=self.alice,
            question="When?",
            resolve_by=dt.date(2030, 1, 1),
            kind="date",
            quantiles={**bad, Decimal("0.1"): dt.date(2030, 1, 1)},
        )
        data = export_json(self.alice)
        quantiles = data["predictions"][0]["forecasts"][0]["quantiles"]
        quantiles[0]["value"] = "2030-03-01"
        expected = rules.MSG_QUANTILES_ORDER
        assert form.non_field_errors() == [expected]
        assert ctx.value.messages == [expected]
        assert any(m.endswith(f": {expected}") for m in self.imported(data))

    def test_an_actual_date_in_the_future(self):
        prediction = services.prediction_create(
            owner=self.alice,
            question="When?",
            resolve_by=dt.date(2025, 1, 1),
            kind="date",
            created_at=T0,
            quantiles={
                Decimal("0.1"): dt.date(2024, 5, 1),
                Decimal("0.5"): dt.date(2024, 6, 1),
                Decimal("0.9"): dt.date(2024, 7, 1),
            },
        )
        services.prediction_resolve(prediction=prediction, outcome=dt.date(2024, 6, 15))
        data = export_json(self.alice)
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        data["predictions"][0]["resolution_history"][0]["outcome"] = tomorrow
        data["predictions"][0]["resolution"]["outcome"] = tomorrow
        messages = self.imported(data)
        assert any(m.endswith(f"resolution: {rules.MSG_FUTURE_DATE}") for m in messages), messages
