"""comments.timeline: the order of the thread, names, and each kind's wording."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.urls import reverse

from comments.models import Comment
from comments.timeline import author_name, thread_entries
from predictions import services
from predictions.models import Prediction
from tests.comments.helpers import HTMX, people
from tests.predictions.factories import (
    ForecastFactory,
    ResolutionEventFactory,
    UserFactory,
)

AT = dt.datetime(2026, 3, 14, 9, 0, tzinfo=dt.UTC)


class TimelineTests(TestCase):
    def setUp(self):
        people(self)

    def test_one_instant_orders_forecast_then_resolution_then_comment(self):
        Comment.objects.create(
            prediction=self.prediction, author=self.member, body="c", created_at=AT
        )
        ResolutionEventFactory(prediction=self.prediction, created_at=AT)
        ForecastFactory(prediction=self.prediction, created_at=AT)
        ForecastFactory(prediction=self.prediction, created_at=AT - dt.timedelta(seconds=1))
        kinds = [e.kind for e in thread_entries(self.prediction, self.owner, public=False)]
        assert kinds == ["forecast", "forecast", "resolution", "comment"]

    def test_names_inside_the_app_and_on_a_shared_link(self):
        nameless = UserFactory(username="quiet")  # no profile row at all
        assert author_name(nameless, public=False) == "quiet"
        assert author_name(nameless, public=True) == "A Falsifiable user"
        assert author_name(self.member, public=False) == "Mina Member"
        assert author_name(self.member, public=True) == "Mina Member"

    def test_the_shared_link_counts_the_viewer_as_anonymous(self):
        ForecastFactory(prediction=self.prediction, author=self.member)
        ForecastFactory(prediction=self.prediction, author=self.owner)
        as_member = thread_entries(self.prediction, self.member, public=False)
        assert len(as_member) == 2  # has forecast, so sees the owner's too
        assert thread_entries(self.prediction, self.member, public=True) == thread_entries(
            self.prediction, AnonymousUser(), public=True
        )
        assert thread_entries(self.prediction, AnonymousUser(), public=True) == []

    def test_hidden_until_a_date_hides_others_forecasts_from_the_thread(self):
        self.prediction.hide_until_forecast = False
        self.prediction.hidden_until = dt.date.today() + dt.timedelta(days=2)
        self.prediction.save()
        ForecastFactory(prediction=self.prediction, author=self.owner)
        mine = ForecastFactory(prediction=self.prediction, author=self.member)
        entries = thread_entries(self.prediction, self.member, public=False)
        assert [e.item for e in entries] == [mine]


class KindWordingTests(TestCase):
    """Each kind's forecast reads as in the history table, without a query per row."""

    def setUp(self):
        self.owner = UserFactory()
        self.client.force_login(self.owner)

    def thread(self, prediction) -> str:
        url = reverse("comments:thread", args=[prediction.pk])
        return self.client.get(url, headers=HTMX).content.decode()

    def test_multiple_choice_and_release_dates(self):
        choice = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Which wins?",
            resolve_by=AT.date() + dt.timedelta(days=60),
            options=["Red", "Green"],
            option_probabilities=[Decimal("0.6"), Decimal("0.4")],
        )
        assert "Red 60% · Green 40%" in self.thread(choice)
        release = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.DATE,
            question="When?",
            resolve_by=AT.date() + dt.timedelta(days=90),
            quantiles={
                Decimal("0.1"): dt.date(2026, 4, 1),
                Decimal("0.5"): dt.date(2026, 5, 1),
                Decimal("0.9"): dt.date(2026, 6, 1),
            },
        )
        assert "10%: 1 Apr 2026 · 50%: 1 May 2026 · 90%: 1 Jun 2026" in self.thread(release)
