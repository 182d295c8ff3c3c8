"""Export: CSV and JSON content, scores, filters, streaming, isolation, safety."""

import csv
import datetime as dt
import io
import json
import math
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from predictions import services
from predictions.models import Prediction, Tag
from reports.exports import csv as csv_export
from reports.exports import json as json_export
from reports.exports import loading
from reports.exports.queryset import export_queryset
from reports.exports.scope import personal_scope
from reports.file_format import CSV_COLUMNS, FORMULA_TRIGGERS, neutralise
from reports.scoring.rules import pinball_loss, weighted_interval_score
from reports.selectors.scored import scored_predictions
from sources import services as source_services
from tests.predictions.factories import UserFactory
from tests.reports.builders import resolved
from tests.reports.oracle import score_forecast_history

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
REPO = Path(__file__).resolve().parents[2]


def history(user, *, prefix: str = "") -> dict[str, Prediction]:
    """One of each: a yes/no claim with evidence, updates, a late forecast, a resolution
    undone and redone, and an edit; a multiple-choice and a release-date prediction,
    both resolved; an annulled one; an open one without forecasts."""
    made = {}
    with time_machine.travel(T0, tick=False):
        tags = services.tags_for_names(owner=user, names=["ai", "=cmd"])
        p = services.prediction_create(
            owner=user,
            question=f"{prefix}GPT-4 will be announced this week",
            resolve_by=(T0 + 7 * DAY).date(),
            probability=Decimal("0.05"),
            phrase="1 in 20",
            tags=tags,
            resolution_criteria="An official announcement.",
        )
        link = source_services.evidence_link_create(
            prediction=p,
            owner=user,
            stance="supports",
            url="https://www.heise.de/news/gpt-4-next-week",
            title="GPT-4 next week",
            quote="GPT-4 will be presented next week",
        )
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        services.forecast_create(
            prediction=p, author=user, probability=Decimal("0.2"), evidence=link, rationale="Hm"
        )
        services.prediction_update(
            prediction=p,
            question=p.question + " (by OpenAI)",
            resolve_by=p.resolve_by,
            resolution_criteria=p.resolution_criteria,
            tags=tags,
        )
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        services.prediction_resolve(prediction=p, outcome="no", known_at=T0 + 3 * DAY)
    with time_machine.travel(T0 + 5 * DAY, tick=False):
        services.prediction_reopen(prediction=p, note="Wrong button")
        services.forecast_create(prediction=p, author=user, probability=Decimal("0.9"))
        services.prediction_resolve(
            prediction=p, outcome="yes", known_at=T0 + 4 * DAY, evidence=link, note="Announced"
        )
    services.forecast_create(
        prediction=p,
        author=user,
        probability=Decimal("0.999"),
        created_at=T0 + 6 * DAY,
        import_key="late",
    )
    made["binary"] = p

    with time_machine.travel(T0, tick=False):
        mc = services.prediction_create(
            owner=user,
            kind="multiple_choice",
            question=f"{prefix}What did the executive mean?",
            resolve_by=(T0 + 7 * DAY).date(),
            options=["Misspoke", "Leaked early", "Real announcement"],
            option_probabilities=[Decimal("0.6"), Decimal("0.35"), Decimal("0.05")],
        )
    with time_machine.travel(T0 + DAY, tick=False):
        services.forecast_create(
            prediction=mc,
            author=user,
            option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
        )
    with time_machine.travel(T0 + 5 * DAY, tick=False):
        winner = mc.options.get(label="Real announcement")
        services.prediction_resolve(prediction=mc, outcome=winner, known_at=T0 + 4 * DAY)
    made["multiple_choice"] = mc

    with time_machine.travel(T0, tick=False):
        d = services.prediction_create(
            owner=user,
            kind="date",
            question=f"{prefix}GPT-5 is released",
            resolve_by=dt.date(2025, 12, 31),
            quantiles={
                Decimal("0.1"): dt.date(2024, 6, 1),
                Decimal("0.5"): dt.date(2025, 1, 1),
                Decimal("0.9"): dt.date(2025, 9, 1),
            },
        )
    with time_machine.travel(dt.datetime(2025, 8, 8, tzinfo=dt.UTC), tick=False):
        services.prediction_resolve(prediction=d, outcome=dt.date(2025, 8, 7))
    made["date"] = d

    with time_machine.travel(T0 + DAY, tick=False):
        a = services.prediction_create(
            owner=user,
            question=f"{prefix}+1 this gets annulled",
            resolve_by=(T0 + 3 * DAY).date(),
            probability=Decimal("0.5"),
        )
        services.prediction_resolve(prediction=a, outcome="annulled")
        made["annulled"] = a
        made["open"] = services.prediction_create(
            owner=user, question=f"{prefix}@Still open", resolve_by=(T0 + 30 * DAY).date()
        )
    return made


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def export_csv(user, **params) -> str:
    qs = export_queryset(user=user, params=params)
    return "".join(csv_export.csv_stream(csv_export.csv_lines(qs, personal_scope(user))))


def export_json(user, **params) -> dict:
    qs = export_queryset(user=user, params=params)
    return json.loads("".join(json_export.json_stream(qs, personal_scope(user))))


ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
NUMERIC = [
    "prediction_id",
    "forecast_id",
    "probability",
    "is_final",
    "is_late",
    "outcome",
    "brier",
    "log_loss",
    "prediction_brier",
    "prediction_brier_time_avg",
    "prediction_log_loss",
    "pinball_loss",
    "prediction_wis",
]


class CsvContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.made = history(cls.user)
        cls.text = export_csv(cls.user)
        cls.rows = read_csv(cls.text)

    def rows_of(self, key):
        return [r for r in self.rows if r["prediction_id"] == str(self.made[key].pk)]

    def test_columns_in_the_design_order(self):
        header = next(csv.reader(io.StringIO(self.text)))
        assert header[:20] == [
            "prediction_id", "question", "kind", "option", "forecast_id", "forecast_at",
            "probability", "value", "is_final", "is_late", "status", "resolution", "known_at",
            "outcome", "brier", "log_loss", "prediction_brier", "prediction_brier_time_avg",
            "tags", "url",
        ]  # fmt: skip
        assert header == CSV_COLUMNS
        assert all(len(row) == len(header) for row in csv.reader(io.StringIO(self.text)))

    def test_one_row_per_forecast_option_and_quantile(self):
        assert len(self.rows_of("binary")) == 4
        assert len(self.rows_of("multiple_choice")) == 2 * 3
        assert len(self.rows_of("date")) == 3
        assert len(self.rows_of("annulled")) == 1
        empty = self.rows_of("open")
        assert len(empty) == 1
        assert empty[0]["forecast_id"] == ""
        assert empty[0]["status"] == "open"

    def test_binary_rows_and_scores(self):
        rows = self.rows_of("binary")
        assert [r["probability"] for r in rows] == ["0.05", "0.2", "0.9", "0.999"]
        assert [r["is_final"] for r in rows] == ["0", "1", "0", "0"]
        assert [r["is_late"] for r in rows] == ["0", "0", "1", "1"]
        assert [r["outcome"] for r in rows] == ["1"] * 4
        assert [r["brier"] for r in rows] == ["0.9025", "0.64", "", ""]  # late: never scored
        assert rows[1]["log_loss"] == format(-math.log(0.2), ".10g")
        first = rows[0]
        assert first["status"] == "resolved"
        assert first["resolution"] == "yes"
        assert first["known_at"] == "2024-03-05T12:00:00Z"
        assert first["prediction_brier"] == "0.64"
        # 0.05 stood two days, 0.2 two days until known_at: (0.9025 + 0.64) / 2.
        assert first["prediction_brier_time_avg"] == "0.77125"
        assert first["tags"] == "'=cmd; ai"
        assert first["url"] == f"/p/{self.made['binary'].pk}/"
        assert rows[1]["rationale"] == "Hm"

    def test_multiple_choice_rows_and_scores(self):
        rows = self.rows_of("multiple_choice")
        assert [r["option"] for r in rows[:3]] == ["Misspoke", "Leaked early", "Real announcement"]
        assert [r["outcome"] for r in rows[:3]] == ["0", "0", "1"]
        assert {r["resolution"] for r in rows} == {"Real announcement"}
        assert [r["brier"] for r in rows[3:]] == ["0.25", "0.09", "0.64"]  # one-vs-rest
        # ½ Σ (p − o)² of the final forecast (0.5, 0.3, 0.2): ½ (0.25 + 0.09 + 0.64).
        assert rows[0]["prediction_brier"] == "0.49"
        # First forecast ½ (0.36 + 0.1225 + 0.9025) = 0.6925 for 1 day, then 0.49 for 3.
        assert rows[0]["prediction_brier_time_avg"] == "0.540625"
        assert rows[0]["prediction_log_loss"] == format(-math.log(0.2), ".10g")

    def test_date_rows_and_scores(self):
        rows = self.rows_of("date")
        assert [(r["probability"], r["value"]) for r in rows] == [
            ("0.1", "2024-06-01"),
            ("0.5", "2025-01-01"),
            ("0.9", "2025-09-01"),
        ]
        assert [r["outcome"] for r in rows] == ["0", "0", "1"]  # on or before the quantile
        assert [r["brier"] for r in rows] == ["0.01", "0.25", "0.01"]
        actual = dt.date(2025, 8, 7).toordinal()
        q = [dt.date(2024, 6, 1), dt.date(2025, 1, 1), dt.date(2025, 9, 1)]
        days = [d.toordinal() for d in q]
        expected = pinball_loss(days, [0.1, 0.5, 0.9], actual)
        assert [float(r["pinball_loss"]) for r in rows] == pytest.approx(expected.tolist())
        wis = weighted_interval_score([0.1, 0.5, 0.9], days, actual)
        assert float(rows[0]["prediction_wis"]) == pytest.approx(wis)
        assert rows[0]["prediction_brier"] == ""

    def test_annulled_and_open_rows_carry_no_scores(self):
        for key in ("annulled", "open"):
            for row in self.rows_of(key):
                assert row["outcome"] == row["brier"] == row["prediction_brier"] == ""
        assert self.rows_of("annulled")[0]["resolution"] == "annulled"
        assert self.rows_of("open")[0]["known_at"] == ""

    def test_timestamps_are_iso_utc(self):
        for row in self.rows:
            for column in ("forecast_at", "known_at", "created_at", "resolved_at"):
                assert row[column] == "" or ISO_UTC.match(row[column]), (column, row[column])

    def test_formula_cells_are_neutralised(self):
        questions = {r["question"] for r in self.rows}
        assert "'+1 this gets annulled" in questions
        assert "'@Still open" in questions
        for row in self.rows:
            for column in NUMERIC:
                assert not row[column].startswith(FORMULA_TRIGGERS), (column, row)

    def test_prediction_scores_are_the_dashboards(self):
        frame = scored_predictions(user=self.user).predictions
        binary = self.rows_of("binary")[0]
        scored = frame.loc[self.made["binary"].pk]
        assert float(binary["prediction_brier"]) == pytest.approx(scored["brier_final"], abs=1e-12)
        assert float(binary["prediction_brier_time_avg"]) == pytest.approx(
            scored["brier_time_avg"], abs=1e-12
        )
        assert float(binary["prediction_log_loss"]) == pytest.approx(
            scored["log_loss_final"], abs=1e-9
        )


@given(st.text())
def test_cell_quotes_as_csv_writer(text):
    """The export writes most of each line itself; it must be what csv.writer writes."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([text, "x"])
    assert csv_export._cell(text) + ",x\r\n" == buffer.getvalue()


class CsvQuotingTests(TestCase):
    def test_whole_export_is_what_csv_writer_writes(self):
        user = UserFactory()
        made = history(user)
        services.forecast_create(
            prediction=made["open"],
            author=user,
            probability=Decimal("0.25"),
            rationale='He said "next week",\nthen\r\nretracted; \'=1',
        )
        text = export_csv(user)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(csv.reader(io.StringIO(text)))
        assert buffer.getvalue() == text


class DashboardAgreementTests(TestCase):
    def test_every_kinds_scores_are_the_dashboards(self):
        user = UserFactory()
        made = history(user)
        rows = read_csv(export_csv(user))
        scored = scored_predictions(user=user, every_kind=True)
        first = {r["prediction_id"]: r for r in reversed(rows)}
        mc = first[str(made["multiple_choice"].pk)]
        choice = scored.choices.loc[made["multiple_choice"].pk]
        assert float(mc["prediction_brier"]) == pytest.approx(choice["brier_final"], rel=1e-9)
        assert float(mc["prediction_brier_time_avg"]) == pytest.approx(
            choice["brier_time_avg"], rel=1e-9
        )
        date_row = first[str(made["date"].pk)]
        dates = scored.dates.loc[made["date"].pk]
        assert float(date_row["prediction_wis"]) == pytest.approx(dates["wis"], rel=1e-9)
        final_ids = {r["forecast_id"] for r in rows if r["is_final"] == "1"}
        assert str(int(choice["final_forecast_id"])) in final_ids


class FinalAndLateFlagTests(TestCase):
    """The CSV's is_final and is_late are the scoring rule's, checked against the
    scalar oracle on random histories with ties, late forecasts, forecasts exactly at
    known-at and sub-second times (docs/decisions/0001-one-scoring-rule.md)."""

    def test_flags_match_the_oracle(self):
        rng = np.random.default_rng(11)
        user = UserFactory()
        expected = {}
        for _ in range(40):
            n = int(rng.integers(1, 6))
            seconds = np.sort(rng.integers(0, 3 * 86_400, n)).astype(float)
            seconds += np.round(rng.random(n), 6) * (rng.random(n) < 0.3)  # fractions
            if n > 2 and rng.random() < 0.4:
                seconds[1] = seconds[0]  # two forecasts at one instant
            times = [T0 + dt.timedelta(seconds=float(s)) for s in seconds]
            known_at = (
                times[int(rng.integers(0, n))]
                if rng.random() < 0.3
                else (T0 + dt.timedelta(seconds=float(rng.integers(-600, 4 * 86_400))))
            )
            probs = [int(k) / 1000 for k in rng.integers(0, 1001, n)]
            prediction = resolved(
                user, list(zip(times, probs, strict=True)), outcome=True, known_at=known_at
            )
            naive = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[ns]")
            known = np.datetime64(known_at.replace(tzinfo=None), "ns")
            ids = list(prediction.forecasts.order_by("pk").values_list("pk", flat=True))
            score = score_forecast_history(naive, np.array(probs), 1, known)
            final = None if score is None else ids[score.final_index]
            for i, pk in enumerate(ids):
                expected[str(pk)] = (pk == final, bool(naive[i] > known))
        rows = read_csv(export_csv(user))
        assert len(rows) == len(expected)
        flags = {r["forecast_id"]: (r["is_final"] == "1", r["is_late"] == "1") for r in rows}
        assert flags == expected
        assert any(late for _, late in expected.values())
        assert any(final for final, _ in expected.values())

    def test_open_predictions_latest_forecast_is_final(self):
        user = UserFactory()
        with time_machine.travel(T0, tick=False):
            p = services.prediction_create(
                owner=user, question="Open", resolve_by=(T0 + DAY).date(), probability="0.4"
            )
        with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
            services.forecast_create(prediction=p, author=user, probability=Decimal("0.6"))
        rows = read_csv(export_csv(user))
        assert [(r["probability"], r["is_final"], r["is_late"]) for r in rows] == [
            ("0.4", "0", "0"),
            ("0.6", "1", "0"),
        ]


def test_importing_the_json_parser_loads_no_charts():
    """Reading our own file format needs only its constants, not the exporter's scoring,
    dashboard or charts (it loaded matplotlib's 1,175 modules)."""
    code = (
        "import django; django.setup(); import reports.imports.ours_json, sys; "
        "print('matplotlib' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == "False"


def test_format_module_is_standard_library_only():
    code = (
        "import sys; import reports.file_format; "
        "print(sorted(m for m in ('django', 'pandas', 'numpy', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]"


class NeutraliseTests(TestCase):
    def test_cells(self):
        cases = {
            '=HYPERLINK("http://x")': '\'=HYPERLINK("http://x")',
            "+1": "'+1",
            "-5 degrees by May": "'-5 degrees by May",
            "@SUM(A1)": "'@SUM(A1)",
            "\tTabbed": "'\tTabbed",
            "\rReturn": "'\rReturn",
            "'quoted": "''quoted",
            "Plain claim": "Plain claim",
            "": "",
            "0.5": "0.5",
        }
        for text, expected in cases.items():
            assert neutralise(text) == expected

    def test_export_of_a_formula_question_reimports_unchanged(self):
        from reports.imports import run_import

        user, other = UserFactory(), UserFactory()
        question = "=cmd|' /C calc'!A0 will not run"
        services.prediction_create(
            owner=user,
            question=question,
            resolve_by=dt.date(2030, 1, 1),
            probability=Decimal("0.5"),
        )
        text = export_csv(user)
        row = read_csv(text)[0]
        assert row["question"] == "'" + question
        assert row["probability"] == "0.5"
        assert run_import(io.BytesIO(text.encode()), owner=other).ok
        assert Prediction.objects.get(owner=other).question == question


class FilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.made = history(cls.user)
        cls.ai = Tag.objects.get(owner=cls.user, name="ai")

    def ids(self, **params) -> set[int]:
        return {int(r["prediction_id"]) for r in read_csv(export_csv(self.user, **params))}

    def test_list_filters(self):
        m = self.made
        assert self.ids() == {p.pk for p in m.values()}
        assert self.ids(status="resolved") == {
            m["binary"].pk,
            m["multiple_choice"].pk,
            m["date"].pk,
        }
        assert self.ids(status="annulled") == {m["annulled"].pk}
        with time_machine.travel(T0 + DAY, tick=False):
            assert self.ids(status="open") == {m["open"].pk}
            assert self.ids(status="due") == set()
        assert self.ids(status="due") == {m["open"].pk}
        assert self.ids(tag=str(self.ai.pk)) == {m["binary"].pk}
        assert self.ids(q="executive") == {m["multiple_choice"].pk}
        assert self.ids(status="nonsense", tag="999999") == {p.pk for p in m.values()}
        assert self.ids(q="abc\x00def") == set()  # matches nothing, breaks nothing

    def test_dashboard_filters(self):
        m = self.made
        assert self.ids(kind="date") == {m["date"].pk}
        assert self.ids(resolved_from="2025-01-01") == {m["date"].pk}
        assert self.ids(created_from="2024-03-02", created_to="2024-03-02") == {
            m["annulled"].pk,
            m["open"].pk,
        }

    def test_json_honours_filters_too(self):
        data = export_json(self.user, kind="multiple_choice")
        assert [p["id"] for p in data["predictions"]] == [self.made["multiple_choice"].pk]


class JsonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.made = history(cls.user)

    def test_nested_with_format_version(self):
        data = export_json(self.user)
        assert data["format_version"] == 1
        binary = next(p for p in data["predictions"] if p["id"] == self.made["binary"].pk)
        assert [f["probability"] for f in binary["forecasts"]] == [0.05, 0.2, 0.9, 0.999]
        assert binary["forecasts"][1]["evidence_id"] == binary["evidence"][0]["id"]
        assert binary["evidence"][0]["source"]["url"] == "https://www.heise.de/news/gpt-4-next-week"
        assert [e["action"] for e in binary["resolution_history"]] == ["resolve", "undo", "resolve"]
        assert binary["resolution"]["outcome"] == "yes"
        assert binary["edits"][0]["field"] == "question"
        assert binary["scores"]["brier"] == 0.64
        mc = next(p for p in data["predictions"] if p["kind"] == "multiple_choice")
        assert mc["forecasts"][0]["option_probabilities"][0] == {
            "option": "Misspoke",
            "probability": 0.6,
        }
        date = next(p for p in data["predictions"] if p["kind"] == "date")
        assert date["forecasts"][0]["quantiles"][1] == {"level": 0.5, "value": "2025-01-01"}

    def test_one_prediction_per_line(self):
        qs = export_queryset(user=self.user, params={})
        lines = "".join(json_export.json_stream(qs, personal_scope(self.user))).splitlines()
        assert lines[0].endswith('"predictions": [')
        assert lines[-1] == "]}"
        assert len(lines) == 2 + len(self.made)
        for line in lines[1:-1]:
            json.loads(line.removesuffix(","))


# --- Web and command -----------------------------------------------------------------


class WebExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice, cls.bob = UserFactory(), UserFactory()
        cls.made = history(cls.alice, prefix="Alice: ")

    def test_urls_are_the_designs(self):
        assert reverse("reports:export_csv") == "/export/predictions.csv"
        assert reverse("reports:export_json") == "/export/predictions.json"

    def test_csv_download_streams(self):
        self.client.force_login(self.alice)
        response = self.client.get("/export/predictions.csv?status=resolved")
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="falsifiable-')
        rows = read_csv(b"".join(response.streaming_content).decode())
        assert {r["status"] for r in rows} == {"resolved"}
        assert rows[0]["url"].startswith("http://testserver/p/")

    def test_json_download(self):
        self.client.force_login(self.alice)
        response = self.client.get("/export/predictions.json")
        assert response.streaming
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(b"".join(response.streaming_content))
        assert len(data["predictions"]) == 5

    def test_another_user_gets_only_their_own(self):
        self.client.force_login(self.bob)
        for url in ("/export/predictions.csv", "/export/predictions.json"):
            body = b"".join(self.client.get(url).streaming_content).decode()
            assert "Alice" not in body
        # Naming Alice's tag or ids changes nothing.
        tag = Tag.objects.get(owner=self.alice, name="ai")
        body = b"".join(self.client.get(f"/export/predictions.csv?tag={tag.pk}").streaming_content)
        assert "Alice" not in body.decode()
        assert len(read_csv(body.decode())) == 0

    def test_anonymous_is_sent_to_log_in(self):
        response = self.client.get("/export/predictions.csv")
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_columns_page_and_list_buttons(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("reports:export_columns"))
        assert page.status_code == 200
        for column in CSV_COLUMNS:
            assert f"<code>{column}</code>" in page.content.decode()
        listing = self.client.get(reverse("predictions:list") + "?status=resolved&q=GPT").content
        text = listing.decode()
        assert 'href="/export/predictions.csv?status=resolved&amp;q=GPT"' in text
        assert 'href="/export/predictions.json?status=resolved&amp;q=GPT"' in text
        assert reverse("reports:export_columns") in text
        assert reverse("reports:import_upload") in text

    def test_query_count_does_not_grow_with_rows(self):
        def queries(user) -> int:
            self.client.force_login(user)
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get("/export/predictions.csv")
                b"".join(response.streaming_content)
            return len(ctx.captured_queries)

        small, large = UserFactory(), UserFactory()
        history(small)
        for i in range(6):
            history(large, prefix=f"{i} ")
        assert queries(small) == queries(large)

    def test_queries_are_bounded_by_chunks(self):
        qs = export_queryset(user=self.alice, params={})

        def count(chunk_size: int) -> int:
            with (
                mock.patch.object(loading, "CHUNK_SIZE", chunk_size),
                CaptureQueriesContext(connection) as ctx,
            ):
                list(csv_export.csv_lines(qs, personal_scope(self.alice)))
            return len(ctx.captured_queries)

        # The ids, then per chunk three queries (predictions, forecasts, tags) and up to
        # three more when it holds multiple-choice or date predictions.
        assert count(100) == 1 + 6
        assert 1 + 3 * 3 <= count(2) <= 1 + 3 * 6  # chunks of 2, 2 and 1

    def test_large_exports_come_in_pieces(self):
        qs = export_queryset(user=self.alice, params={})
        with mock.patch.object(csv_export, "ROWS_PER_WRITE", 3):
            pieces = list(
                csv_export.csv_stream(csv_export.csv_lines(qs, personal_scope(self.alice)))
            )
        assert len(pieces) == math.ceil(16 / 3)  # 15 rows and the header


class ExportCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        history(cls.user)

    def test_csv_to_stdout_and_json_to_file(self):
        out = io.StringIO()
        call_command("export_predictions", user=self.user.username, format="csv", stdout=out)
        assert out.getvalue() == export_csv(self.user)
        target = Path(__file__).parent / "export_command_test.json"
        try:
            err = io.StringIO()
            call_command(
                "export_predictions",
                "--user",
                self.user.username,
                "--format",
                "json",
                "--output",
                str(target),
                stderr=err,
            )
            assert json.loads(target.read_text()) == export_json(self.user)
            assert "Wrote 5 predictions" in err.getvalue()
        finally:
            target.unlink(missing_ok=True)

    def test_unknown_user(self):
        with pytest.raises(CommandError):
            call_command("export_predictions", user="nobody", format="csv")


class ExportLinksFollowFiltersTests(TestCase):
    """The export buttons carry the filters the page shows, also after an htmx swap."""

    def test_list_and_dashboard_swaps_replace_the_export_links(self):
        user = UserFactory()
        self.client.force_login(user)
        for url, params in [
            (reverse("predictions:list"), {"q": "gpt", "status": "resolved"}),
            (reverse("reports:dashboard"), {"kind": "binary"}),
        ]:
            with self.subTest(url=url):
                html = self.client.get(url, params, headers={"HX-Request": "true"}).content
                html = html.decode()
                assert 'id="export-links"' in html
                assert 'hx-swap-oob="true"' in html
                query = "&amp;".join(f"{k}={v}" for k, v in params.items())
                assert f'href="{reverse("reports:export_csv")}?{query}"' in html
                full = self.client.get(url, params).content.decode()
                assert "hx-swap-oob" not in full
                assert f'href="{reverse("reports:export_json")}?{query}"' in full


class OthersForecastsTests(TestCase):
    """Your export holds your forecasts only: a group member's forecasts on a question
    you shared with them are theirs (every kind, CSV and JSON)."""

    def test_members_forecasts_leave_the_owners_export_unchanged(self):
        from predictions.models import DateQuantile, Forecast, OptionProbability

        owner, member = UserFactory(), UserFactory()
        made = history(owner)
        before = export_csv(owner), export_json(owner)
        for prediction in made.values():
            forecast = Forecast.objects.create(
                prediction=prediction, author=member, probability=None, rationale="<member>"
            )
            if prediction.kind == Prediction.Kind.BINARY:
                Forecast.objects.filter(pk=forecast.pk).update(probability=Decimal("0.123"))
            for option in prediction.options.all():
                OptionProbability.objects.create(
                    forecast=forecast, option=option, probability=Decimal("0.333")
                )
            if prediction.kind == Prediction.Kind.DATE:
                for level, day in ((0.1, "2030-01-01"), (0.5, "2031-01-01"), (0.9, "2032-01-01")):
                    DateQuantile.objects.create(
                        forecast=forecast, level=Decimal(str(level)), value=day
                    )
        after = export_csv(owner), export_json(owner)
        assert "<member>" not in after[0]
        assert after[0] == before[0]
        assert after[1] == before[1]
