"""Which records of a file are already in the account: by import key, or (our own
formats) by the original id when the file comes from this very account."""

from collections.abc import Sequence

from predictions.models import Forecast, Option, Prediction, ResolutionEvent
from reports.imports.common import PredictionIn


def import_keys(owner) -> dict[str, int]:
    """The owner's import keys and their predictions' ids, loaded once per import."""
    return dict(
        Prediction.objects.filter(owner=owner)
        .exclude(import_key="")
        .values_list("import_key", "pk")
    )


def existing(owner, keys: dict[str, int], records: Sequence[PredictionIn]) -> dict:
    """{import key or original id: prediction} for this batch's records already there.
    Each prediction carries what matching needs: `import_forecast_keys`,
    `import_forecast_ids`, `import_options` and `import_resolved_before`."""
    pks = {keys[r.key] for r in records if r.key in keys}
    originals = {r.original_id: r for r in records if r.original_id is not None}
    found: dict = {}
    if not pks and not originals:
        return found
    rows = Prediction.objects.filter(owner=owner, pk__in=pks | set(originals))
    for prediction in rows:
        if prediction.import_key and prediction.import_key in keys:
            found[prediction.import_key] = prediction
        rec = originals.get(prediction.pk)
        if rec is not None and rec.key not in found and prediction.created_at == rec.created_at:
            found[prediction.pk] = prediction
    if not found:
        return found
    ids = [p.pk for p in found.values()]
    forecast_keys: dict[int, set] = {pk: set() for pk in ids}
    forecast_ids: dict[int, set] = {pk: set() for pk in ids}
    for prediction_id, pk, key in Forecast.objects.filter(prediction_id__in=ids).values_list(
        "prediction_id", "pk", "import_key"
    ):
        forecast_ids[prediction_id].add(pk)
        if key:
            forecast_keys[prediction_id].add(key)
    options: dict[int, list[Option]] = {pk: [] for pk in ids}
    for option in Option.objects.filter(prediction_id__in=ids).order_by("position"):
        options[option.prediction_id].append(option)
    resolved_before = set(
        ResolutionEvent.objects.filter(prediction_id__in=ids).values_list(
            "prediction_id", flat=True
        )
    )
    for prediction in found.values():
        prediction.import_forecast_keys = forecast_keys[prediction.pk]
        prediction.import_forecast_ids = forecast_ids[prediction.pk]
        prediction.import_options = options[prediction.pk]
        prediction.import_resolved_before = prediction.pk in resolved_before
    return found
