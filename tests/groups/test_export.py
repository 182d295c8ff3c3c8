"""The group export (issue #14, decision 0028): the owner and admins download the group's
questions with every current member's forecasts, hidden ones left out while hidden."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from predictions.models import Forecast, Option, OptionProbability, Prediction
from predictions.services import profile_for
from tests.groups.helpers import Cast
from tests.predictions.factories import PredictionFactory, ProfileFactory

T = timezone.now() - dt.timedelta(days=2)


class GroupExportCase(TestCase):
    def setUp(self):
        self.cast = c = Cast()
        for user, name in ((c.owner, "Olga"), (c.admin, "Adam"), (c.member, "Mia")):
            ProfileFactory(user=user, display_name=name)
        # The member's question, open to all: nothing hidden.
        self.q = PredictionFactory(owner=c.member, question="Shared one", hide_until_forecast=False)
        self.q.shared_with.add(c.group)
        self.mia = self.forecast(self.q, c.member, "0.800", 0)
        self.olga = self.forecast(self.q, c.owner, "0.300", 1)
        # A forecast by someone who has left since: not a current member's.
        self.forecast(self.q, c.former, "0.123", 2)

    def forecast(self, prediction, author, probability, hours) -> Forecast:
        return Forecast.objects.create(
            prediction=prediction,
            author=author,
            probability=Decimal(probability),
            created_at=T + dt.timedelta(hours=hours),
        )

    def url(self, extension="csv"):
        return reverse(f"groups:export_{extension}", args=[self.cast.group.pk])

    def rows(self, user) -> list[dict]:
        self.client.force_login(user)
        response = self.client.get(self.url())
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


class AccessTests(GroupExportCase):
    def test_owner_and_admin_download_member_is_refused_outsiders_learn_nothing(self):
        c = self.cast
        expected = {c.owner: 200, c.admin: 200, c.member: 403, c.outsider: 404, c.former: 404}
        for extension in ("csv", "json"):
            for user, status in expected.items():
                self.client.force_login(user)
                response = self.client.get(self.url(extension))
                assert response.status_code == status, (user, extension)
        self.client.logout()
        response = self.client.get(self.url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_the_link_shows_to_the_owner_and_admins_only(self):
        c = self.cast
        for user, shown in ((c.owner, True), (c.admin, True), (c.member, False)):
            self.client.force_login(user)
            page = self.client.get(reverse("groups:detail", args=[c.group.pk])).content.decode()
            assert (self.url() in page) is shown
            assert (self.url("json") in page) is shown

    def test_a_post_is_refused(self):
        self.client.force_login(self.cast.owner)
        assert self.client.post(self.url()).status_code == 405


class ContentTests(GroupExportCase):
    def test_every_current_members_forecasts_each_with_its_author(self):
        got = self.rows(self.cast.admin)
        assert [(r["forecast_id"], r["author"], r["owner"]) for r in got] == [
            (str(self.mia.pk), "Mia", "Mia"),  # the owner's first
            (str(self.olga.pk), "Olga", "Mia"),
        ]

    def test_each_members_scores_are_their_own(self):
        known = T + dt.timedelta(days=1)
        Prediction.objects.filter(pk=self.q.pk).update(
            status=Prediction.Status.RESOLVED, outcome=False, known_at=known, resolved_at=known
        )
        got = {r["author"]: r for r in self.rows(self.cast.owner)}
        # NO happened: Brier is p², each member's final forecast on its own.
        assert float(got["Mia"]["prediction_brier"]) == 0.64
        assert float(got["Olga"]["prediction_brier"]) == 0.09
        # Time-averaged over each one's own span (one forecast each): the same.
        assert float(got["Olga"]["prediction_brier_time_avg"]) == 0.09

    def test_the_json_names_authors_and_holds_the_group_questions_only(self):
        c = self.cast
        elsewhere = PredictionFactory(owner=c.outsider, question="Elsewhere's question")
        elsewhere.shared_with.add(c.other)
        self.forecast(elsewhere, c.outsider, "0.5", 0)
        unshared = PredictionFactory(owner=c.owner, question="Olga's private one")
        self.forecast(unshared, c.owner, "0.5", 0)
        self.client.force_login(c.owner)
        response = self.client.get(self.url("json"))
        data = json.loads(b"".join(response.streaming_content))
        assert [(p["question"], p["owner"]) for p in data["predictions"]] == [
            ("Shared one", "Mia"),
            ("Shared one", "Mia"),
        ]
        authors = [f["author"] for p in data["predictions"] for f in p["forecasts"]]
        assert authors == ["Mia", "Olga"]
        assert response["Content-Disposition"].startswith(
            'attachment; filename="falsifiable-group-'
        )

    def test_a_name_with_a_formula_is_text(self):
        profile = self.cast.owner.profile
        profile.display_name = "=1+1 <b>"
        profile.save()
        got = {r["forecast_id"]: r["author"] for r in self.rows(self.cast.admin)}
        assert got[str(self.olga.pk)] == "'=1+1 <b>"


class HiddenTests(GroupExportCase):
    def test_hidden_until_a_date_then_present(self):
        today = profile_for(self.cast.admin).today()
        Prediction.objects.filter(pk=self.q.pk).update(hidden_until=today + dt.timedelta(days=1))
        got = self.rows(self.cast.admin)
        assert [r["forecast_id"] for r in got] == [""]  # the question, no one's forecasts
        Prediction.objects.filter(pk=self.q.pk).update(hidden_until=today)
        assert len(self.rows(self.cast.admin)) == 2

    def test_hidden_until_the_exporter_forecasts(self):
        Prediction.objects.filter(pk=self.q.pk).update(hide_until_forecast=True)
        assert [r["forecast_id"] for r in self.rows(self.cast.admin)] == [""]
        # The owner has forecast on it: they see everyone's.
        assert len(self.rows(self.cast.owner)) == 2
        adam = self.forecast(self.q, self.cast.admin, "0.6", 3)
        got = self.rows(self.cast.admin)
        assert sorted(r["forecast_id"] for r in got) == sorted(
            str(f.pk) for f in (self.mia, self.olga, adam)
        )

    def test_while_hidden_the_exporter_still_gets_their_own(self):
        today = profile_for(self.cast.owner).today()
        Prediction.objects.filter(pk=self.q.pk).update(hidden_until=today + dt.timedelta(days=1))
        assert [r["forecast_id"] for r in self.rows(self.cast.owner)] == [str(self.olga.pk)]


class MultipleChoiceTests(GroupExportCase):
    def test_each_forecasters_options_and_scores(self):
        c = self.cast
        q = PredictionFactory(
            owner=c.owner, kind=Prediction.Kind.MULTIPLE_CHOICE, hide_until_forecast=False
        )
        q.shared_with.add(c.group)
        a, b, d = (
            Option.objects.create(prediction=q, label=x, position=i) for i, x in enumerate("ABC")
        )
        for author, probabilities, hours in (
            (c.owner, "0.6 0.3 0.1", 0),
            (c.admin, "0.2 0.2 0.6", 1),
        ):
            f = Forecast.objects.create(
                prediction=q, author=author, created_at=T + dt.timedelta(hours=hours)
            )
            for option, p in zip((a, b, d), probabilities.split(), strict=True):
                OptionProbability.objects.create(forecast=f, option=option, probability=Decimal(p))
        known = T + dt.timedelta(days=1)
        Prediction.objects.filter(pk=q.pk).update(
            status=Prediction.Status.RESOLVED, outcome_option=b, known_at=known, resolved_at=known
        )
        got = [r for r in self.rows(c.owner) if r["prediction_id"] == str(q.pk)]
        assert [(r["author"], r["option"], r["probability"]) for r in got] == [
            ("Olga", "A", "0.6"),
            ("Olga", "B", "0.3"),
            ("Olga", "C", "0.1"),
            ("Adam", "A", "0.2"),
            ("Adam", "B", "0.2"),
            ("Adam", "C", "0.6"),
        ]
        # B won: ½ Σ (p − y)² over the options, each forecaster on their own.
        olga = (0.6**2 + 0.7**2 + 0.1**2) / 2
        adam = (0.2**2 + 0.8**2 + 0.6**2) / 2
        assert abs(float(got[0]["prediction_brier"]) - olga) < 1e-9
        assert abs(float(got[3]["prediction_brier"]) - adam) < 1e-9


class QueryCountTests(GroupExportCase):
    def count(self) -> int:
        with CaptureQueriesContext(connection) as ctx:
            self.rows(self.cast.owner)
        return len(ctx.captured_queries)

    def test_the_same_queries_however_many_members_and_questions(self):
        self.count()  # the first request also logs in
        before = self.count()
        for i in range(3):
            user = ProfileFactory(display_name=f"Extra {i}").user
            Membership.objects.create(group=self.cast.group, user=user)
            q = PredictionFactory(owner=user, hide_until_forecast=False)
            q.shared_with.add(self.cast.group)
            self.forecast(q, user, "0.4", i)
            self.forecast(self.q, user, "0.5", 3 + i)
        assert self.count() == before
        assert len(self.rows(self.cast.owner)) == 2 + 3 + 3
