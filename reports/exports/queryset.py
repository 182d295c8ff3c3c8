"""Which predictions an export holds: the requester's own and the questions of others
they have forecast on (decision 0028), filtered as on the prediction list and the
dashboard."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.http import QueryDict

from predictions.list_filters import (
    STATUS_FILTERS,
    filter_by_range,
    filter_by_status,
    list_range,
)
from predictions.services import profile_for
from reports.dashboard.filters import DashboardFilterForm
from reports.selectors.filters import filtered_predictions


def export_queryset(*, user, params: Mapping) -> QuerySet:
    """The user's predictions matching the filters in `params`, in export order (the
    order they were entered).

    Accepts the prediction list's filters (`status` open/due/resolved/annulled, `tag`,
    `q`, `p`, the bucket range) and the dashboard's (`tag` repeated, `created_from`,
    `created_to`, `resolved_from`, `resolved_to`, `kind`, `period`); invalid values
    are ignored as on those pages. Another user's question is included only while it
    is shared with the user and holds a forecast of theirs (which is all the export
    then shows of it: `reports.exports.scope.personal_scope`).
    """
    if not isinstance(params, QueryDict):  # a plain mapping, e.g. from the command
        query = QueryDict(mutable=True)
        for name, value in params.items():
            query.setlist(
                name, [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        params = query
    profile = profile_for(user)
    filters = DashboardFilterForm(params, user=user, today=profile.today()).filters()
    kwargs = filters.selector_kwargs()
    # Your questions and others' you forecast on (PredictionQuerySet.forecast_on_by).
    qs = filtered_predictions(user=user, **kwargs)
    status = params.get("status", "")
    if status in STATUS_FILTERS:
        qs = filter_by_status(qs, status, profile.today())
    selected = list_range(params, str(params.get("q", ""))[:200])
    qs = filter_by_range(qs, selected, profile).search(selected.search)
    return qs.order_by("pk")
