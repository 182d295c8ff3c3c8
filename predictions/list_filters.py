"""The prediction list's status filter, shared by the list page and the exports of it."""

from datetime import date

from predictions.models import PredictionQuerySet

# Query-string value -> label. "Open" means not yet due; "due" is open and past its date.
STATUS_FILTERS = {
    "open": "Open",
    "due": "Due",
    "resolved": "Resolved",
    "annulled": "Annulled",
}


def filter_by_status(
    predictions: PredictionQuerySet, status: str, today: date
) -> PredictionQuerySet:
    """`predictions` with the display status `status` on `today` (all for an unknown one)."""
    if status == "due":
        return predictions.due(today)
    if status == "open":
        return predictions.open().filter(resolve_by__gte=today)
    if status in STATUS_FILTERS:
        return predictions.filter(status=status)
    return predictions
