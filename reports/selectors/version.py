"""A fingerprint of everything the reports show about a user, for cache keys."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from predictions.models import Forecast, Prediction, ResolutionEvent
from reports.selectors.filters import TagLinks


def _fingerprint(qs: QuerySet, group: str) -> Subquery:
    """One correlated subquery giving "count/max(id)" of `qs` as text, so each table
    is read once."""
    count, last = (Cast(agg, CharField()) for agg in (Count("pk"), Max("pk")))
    text = Concat(count, Value("/"), last)
    return Subquery(qs.order_by().values(group).annotate(v=text).values("v")[:1])


def data_version(*, user) -> str:
    """A short string that changes whenever anything the reports show about the user
    changes: a forecast added, a prediction created, deleted, resolved, re-resolved,
    annulled or reopened, a tag added to or removed from a prediction. One query, one
    pass over each of the user's forecasts, predictions, resolution events and tag links
    (index-only on SQLite and PostgreSQL).

    Forecasts and resolution events are append-only, so their count and largest id
    change on every write; every resolve, re-resolve, annul and reopen adds a resolution
    event (predictions.services), so the prediction rows themselves need not be read
    beyond their ids; tag links are replaced on edit, which moves their largest id.
    """
    if not user.is_authenticated:
        return "anonymous"
    owner = OuterRef("pk")
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            _fingerprint(Forecast.objects.filter(prediction__owner=owner), "prediction__owner"),
            _fingerprint(Prediction.objects.filter(owner=owner), "owner"),
            _fingerprint(
                ResolutionEvent.objects.filter(prediction__owner=owner), "prediction__owner"
            ),
            _fingerprint(TagLinks.objects.filter(prediction__owner=owner), "prediction__owner"),
        )
        .get()
    )
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]
