"""Where the dashboard's numbers lead: the prediction list narrowed to what they rest on,
and the period switch's links."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.urls import reverse

from reports.dashboard.filters import PERIODS, Filters


def list_url(filters: Filters, **extra) -> str:
    """The prediction list of the resolved predictions within the filters' resolution
    dates (and their tag, when exactly one is chosen), with `extra` parameters."""
    params: dict = {"status": "resolved"}
    if filters.resolved_from:
        params["resolved_from"] = filters.resolved_from.isoformat()
    if filters.resolved_to:
        params["resolved_to"] = filters.resolved_to.isoformat()
    if len(filters.tag) == 1:
        params["tag"] = filters.tag[0]
    params.update(extra)
    return f"{reverse('predictions:list')}?{urlencode(params)}"


def bucket_url(filters: Filters, centre_pct: float) -> str:
    """The list of the predictions counted in the bucket centred on `centre_pct`."""
    return list_url(filters, p=f"{centre_pct:.0f}")


def exact_links(filters: Filters) -> bool:
    """Whether the list can show exactly what the dashboard counts: it filters by one
    tag at most and by neither kind nor creation dates."""
    return len(filters.tag) <= 1 and not (
        filters.kind or filters.created_from or filters.created_to
    )


@dataclass(frozen=True)
class PeriodLink:
    label: str
    url: str
    current: bool


def period_links(filters: Filters) -> list[PeriodLink]:
    """The period switch: 3 months, 12 months and all time, each keeping the other
    filters (a custom period is set with the resolved dates in the filter form)."""
    base = filters.all_time()
    url = reverse("reports:dashboard")
    links = []
    for key, label in ((k, label) for k, (label, _) in PERIODS.items()):
        query = replace(base, period=key).query()
        links.append(PeriodLink(label, f"{url}?{query}", filters.period == key))
    query = base.query()
    links.append(PeriodLink("All time", f"{url}?{query}" if query else url, filters == base))
    return links
