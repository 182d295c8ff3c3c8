"""Your export holds your forecasts on others' questions shared with you, marked with
their owner; importing such a file skips them (issue #14, decision 0028)."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership
from predictions.models import Forecast, Prediction
from reports.imports import run_import
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory
from tests.predictions.shared_setup import SharedQuestionCase


def rows(client) -> list[dict]:
    response = client.get(reverse("reports:export_csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def records(client) -> list[dict]:
    response = client.get(reverse("reports:export_json"))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))["predictions"]


class _MemberForecastCase(SharedQuestionCase):
    def setUp(self):
        super().setUp()
        self.own = PredictionFactory(owner=self.member, question="Mira's own")
        ForecastFactory(prediction=self.own, probability=Decimal("0.4"))
        self.mine = Forecast.objects.create(
            prediction=self.prediction,
            author=self.member,
            probability=Decimal("0.05"),
            rationale="mine",
            created_at=timezone.now() - dt.timedelta(hours=1),
        )


class OthersQuestionsTests(_MemberForecastCase):
    def test_the_shared_question_holds_only_your_forecasts_marked_with_its_owner(self):
        client = self.as_user(self.member)
        got = rows(client)
        theirs = [r for r in got if r["prediction_id"] == str(self.prediction.pk)]
        assert [r["forecast_id"] for r in theirs] == [str(self.mine.pk)]
        assert theirs[0]["owner"] == "Olive Owner"
        assert theirs[0]["author"] == ""
        own = [r for r in got if r["prediction_id"] == str(self.own.pk)]
        assert [r["owner"] for r in own] == [""]
        data = {r["id"]: r for r in records(client)}
        assert data[self.prediction.pk]["owner"] == "Olive Owner"
        assert [f["id"] for f in data[self.prediction.pk]["forecasts"]] == [self.mine.pk]
        assert data[self.own.pk]["owner"] == ""

    def test_the_owners_export_is_their_own_forecasts_with_an_empty_owner(self):
        got = rows(self.as_user(self.owner))
        assert [(r["forecast_id"], r["owner"]) for r in got] == [(str(self.owner_forecast.pk), "")]

    def test_scores_are_yours(self):
        known = timezone.now()
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status=Prediction.Status.RESOLVED, outcome=True, known_at=known, resolved_at=known
        )
        (row,) = [r for r in rows(self.as_user(self.member)) if r["owner"]]
        # Your 5% on a YES: (1 − 0.05)² = 0.9025; the owner's 63.7% would be 0.131769.
        assert float(row["brier"]) == 0.9025
        assert float(row["prediction_brier"]) == 0.9025

    def test_a_display_name_is_text_in_every_file(self):
        profile = self.owner.profile
        profile.display_name = '=HYPERLINK("http://x","<script>alert(1)</script>")'
        profile.save()
        client = self.as_user(self.member)
        (row,) = [r for r in rows(client) if r["owner"]]
        assert row["owner"] == "'" + profile.display_name  # neutralised, not a formula
        (record,) = [r for r in records(client) if r["owner"]]
        assert record["owner"] == profile.display_name  # JSON holds it as a string
        response = client.get(reverse("reports:export_json"))
        assert response["Content-Type"].startswith("application/json")

    def test_another_groups_question_never_appears(self):
        elsewhere = Group.objects.create(name="Elsewhere")
        Membership.objects.create(group=elsewhere, user=self.outsider)
        foreign = PredictionFactory(owner=self.outsider, question="Not for Mira")
        foreign.shared_with.add(elsewhere)
        Forecast.objects.create(prediction=foreign, author=self.member, probability=Decimal("0.3"))
        client = self.as_user(self.member)
        assert str(foreign.pk) not in {r["prediction_id"] for r in rows(client)}
        assert "Not for Mira" not in json.dumps(records(client))

    def test_a_former_member_no_longer_exports_the_question(self):
        Forecast.objects.create(
            prediction=self.prediction, author=self.former, probability=Decimal("0.2")
        )
        assert rows(self.as_user(self.former)) == []

    def test_a_question_you_never_forecast_on_is_not_in_your_export(self):
        Forecast.objects.filter(pk=self.mine.pk).delete()
        assert {r["prediction_id"] for r in rows(self.as_user(self.member))} == {str(self.own.pk)}


class QueryCountTests(_MemberForecastCase):
    def count(self) -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows(self.as_user(self.member))
        return len(ctx.captured_queries)

    def test_owners_are_named_in_one_query_however_many(self):
        self.count()  # the first request also logs in and makes the profile
        before = self.count()
        for _ in range(3):
            other = PredictionFactory(owner=UserFactory())
            other.shared_with.add(self.group)
            Membership.objects.create(group=self.group, user=other.owner)
            Forecast.objects.create(
                prediction=other, author=self.member, probability=Decimal("0.5")
            )
        assert self.count() == before
        assert len([r for r in rows(self.as_user(self.member)) if r["owner"]]) == 4


class ReimportTests(_MemberForecastCase):
    """A re-import of your own export never copies others' questions."""

    def reimport(self, url_name: str, user):
        response = self.as_user(self.member).get(reverse(url_name))
        body = b"".join(response.streaming_content)
        return run_import(io.BytesIO(body), owner=user)

    def test_others_questions_are_skipped_with_a_note(self):
        for url_name in ("reports:export_csv", "reports:export_json"):
            fresh = UserFactory()
            result = self.reimport(url_name, fresh)
            assert result.ok, result.problems.messages()
            questions = list(
                Prediction.objects.filter(owner=fresh).values_list("question", flat=True)
            )
            assert questions == ["Mira's own"]
            (note,) = result.problems.notes
            assert "owned by Olive Owner" in note
            assert "not imported" in note

    def test_the_preview_shows_the_note(self):
        client = self.as_user(self.member)
        body = b"".join(client.get(reverse("reports:export_json")).streaming_content)
        data = {"file": SimpleUploadedFile("mine.json", body), "format": "auto"}
        response = client.post(reverse("reports:import_upload"), data, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Left out" in page
        assert "a question owned by Olive Owner" in page
