"""What pages say after resolving: the outcome once, in words, and a fresh Due badge."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse

from predictions import services
from predictions.models import Prediction
from sources.services import evidence_link_create
from tests.predictions.factories import ProfileFactory, UserFactory

NOW = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
HTMX = {"HX-Request": "true"}


@time_machine.travel(NOW, tick=False)
class OutcomeWordingTests(TestCase):
    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)
        common = {"owner": self.user, "resolve_by": TODAY - dt.timedelta(days=2)}
        self.binary = services.prediction_create(
            **common, question="Rain in Paris", probability=Decimal("0.7")
        )
        self.choice = services.prediction_create(
            **common,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Which city hosts the final?",
            options=["Lyon", "Turin"],
            option_probabilities=[Decimal("0.65"), Decimal("0.35")],
        )

    def resolve(self, prediction, headers=None, **data):
        url = reverse("predictions:resolve", args=[prediction.pk])
        return self.client.post(url, data, headers=headers or {})

    def flash(self, response) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_the_flash_names_the_outcome_not_the_status(self):
        response = self.resolve(self.binary, outcome="no")
        assert self.flash(response) == ["Resolved: NO."]

    def test_the_flash_names_the_winning_option(self):
        winner = self.choice.options.get(label="Turin")
        response = self.resolve(self.choice, winner=winner.pk)
        assert self.flash(response) == ["Resolved: “Turin”."]

    def test_an_annulled_prediction_says_annulled_once(self):
        response = self.resolve(self.binary, outcome="annulled")
        assert self.flash(response) == ["Annulled."]

    def test_list_rows_say_resolved_once(self):
        winner = self.choice.options.get(label="Lyon")
        services.prediction_resolve(prediction=self.choice, outcome=winner)
        services.prediction_resolve(prediction=self.binary, outcome="annulled")
        html = self.client.get(reverse("predictions:list")).content.decode()
        html = html.split('id="prediction-results"')[1]  # the rows, not the filters
        assert "Resolved</span> <span" not in html
        assert html.count(">Annulled<") == 1

    def test_the_due_queue_row_says_what_was_resolved_and_refreshes_the_badge(self):
        response = self.resolve(self.binary, headers=HTMX, outcome="no", **{"from": "due"})
        html = response.content.decode()
        assert "Resolved: <strong" in html
        assert ">NO</strong>. <a" in html
        assert ">Open</a>" not in html
        assert response["HX-Trigger"] == "due-changed"

    def test_the_badge_fragment_counts_what_is_still_due(self):
        url = reverse("predictions:due_badge")
        assert 'aria-label="2 due"' in self.client.get(url).content.decode()
        services.prediction_resolve(prediction=self.binary, outcome="yes")
        html = self.client.get(url).content.decode()
        assert 'aria-label="1 due"' in html
        assert "<html" not in html


@time_machine.travel(NOW, tick=False)
class ForecastEvidenceRefreshTests(TestCase):
    """Evidence added on a prediction page is offered in its forecast form without reload."""

    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)
        self.prediction = services.prediction_create(
            owner=self.user,
            question="Rain in Paris",
            resolve_by=TODAY + dt.timedelta(days=3),
            probability=Decimal("0.7"),
        )

    def test_the_detail_page_listens_for_evidence_changes(self):
        url = reverse("predictions:detail", args=[self.prediction.pk])
        html = self.client.get(url).content.decode()
        assert 'hx-trigger="evidence-changed from:body"' in html
        assert reverse("predictions:forecast_evidence", args=[self.prediction.pk]) in html

    def test_the_fragment_offers_evidence_once_there_is_some(self):
        url = reverse("predictions:forecast_evidence", args=[self.prediction.pk])
        assert 'name="evidence"' not in self.client.get(url).content.decode()
        evidence_link_create(
            prediction=self.prediction,
            owner=self.user,
            stance="supports",
            url="https://example.org/forecast",
            title="A forecast",
        )
        html = self.client.get(url).content.decode()
        assert 'name="evidence"' in html
        assert "A forecast" in html

    def test_another_users_prediction_is_not_found(self):
        self.client.force_login(UserFactory())
        url = reverse("predictions:forecast_evidence", args=[self.prediction.pk])
        assert self.client.get(url).status_code == 404
