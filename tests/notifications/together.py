"""A group of three forecasting on one shared question, and an outsider, for the
notification feed, badge and digest tests."""

import datetime as dt
from decimal import Decimal

from groups.models import Group, Membership
from predictions.models import Forecast, Prediction
from tests.notifications.helpers import person

START = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


class Together:
    """alice owns `question` (forecast on by her at START), shared with `group` (alice,
    bob, carol) at START + 1 h; dave is in no group."""

    def __init__(self):
        self.alice, self.bob, self.carol, self.dave = (
            person(name) for name in ("alice", "bob", "carol", "dave")
        )
        self.bob.profile.display_name = "Bob B."
        self.bob.profile.save()
        self.group = Group.objects.create(name="Forecasters")
        for user in (self.alice, self.bob, self.carol):
            Membership.objects.create(group=self.group, user=user)
        self.question = Prediction.objects.create(
            owner=self.alice,
            question="Will the bridge open by May?",
            resolve_by=dt.date(2027, 5, 31),
            created_at=START,
        )
        forecast(self.question, self.alice, START)
        self.question.shared_with.add(self.group, through_defaults={"shared_at": at(1)})


def forecast(prediction, author, when, probability: str | None = "0.4") -> Forecast:
    return Forecast.objects.create(
        prediction=prediction,
        author=author,
        created_at=when,
        probability=None if probability is None else Decimal(probability),
    )
