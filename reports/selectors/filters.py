"""The dashboard's filters as a QuerySet of the user's questions, and counts by state.

The user's questions are those they own and the shared ones they forecast on
(`PredictionQuerySet.forecast_on_by`, docs/decisions/0027-a-members-own-dashboard.md):
the dashboard scores them with the user's own forecasts. The counts by state are of
their own predictions only, the ones they resolve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from predictions.list_filters import TagLinks, narrow
from predictions.models import Prediction, PredictionQuerySet
from predictions.services import profile_for

DATE_FILTERS = ("created_from", "created_to", "resolved_from", "resolved_to")
__all__ = ["PredictionCounts", "TagLinks", "filtered_predictions", "prediction_counts"]


@dataclass(frozen=True)
class PredictionCounts:
    """How many of the user's own predictions (matching the filters) are in each state;
    `due` are open ones whose resolve-by date is before the owner's local today."""

    resolved: int
    annulled: int
    open: int
    due: int


def filtered_predictions(*, user, **filters) -> PredictionQuerySet:
    """The user's questions (own, and shared ones they forecast on) matching the
    dashboard filters (`Filters.selector_kwargs()`), as an unordered QuerySet:
    `predictions.list_filters.narrow`, which the prediction list applies too."""
    return _narrowed(Prediction.objects.forecast_on_by(user), user, filters)


def _narrowed(predictions: PredictionQuerySet, user, filters: dict) -> PredictionQuerySet:
    if not user.is_authenticated:
        return Prediction.objects.none()
    # The profile (a query, or two on first use) only matters for dates.
    dated = any(filters.get(name) for name in DATE_FILTERS)
    profile = profile_for(user) if dated else None
    return narrow(predictions.order_by(), profile, **filters)


def prediction_counts(*, user, today: date, **filters) -> PredictionCounts:
    """Counts by state of the user's OWN predictions (they resolve only those; a shared
    question is its owner's to resolve), in one query. `today` is the owner's local date
    (Profile.today());
    `filters` are those of `filtered_predictions` except the resolved-date range, which
    would exclude every open prediction and is ignored here."""
    filters.pop("resolved_from", None)
    filters.pop("resolved_to", None)
    Status = Prediction.Status
    counts = _narrowed(Prediction.objects.owned_by(user), user, filters).aggregate(
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        annulled=Count("pk", filter=Q(status=Status.ANNULLED)),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        due=Count("pk", filter=Q(status=Status.OPEN, resolve_by__lt=today)),
    )
    return PredictionCounts(**counts)
