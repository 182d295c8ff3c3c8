"""People and predictions for the notification tests."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ProfileFactory,
    UserFactory,
)

BASE_URL = "https://falsifiable.example"


def person(name: str, *, verified: bool = True):
    user = UserFactory(username=name, email=f"{name}@example.org")
    ProfileFactory(user=user, verified_email=user.email if verified else "")
    return user


def due_prediction(owner, days_ago: int = 3, **kw):
    return PredictionFactory(
        owner=owner, resolve_by=timezone.now().date() - dt.timedelta(days=days_ago), **kw
    )


def forecast_on(prediction, at, probability: str = "0.4"):
    return ForecastFactory(prediction=prediction, probability=Decimal(probability), created_at=at)


def open_prediction(owner, forecast_at, *, resolve_in_days: int = 60, **kw):
    """An open yes/no prediction, not yet due, whose only forecast was made `forecast_at`."""
    prediction = PredictionFactory(
        owner=owner,
        resolve_by=forecast_at.date() + dt.timedelta(days=resolve_in_days),
        created_at=forecast_at,
        **kw,
    )
    forecast_on(prediction, forecast_at)
    return prediction


# What the navigation's unread count (notifications.inbox.unread_count) costs a full
# page when there is nothing to show: when the user last looked, and one query for each
# source (forecasts on followed questions, resolutions, shares, comments). Query budgets of pages
# add it; tests/notifications/test_unread_badge.py checks it.
UNREAD_QUERIES = 5
