"""Hidden forecasts never leak (issue #14): a member who has not forecast sees no other
forecast's value, name or count on the page, its htmx fragments, the chart and the
shared link; after their first forecast they see everything."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from predictions import forecasters
from tests.predictions.factories import ForecastFactory
from tests.predictions.shared_setup import HTMX, SharedQuestionCase

OWNER_VALUE = "63.7%"


class HidingTests(SharedQuestionCase):
    def setUp(self):
        super().setUp()
        self.prediction.visibility = "link"
        self.prediction.save()
        self.detail = reverse("predictions:detail", args=[self.prediction.pk])
        self.chart = reverse("reports:prediction_chart", args=[self.prediction.pk])
        self.shared_page = reverse("predictions:shared", args=[self.prediction.share_token])
        self.shared_chart = reverse(
            "reports:shared_prediction_chart", args=[self.prediction.share_token]
        )

    def leaked(self, text: str) -> list[str]:
        """What of the others shows: the owner's number, the forecasters' table, the
        community forecast (the page's block or the chart's legend), a count."""
        signs = (
            OWNER_VALUE,
            'data-testid="forecasters"',
            'data-testid="community"',
            "Community",
            "forecasters.",
        )
        return [sign for sign in signs if sign in text]

    def member_views(self) -> dict[str, str]:
        client = self.as_user(self.member)
        return {
            "detail": client.get(self.detail).content.decode(),
            "panel (htmx, refused forecast)": client.post(
                reverse("predictions:forecast", args=[self.prediction.pk]),
                {"probability": ""},
                headers=HTMX,
            ).content.decode(),
            "evidence choice": client.get(
                reverse("predictions:forecast_evidence", args=[self.prediction.pk])
            ).content.decode(),
            "evidence section": client.get(
                reverse("sources:prediction_evidence", args=[self.prediction.pk]), headers=HTMX
            ).content.decode(),
            "chart": client.get(self.chart).content.decode(),
        }

    def test_a_member_who_has_not_forecast_sees_nothing_of_the_others(self):
        views = self.member_views()
        for name, text in views.items():
            assert self.leaked(text) == [], name
        assert "Forecast first to see the others' forecasts" in views["detail"]
        assert "No forecast yet." in views["detail"]
        assert "No forecast to chart yet" in views["chart"]

    def test_the_shared_link_hides_them_from_anyone(self):
        self.client.logout()
        for url in (self.shared_page, self.shared_chart):
            assert self.leaked(self.client.get(url).content.decode()) == [], url
        assert "hidden for now" in self.client.get(self.shared_page).content.decode()
        # The owner sees their link as a visitor does.
        owner = self.as_user(self.owner)
        assert OWNER_VALUE not in owner.get(self.shared_page).content.decode()

    def test_after_their_first_forecast_they_see_everything(self):
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        views = self.member_views()
        assert OWNER_VALUE in views["detail"]
        assert 'data-testid="forecasters"' in views["detail"]
        assert "Community" in views["chart"]
        assert "Forecast first" not in views["detail"]

    def test_hidden_until_a_date_hides_even_after_forecasting(self):
        later = timezone.now().date() + dt.timedelta(days=3)
        self.shared(self.prediction, hidden_until=later)
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        views = self.member_views()
        for name, text in views.items():
            assert self.leaked(text) == [], name
        assert f"hidden until {later:%-d %b %Y}" in views["detail"]
        # The owner is hidden from the others' forecasts too.
        owner_page = self.as_user(self.owner).get(self.detail).content.decode()
        assert "Mira Member" not in owner_page
        assert "20%" not in owner_page

    def test_once_the_date_has_passed_and_hiding_is_off_the_link_shows_them(self):
        self.shared(
            self.prediction,
            hidden_until=timezone.now().date() - dt.timedelta(days=1),
            hide_until_forecast=False,
        )
        self.client.logout()
        page = self.client.get(self.shared_page).content.decode()
        assert OWNER_VALUE in page
        assert "Community forecast" in page
        # The link names nobody but the owner, by display name.
        assert "Mira Member" not in page

    def test_the_question_view_of_an_anonymous_reader(self):
        view = forecasters.question_view(self.prediction, AnonymousUser(), timezone.now().date())
        assert view.hidden
        assert view.line == []
        assert view.community is None
