"""How many forecasts a user made on each day, for the dashboard's activity calendar."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate

from predictions.models import Forecast
from predictions.services import profile_for


def forecasts_per_day(*, user, start: date) -> dict[date, int]:
    """Forecasts the user made per day (in their time zone) from `start` on: one
    grouped query, a row per active day however many forecasts there are."""
    profile = profile_for(user)
    since = profile.end_of_day(start - timedelta(days=1))
    rows = (
        Forecast.objects.filter(prediction__owner=user, created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=profile.tzinfo))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return dict(rows)
