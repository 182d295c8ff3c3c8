"""The dashboard's filters as a QuerySet of the user's predictions, and counts by state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from predictions.models import Prediction, PredictionQuerySet
from predictions.services import profile_for

TagLinks = Prediction.tags.through


@dataclass(frozen=True)
class PredictionCounts:
    """How many of the user's predictions (matching the filters) are in each state;
    `due` are open ones whose resolve-by date is before the owner's local today."""

    resolved: int
    annulled: int
    open: int
    due: int


def _day_start(profile, day: date):
    """The UTC instant at which `day` begins in the owner's time zone."""
    return profile.end_of_day(day - timedelta(days=1))


def filtered_predictions(
    *,
    user,
    tags=None,
    created_from: date | None = None,
    created_to: date | None = None,
    resolved_from: date | None = None,
    resolved_to: date | None = None,
    kind: str | None = None,
) -> PredictionQuerySet:
    """The user's predictions matching the dashboard filters, as an unordered QuerySet.

    `tags` are Tag ids (or Tags); a prediction matches if it has any of them. Dates are
    whole days in the owner's time zone, both ends included. A resolved-date range
    leaves out open predictions, which have no resolution date.
    """
    qs = Prediction.objects.owned_by(user).order_by()
    if tags:
        qs = qs.filter(pk__in=TagLinks.objects.filter(tag__in=list(tags)).values("prediction_id"))
    if kind:
        qs = qs.filter(kind=kind)
    if any(d is not None for d in (created_from, created_to, resolved_from, resolved_to)):
        profile = profile_for(user)
        if created_from is not None:
            qs = qs.filter(created_at__gte=_day_start(profile, created_from))
        if created_to is not None:
            qs = qs.filter(created_at__lt=profile.end_of_day(created_to))
        qs = qs.resolved_between(profile, resolved_from, resolved_to)
    return qs


def prediction_counts(*, user, today: date, **filters) -> PredictionCounts:
    """Counts by state in one query. `today` is the owner's local date (Profile.today());
    `filters` are those of `filtered_predictions` except the resolved-date range, which
    would exclude every open prediction and is ignored here."""
    filters.pop("resolved_from", None)
    filters.pop("resolved_to", None)
    Status = Prediction.Status
    counts = filtered_predictions(user=user, **filters).aggregate(
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        annulled=Count("pk", filter=Q(status=Status.ANNULLED)),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        due=Count("pk", filter=Q(status=Status.OPEN, resolve_by__lt=today)),
    )
    return PredictionCounts(**counts)
