"""The prediction list's filters (status, forecast bucket, resolution dates), shared by
the list page and the exports of it."""

from dataclasses import dataclass
from datetime import date

from django import forms

from predictions.buckets import BucketRange, is_range_search, parse_range
from predictions.forms import BoundedDateField
from predictions.models import PredictionQuerySet, Profile

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


@dataclass(frozen=True)
class ListRange:
    """What narrows the list beyond status, tag and words: a range of calibration
    buckets (`?p=20-80`, or "20%-80%" typed as the search) and resolution dates
    (`resolved_from`, `resolved_to`), as the dashboard's bucket links carry them."""

    buckets: BucketRange | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    search: str = ""  # the search text left once a typed bucket range is taken out

    @property
    def active(self) -> bool:
        return bool(self.buckets or self.resolved_from or self.resolved_to)


def _day(value: str) -> date | None:
    """A date the dashboard's filters would accept too (bounded: the owner's day
    boundaries of year 1 or 9999 do not exist), else None."""
    try:
        return BoundedDateField().clean(value) if value else None
    except forms.ValidationError:
        return None


def list_range(params, search: str) -> ListRange:
    """The bucket range and resolution dates of the list's query string `params`; a
    search that is itself a range ("90%", "20%-80%") counts as one and searches no words."""
    buckets = parse_range(params.get("p", ""))
    if is_range_search(search):
        buckets, search = parse_range(search), ""
    return ListRange(
        buckets=buckets,
        resolved_from=_day(params.get("resolved_from", "")),
        resolved_to=_day(params.get("resolved_to", "")),
        search=search,
    )


def filter_by_range(
    predictions: PredictionQuerySet, selected: ListRange, profile: Profile
) -> PredictionQuerySet:
    """`predictions` narrowed to the buckets and resolution dates of `selected`."""
    if selected.buckets is not None:
        predictions = predictions.in_buckets(selected.buckets)
    return predictions.resolved_between(profile, selected.resolved_from, selected.resolved_to)
