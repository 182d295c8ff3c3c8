"""Creating a prediction, its options and its first forecast."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions import rules
from predictions.models import Option, Prediction, Tag
from predictions.services.forecast import forecast_create
from predictions.services.profiles import check_own_tags, data_changed


@transaction.atomic
def prediction_create(
    *,
    owner,
    question: str,
    resolve_by: date,
    probability: Decimal | None = None,
    phrase: str = "",
    resolution_criteria: str = "",
    tags: Iterable[Tag] = (),
    notes: str = "",
    visibility: str = Prediction.Visibility.PRIVATE,
    kind: str = Prediction.Kind.BINARY,
    created_at: datetime | None = None,
    import_key: str = "",
    options: Sequence[str] = (),
    option_probabilities: Sequence[Decimal] | None = None,
    quantiles: Mapping[Decimal, date] | None = None,
) -> Prediction:
    """Creates a prediction and its first forecast when one is given.

    Yes/no claims take `probability`; multiple-choice ones take `options` (2–20 labels)
    and `option_probabilities` in the same order; release dates take `quantiles`
    ({Decimal("0.1"): date, ...}).
    """
    prediction = new_prediction(
        owner=owner,
        question=question,
        kind=kind,
        resolve_by=resolve_by,
        resolution_criteria=resolution_criteria,
        notes=notes,
        visibility=visibility,
        created_at=created_at or timezone.now(),
        import_key=import_key,
    )
    rules.prediction_dates(resolve_by=prediction.resolve_by, created_at=prediction.created_at)
    # Constraint checks cost a query each and the database enforces them anyway; imports
    # (whose import_key must be unique) keep them for a friendly message.
    prediction.full_clean(validate_constraints=bool(import_key))
    prediction.save()
    tags = list(tags)
    check_own_tags(tags, owner.pk)
    prediction.tags.set(tags)
    data_changed(owner.pk)
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        Option.objects.bulk_create(new_options(prediction, options))
    elif options:
        raise ValidationError({"options": rules.MSG_WRONG_OUTCOME})
    if probability is not None or option_probabilities is not None or quantiles is not None:
        forecast_create(
            prediction=prediction,
            author=owner,
            probability=probability,
            option_probabilities=option_probabilities,
            quantiles=quantiles,
            phrase=phrase,
            created_at=prediction.created_at,
        )
    return prediction


def new_prediction(*, owner, **values) -> Prediction:
    """An unsaved prediction, normalised as every entry path stores it."""
    return Prediction(owner=owner, **prediction_values(**values))


def prediction_values(
    *,
    question: str,
    kind: str,
    resolve_by: date,
    resolution_criteria: str,
    notes: str,
    visibility: str,
    created_at: datetime,
    import_key: str,
) -> dict:
    """A prediction's given fields normalised as every entry path stores them: the
    single-row service builds its instance from them (`new_prediction`), the bulk
    service its rows; both check them with `rules.prediction_dates`."""
    return {
        "question": rules.one_line(question),
        "kind": kind,
        "resolve_by": resolve_by,
        "resolution_criteria": resolution_criteria.strip(),
        "notes": notes.strip(),
        "visibility": visibility,
        "created_at": created_at,
        "import_key": import_key,
    }


def new_options(prediction: Prediction | None, labels: Sequence[str]) -> list[Option]:
    """The unsaved, validated options of a multiple-choice prediction, in order (the
    bulk service gives None and sets `prediction_id` once the prediction is written)."""
    options = [
        Option(prediction=prediction, label=label, position=position)
        for position, label in enumerate(rules.option_labels(labels))
    ]
    for option in options:
        option.full_clean(exclude=["prediction"], validate_unique=False, validate_constraints=False)
    return options
