"""Which predictions an export holds: the requester's own, filtered as on the prediction
list and the dashboard."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.http import QueryDict

from predictions.list_filters import STATUS_FILTERS, filter_by_status
from predictions.services import profile_for
from reports.dashboard.filters import DashboardFilterForm
from reports.selectors.filters import filtered_predictions


def export_queryset(*, user, params: Mapping) -> QuerySet:
    """The user's predictions matching the filters in `params`, in export order (the
    order they were entered).

    Accepts the prediction list's filters (`status` open/due/resolved/annulled, `tag`,
    `q`) and the dashboard's (`tag` repeated, `created_from`, `created_to`,
    `resolved_from`, `resolved_to`, `kind`); invalid values are ignored as on those
    pages. Never includes another user's predictions.
    """
    if not isinstance(params, QueryDict):  # a plain mapping, e.g. from the command
        query = QueryDict(mutable=True)
        for name, value in params.items():
            query.setlist(
                name, [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        params = query
    filters = DashboardFilterForm(params, user=user).filters()
    qs = filtered_predictions(user=user, **filters.selector_kwargs())
    status = params.get("status", "")
    if status in STATUS_FILTERS:
        qs = filter_by_status(qs, status, profile_for(user).today())
    qs = qs.search(str(params.get("q", ""))[:200])
    return qs.order_by("pk")
