"""Which records of a file are already in the account: by import key, or (our own
formats) by the original id when the file comes from this very account."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from predictions.models import Forecast, Option, Prediction, ResolutionEvent
from reports.imports.common import PredictionIn


@dataclass
class Existing:
    """A prediction already in the account and what matching a record against it needs."""

    prediction: Prediction
    forecast_keys: set[str] = field(default_factory=set)
    forecast_ids: set[int] = field(default_factory=set)
    options: list[Option] = field(default_factory=list)
    resolved_before: bool = False


def import_keys(owner) -> dict[str, int]:
    """The owner's import keys and their predictions' ids, loaded once per import."""
    return dict(
        Prediction.objects.filter(owner=owner)
        .exclude(import_key="")
        .values_list("import_key", "pk")
    )


def existing(owner, keys: dict[str, int], records: Sequence[PredictionIn]) -> dict:
    """{import key or original id: Existing} for this batch's records already there."""
    pks = {keys[r.key] for r in records if r.key in keys}
    originals = {r.original_id: r for r in records if r.original_id is not None}
    found: dict[str | int, Prediction] = {}
    if not pks and not originals:
        return {}
    rows = Prediction.objects.filter(owner=owner, pk__in=pks | set(originals))
    for prediction in rows:
        if prediction.import_key and prediction.import_key in keys:
            found[prediction.import_key] = prediction
        rec = originals.get(prediction.pk)
        if rec is not None and rec.key not in found and prediction.created_at == rec.created_at:
            found[prediction.pk] = prediction
    if not found:
        return {}
    by_pk = {p.pk: Existing(prediction=p) for p in found.values()}
    for prediction_id, pk, key in Forecast.objects.filter(prediction_id__in=by_pk).values_list(
        "prediction_id", "pk", "import_key"
    ):
        by_pk[prediction_id].forecast_ids.add(pk)
        if key:
            by_pk[prediction_id].forecast_keys.add(key)
    for option in Option.objects.filter(prediction_id__in=by_pk).order_by("position"):
        by_pk[option.prediction_id].options.append(option)
    for prediction_id in ResolutionEvent.objects.filter(prediction_id__in=by_pk).values_list(
        "prediction_id", flat=True
    ):
        by_pk[prediction_id].resolved_before = True
    return {key: by_pk[p.pk] for key, p in found.items()}
