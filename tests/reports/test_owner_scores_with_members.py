"""A member's forecasts on a shared question never change the owner's numbers: the
dashboard's selector, the activity calendar and the prediction's score block each read
one forecaster's forecasts (issue #14)."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from predictions.models import Forecast, Prediction
from reports.selectors.activity import forecasts_per_day
from reports.selectors.one_score import prediction_score
from reports.selectors.scored import scored_predictions
from tests.predictions.shared_setup import SharedQuestionCase


class OwnerScoresTests(SharedQuestionCase):
    def resolve(self):
        # Known just now: after both forecasts (made two hours ago), so neither is late.
        known = timezone.now()
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status=Prediction.Status.RESOLVED, outcome=True, known_at=known, resolved_at=known
        )
        self.prediction.refresh_from_db()

    def member_forecasts(self, probability="0.050"):
        Forecast.objects.create(
            prediction=self.prediction,
            author=self.member,
            probability=Decimal(probability),
            created_at=self.owner_forecast.created_at + dt.timedelta(minutes=1),
        )

    def test_the_dashboard_selector_scores_the_owners_forecasts_only(self):
        self.resolve()
        before = scored_predictions(user=self.owner, every_kind=True).predictions
        self.member_forecasts()
        after = scored_predictions(user=self.owner, every_kind=True).predictions
        assert after.equals(before)
        # (1 − 0.637)² : the owner's only forecast, not the member's 5%.
        assert after["brier_final"].iloc[0] == (1 - 0.637) ** 2

    def test_each_forecaster_gets_their_own_score_block(self):
        self.member_forecasts("0.050")
        self.resolve()
        assert float(prediction_score(self.prediction).brier) == (1 - 0.637) ** 2
        mine = prediction_score(self.prediction, self.member.pk)
        assert float(mine.brier) == (1 - 0.05) ** 2
        page = self.as_user(self.member).get(
            reverse("predictions:detail", args=[self.prediction.pk])
        )
        assert page.status_code == 200
        assert "Brier <strong>0.9025</strong>" in page.content.decode()  # 0.95², the member's
        page = self.as_user(self.owner).get(
            reverse("predictions:detail", args=[self.prediction.pk])
        )
        assert "Brier <strong>0.1318</strong>" in page.content.decode()  # 0.363², the owner's

    def test_the_activity_calendar_counts_the_viewers_own_forecasts(self):
        self.member_forecasts()
        start = self.owner_forecast.created_at.date() - dt.timedelta(days=1)
        assert sum(forecasts_per_day(user=self.owner, start=start).values()) == 1
        assert sum(forecasts_per_day(user=self.member, start=start).values()) == 1
