"""The bulk service (imports) checks every date it would store by the shared rule, even
when no parser refused it first: predictions, forecasts, quantiles, outcomes, known-at,
resolution events, edits and evidence times."""

import datetime as dt
from decimal import Decimal

import pytest

from predictions import rules
from predictions.models import Prediction
from predictions.services import bulk
from tests.predictions.factories import UserFactory

UTC = dt.UTC
OK = dt.datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OUTSIDE = [
    dt.datetime(1, 1, 1, tzinfo=UTC),
    dt.datetime(1899, 12, 31, 23, 59, tzinfo=UTC),
    dt.datetime(2200, 1, 1, tzinfo=UTC),
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
]
RANGE = rules.MSG_DATE_RANGE


def _prediction(owner, kind=Prediction.Kind.BINARY, **dates):
    values = {"resolve_by": OK.date(), "created_at": OK, **dates}
    return bulk.check_prediction(
        owner=owner,
        question="Claim",
        kind=kind,
        import_key="k",
        resolution_criteria="",
        notes="",
        visibility="private",
        **values,
    )


def _history(owner, kind, step):
    prediction, _ = _prediction(owner, kind=kind)
    item = bulk.BulkPrediction(prediction=prediction, options=[])
    return bulk.check_history(item, [(step, "", None)], labels=[], today=OK.date())


@pytest.mark.django_db
@pytest.mark.parametrize("when", OUTSIDE, ids=lambda when: str(when.year))
def test_every_stored_date_is_checked(when):
    owner = UserFactory()
    day = when.date()
    found = {
        "prediction created_at": _prediction(owner, created_at=when)[1],
        "prediction resolve_by": _prediction(owner, resolve_by=day)[1],
        "forecast created_at": bulk.check_forecast(
            "binary", option_count=0, created_at=when, probability=Decimal("0.500")
        )[1],
        "quantile date": bulk.check_forecast(
            "date",
            option_count=0,
            created_at=OK,
            quantiles={  # the first or the last date outside, the others in order
                Decimal("0.1"): day if when < OK else OK.date(),
                Decimal("0.5"): OK.date() + dt.timedelta(days=1),
                Decimal("0.9"): day if when > OK else OK.date() + dt.timedelta(days=2),
            },
        )[1],
        "event created_at": [
            e
            for _, errors in _history(
                owner, "binary", rules.Step(action="annul", created_at=when, known_at=OK)
            )
            for e in errors
        ],
        "known_at": [
            e
            for _, errors in _history(
                owner, "binary", rules.Step(action="annul", created_at=OK, known_at=when)
            )
            for e in errors
        ],
        "outcome date": [
            e
            for _, errors in _history(
                owner,
                "date",
                rules.Step(action="resolve", created_at=OK, outcome=day, known_at=OK),
            )
            for e in errors
        ],
        "edit created_at": bulk.check_edit(
            field="question", old_value="Before", new_value="After", created_at=when
        )[1],
        "evidence created_at": bulk.check_dates({"created_at": when}),
    }
    missing = [name for name, errors in found.items() if RANGE not in [m for _, m in errors]]
    assert not missing, found
