"""An owner, a member of the owner's group, a former member and an outsider, with one
yes/no prediction of the owner's shared with the group (tests of issue #14)."""

import datetime as dt
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from groups.models import Group, Membership
from predictions.models import Prediction
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ProfileFactory,
    UserFactory,
)

HTMX = {"HX-Request": "true"}


class SharedQuestionCase(TestCase):
    def setUp(self):
        self.owner, self.member, self.former, self.outsider = (
            ProfileFactory(user=UserFactory(), display_name=name).user
            for name in ("Olive Owner", "Mira Member", "Fred Former", "Otto Outsider")
        )
        self.group = Group.objects.create(name="Forecasting club")
        for user in (self.owner, self.member, self.former):
            Membership.objects.create(group=self.group, user=user)
        self.prediction = self.shared(PredictionFactory(owner=self.owner))
        # 63.7%: a number that appears nowhere else on the page.
        self.owner_forecast = ForecastFactory(
            prediction=self.prediction,
            probability=Decimal("0.637"),
            created_at=timezone.now() - dt.timedelta(hours=2),
        )
        Membership.objects.filter(user=self.former).delete()

    def shared(self, prediction: Prediction, **fields) -> Prediction:
        prediction.shared_with.add(self.group)
        for name, value in fields.items():
            setattr(prediction, name, value)
        prediction.save()
        return prediction

    def as_user(self, user):
        self.client.force_login(user)
        return self.client
