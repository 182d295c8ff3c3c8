"""Forecasting together on a shared question (issue #14): the share page, members'
forecasts of every kind, the forecasters and community forecast, owner-only actions."""

import datetime as dt
import re
import statistics
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from scipy.stats import gmean

from groups.models import Group, Membership
from predictions import services, sharing
from predictions.models import Forecast, Prediction
from predictions.probability import format_percent
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory
from tests.predictions.shared_setup import HTMX, SharedQuestionCase


def odds_pool(*probabilities: float) -> float:
    odds = gmean([p / (1 - p) for p in probabilities])
    return odds / (1 + odds)


class SharePageTests(SharedQuestionCase):
    def setUp(self):
        super().setUp()
        self.unshared = PredictionFactory(owner=self.owner)
        self.url = reverse("predictions:share", args=[self.unshared.pk])
        self.others_group = Group.objects.create(name="Not yours")
        Membership.objects.create(group=self.others_group, user=self.outsider)

    def post(self, **data):
        return self.as_user(self.owner).post(self.url, {"visibility": "private", **data})

    def test_the_owner_shares_with_their_groups_and_the_hiding_starts_on(self):
        page = self.as_user(self.owner).get(self.url).content.decode()
        assert "Forecasting club" in page
        assert "Not yours" not in page
        assert re.search(r'name="hide_until_forecast"[^>]*checked', page)
        response = self.post(groups=[self.group.pk], hide_until_forecast="on")
        assert response.status_code == 302
        self.unshared.refresh_from_db()
        assert list(self.unshared.shared_with.all()) == [self.group]
        assert self.unshared.hide_until_forecast
        assert self.unshared.hidden_until is None
        assert Prediction.objects.readable_by(self.member).filter(pk=self.unshared.pk).exists()

    def test_hiding_off_and_a_date(self):
        self.post(groups=[self.group.pk], hidden_until="2027-03-01")
        self.unshared.refresh_from_db()
        assert not self.unshared.hide_until_forecast
        assert self.unshared.hidden_until == dt.date(2027, 3, 1)

    def test_another_accounts_group_is_refused_and_nothing_changes(self):
        response = self.post(groups=[self.others_group.pk], visibility="public")
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        self.unshared.refresh_from_db()
        assert self.unshared.visibility == "private"
        assert not self.unshared.shared_with.exists()

    def test_the_service_refuses_a_group_the_owner_is_not_in(self):
        with self.assertRaisesMessage(Exception, services.MSG_NOT_YOUR_GROUP):
            services.prediction_share_with_groups(
                prediction=self.unshared, groups=[self.others_group]
            )
        assert not self.unshared.shared_with.exists()

    def test_a_date_out_of_bounds_is_refused(self):
        for bad in ("1800-01-01", "2300-01-01", "not a date", "2027-02-30"):
            response = self.post(groups=[self.group.pk], hidden_until=bad)
            assert response.status_code == 200, bad
            self.unshared.refresh_from_db()
            assert not self.unshared.shared_with.exists(), bad

    def test_group_names_are_escaped(self):
        self.group.name = "<script>alert(1)</script>"
        self.group.save()
        page = self.as_user(self.owner).get(self.url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_without_groups_the_visibility_still_saves_and_hiding_is_left_alone(self):
        loner = UserFactory()
        prediction = PredictionFactory(owner=loner, hide_until_forecast=True)
        url = reverse("predictions:share", args=[prediction.pk])
        page = self.as_user(loner).get(url).content.decode()
        assert "You belong to no group yet" in page
        assert self.client.post(url, {"visibility": "link"}).status_code == 302
        prediction.refresh_from_db()
        assert prediction.visibility == "link"
        assert prediction.hide_until_forecast

    def test_unsharing_takes_the_members_access_away(self):
        url = reverse("predictions:share", args=[self.prediction.pk])
        self.as_user(self.owner).post(url, {"visibility": "private"})
        assert not Prediction.objects.readable_by(self.member).exists()
        detail = reverse("predictions:detail", args=[self.prediction.pk])
        assert self.as_user(self.member).get(detail).status_code == 404


class MemberForecastTests(SharedQuestionCase):
    def forecast_url(self, prediction=None):
        return reverse("predictions:forecast", args=[(prediction or self.prediction).pk])

    def test_a_member_forecasts_in_their_own_history(self):
        response = self.as_user(self.member).post(self.forecast_url(), {"probability": "1 in 5"})
        assert response.status_code == 302
        forecast = Forecast.objects.get(author=self.member)
        assert forecast.probability == Decimal("0.200")
        assert forecast.phrase == "1 in 5"
        assert list(self.prediction.forecasts.filter(author=self.owner)) == [self.owner_forecast]

    def test_in_place_for_a_member(self):
        response = self.as_user(self.member).post(
            self.forecast_url(), {"probability": "30%"}, headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "forecast-saved"
        html = response.content.decode()
        assert 'id="forecast-panel"' in html
        assert "<html" not in html
        assert "Mira Member" in html
        assert "63.7%" in html

    def test_outsiders_and_former_members_cannot(self):
        for user in (self.outsider, self.former):
            response = self.as_user(user).post(self.forecast_url(), {"probability": "50"})
            assert response.status_code == 404
        assert self.prediction.forecasts.count() == 1
        with self.assertRaisesMessage(Exception, sharing.MSG_CANNOT_FORECAST):
            services.forecast_create(
                prediction=self.prediction, author=self.outsider, probability=Decimal("0.5")
            )

    def test_every_kind_and_the_form_starts_from_the_viewers_own_forecast(self):
        owner_day = dt.date(2027, 5, 1)
        choice = services.prediction_create(
            owner=self.owner,
            kind="multiple_choice",
            question="Which?",
            resolve_by=timezone.now().date() + dt.timedelta(days=30),
            options=["Red", "Blue"],
            option_probabilities=[Decimal("0.61"), Decimal("0.39")],
        )
        release = services.prediction_create(
            owner=self.owner,
            kind="date",
            question="When?",
            resolve_by=timezone.now().date() + dt.timedelta(days=30),
            quantiles={
                Decimal("0.1"): owner_day,
                Decimal("0.5"): owner_day + dt.timedelta(days=30),
                Decimal("0.9"): owner_day + dt.timedelta(days=90),
            },
        )
        for prediction in (choice, release):
            self.shared(prediction, hide_until_forecast=False)
        client = self.as_user(self.member)
        detail = reverse("predictions:detail", args=[choice.pk])
        # Before the member's own forecast the form is empty, not the owner's 61%.
        assert 'value="61%"' not in client.get(detail).content.decode()
        assert (
            client.post(self.forecast_url(choice), {"prob_0": "25", "prob_1": "75"}).status_code
            == 302
        )
        page = client.get(detail).content.decode()
        assert 'value="25%"' in page
        assert 'value="75%"' in page
        days = {"q10": "2028-01-01", "q50": "2028-02-01", "q90": "2028-03-01"}
        assert client.post(self.forecast_url(release), days).status_code == 302
        page = client.get(reverse("predictions:detail", args=[release.pk])).content.decode()
        assert 'value="2028-02-01"' in page
        # The owner's form still starts from the owner's own forecast.
        owner_page = self.as_user(self.owner).get(detail).content.decode()
        assert 'value="61%"' in owner_page
        assert 'value="25%"' not in owner_page
        assert Forecast.objects.filter(author=self.member).count() == 2

    def test_a_members_forecast_does_not_change_the_owners_list_line(self):
        ForecastFactory(
            prediction=self.prediction, author=self.member, probability=Decimal("0.111")
        )
        row = Prediction.objects.with_latest_forecast().get(pk=self.prediction.pk)
        assert row.latest_probability == Decimal("0.637")
        assert row.latest_forecast_id == self.owner_forecast.pk
        mine = Prediction.objects.with_latest_forecast(author=self.member).get(
            pk=self.prediction.pk
        )
        assert mine.latest_probability == Decimal("0.111")
        page = self.as_user(self.owner).get(reverse("predictions:list")).content.decode()
        assert "63.7%" in page
        assert "11.1%" not in page


class OwnerOnlyTests(SharedQuestionCase):
    def test_a_member_gets_404_on_resolve_reopen_extend_edit_share(self):
        client = self.as_user(self.member)
        pk = self.prediction.pk
        assert client.get(reverse("predictions:resolve", args=[pk])).status_code == 404
        assert (
            client.post(reverse("predictions:resolve", args=[pk]), {"outcome": "yes"}).status_code
            == 404
        )
        for name in ("reopen", "extend", "edit", "share"):
            assert client.post(reverse(f"predictions:{name}", args=[pk]), {}).status_code == 404
        self.prediction.refresh_from_db()
        assert self.prediction.status == "open"

    def test_a_member_sees_no_owner_buttons(self):
        page = self.as_user(self.member).get(
            reverse("predictions:detail", args=[self.prediction.pk])
        )
        html = page.content.decode()
        for name in ("edit", "share", "resolve"):
            assert reverse(f"predictions:{name}", args=[self.prediction.pk]) not in html
        assert "shared with you by Olive Owner" in html

    def test_the_late_rule_is_applied_to_each_forecasters_own_history(self):
        """Only the owner resolves; a member's forecast made after the outcome was known
        is late in the member's history, while the owner's earlier one is not."""
        self.prediction.created_at = timezone.now() - dt.timedelta(days=3)
        self.prediction.save()
        ForecastFactory(
            prediction=self.prediction,
            author=self.member,
            probability=Decimal("0.2"),
            created_at=timezone.now() - dt.timedelta(minutes=10),
        )
        services.prediction_resolve(
            prediction=self.prediction,
            outcome="yes",
            known_at=timezone.now() - dt.timedelta(minutes=30),
        )
        detail = reverse("predictions:detail", args=[self.prediction.pk])
        member_page = self.as_user(self.member).get(detail).content.decode()
        owner_page = self.as_user(self.owner).get(detail).content.decode()
        late = "Made after the outcome was known; never scored"
        assert member_page.count(late) == 1
        assert owner_page.count(late) == 0
        assert "Undo resolution" not in member_page
        assert "Undo resolution" in owner_page


class CommunityOnThePageTests(SharedQuestionCase):
    def test_forecasters_and_the_community_after_the_members_forecast(self):
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        html = (
            self.as_user(self.member)
            .get(reverse("predictions:detail", args=[self.prediction.pk]))
            .content.decode()
        )
        pooled = odds_pool(0.637, 0.2)  # 40.1%
        assert f"{pooled * 100:.1f}%" in html
        assert f"median {format_percent(statistics.median([0.637, 0.2]))}" in html
        assert "From the latest forecast of 2 forecasters" in html
        assert "Olive Owner" in html
        assert "Mira Member" in html

    def test_nothing_hidden_when_the_owner_turned_hiding_off(self):
        self.shared(self.prediction, hide_until_forecast=False)
        html = (
            self.as_user(self.member)
            .get(reverse("predictions:detail", args=[self.prediction.pk]))
            .content.decode()
        )
        assert "63.7%" in html
        assert "Forecast first" not in html
