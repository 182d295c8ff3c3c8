"""Explicit, fast builders of scored histories for the report tests.

They write rows directly (not through services) so that tests control every time and
probability; tests of version and resolution changes use the services instead.
"""

import datetime as dt
from decimal import Decimal

import numpy as np

from predictions.models import Forecast, Prediction, Tag

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


def resolved(
    owner,
    forecasts,
    *,
    outcome: bool,
    known_at: dt.datetime,
    created_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    tags=(),
    status: str = Prediction.Status.RESOLVED,
    kind: str = Prediction.Kind.BINARY,
) -> Prediction:
    """A closed prediction with forecasts given as (time, probability) pairs, in the
    order they were made (ids follow that order)."""
    first = forecasts[0][0] if forecasts else known_at
    prediction = Prediction.objects.create(
        owner=owner,
        question=f"Claim made at {first:%Y-%m-%d %H:%M}",
        resolve_by=known_at.date(),
        created_at=created_at or first,
        status=status,
        outcome=None if status == Prediction.Status.ANNULLED else outcome,
        known_at=known_at,
        resolved_at=resolved_at or known_at,
    )
    Forecast.objects.bulk_create(
        Forecast(
            prediction=prediction,
            author_id=prediction.owner_id,
            created_at=t,
            probability=Decimal(str(p)),
        )
        for t, p in forecasts
    )
    if tags:
        prediction.tags.set(tags)
    return prediction


def open_prediction(owner, *, resolve_by: dt.date, probability="0.500", tags=()) -> Prediction:
    prediction = Prediction.objects.create(
        owner=owner, question="Still open", resolve_by=resolve_by, created_at=T0
    )
    Forecast.objects.create(
        prediction=prediction, author_id=prediction.owner_id, created_at=T0, probability=probability
    )
    if tags:
        prediction.tags.set(tags)
    return prediction


def many_resolved(owner, n: int, *, per: int = 3, seed: int = 0, tags=()) -> list[Prediction]:
    """n resolved predictions with `per` forecasts each, spread over a year, in bulk."""
    rng = np.random.default_rng(seed)
    predictions = Prediction.objects.bulk_create(
        Prediction(
            owner=owner,
            question=f"Bulk claim {i}",
            resolve_by=(T0 + dt.timedelta(days=int(i % 300) + 30)).date(),
            created_at=T0 + dt.timedelta(days=int(i % 300)),
            status=Prediction.Status.RESOLVED,
            outcome=bool(rng.random() < 0.4),
            known_at=T0 + dt.timedelta(days=int(i % 300) + 20),
            resolved_at=T0 + dt.timedelta(days=int(i % 300) + 21),
        )
        for i in range(n)
    )
    Forecast.objects.bulk_create(
        Forecast(
            prediction=p,
            author_id=p.owner_id,
            created_at=p.created_at + dt.timedelta(days=5 * j),
            probability=Decimal(int(rng.integers(0, 1001))) / 1000,
        )
        for p in predictions
        for j in range(per)
    )
    if tags:
        links = Prediction.tags.through
        links.objects.bulk_create(
            links(prediction_id=p.pk, tag_id=tag.pk)
            for i, p in enumerate(predictions)
            for k, tag in enumerate(tags)
            if (i + k) % 2 == 0
        )
    return predictions


def tag(owner, name: str) -> Tag:
    return Tag.objects.create(owner=owner, name=name)
