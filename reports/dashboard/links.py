"""Where the dashboard's numbers lead: the prediction list narrowed to what they rest on,
and the period switch's links."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.urls import reverse

from reports.dashboard.filters import PERIODS, Filters


def list_url(filters: Filters, **extra) -> str:
    """The prediction list of the resolved predictions within every one of the filters
    (the list parses them with the same form), with `extra` parameters."""
    params = [("status", "resolved"), *filters.pairs(), *extra.items()]
    return f"{reverse('predictions:list')}?{urlencode(params)}"


def bucket_url(filters: Filters, centre_pct: float) -> str:
    """The list of exactly the predictions counted in the bucket centred on `centre_pct`."""
    return list_url(filters, p=f"{centre_pct:.0f}")


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
