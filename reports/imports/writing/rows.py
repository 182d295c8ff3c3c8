"""A file's predictions, options, forecasts and edits, checked by the bulk service (the
single-row services' rules) and reported at the record's row and column."""

from predictions.models import Option, Prediction
from predictions.services import bulk
from reports.imports.common import PredictionIn
from reports.imports.writing.evidence import check_evidence
from reports.imports.writing.keys import Existing
from reports.imports.writing.resolution import MSG_UNKNOWN_EVIDENCE, check_events

Kind = Prediction.Kind
Status = Prediction.Status
# Where a forecast's problems show: the file has one probability column for every kind.
FORECAST_COLUMNS = {"option_probabilities": "probability"}


def check_new(writer, rec: PredictionIn) -> bulk.BulkPrediction | None:
    before = writer.problems.count
    prediction, errors = bulk.check_prediction(
        owner=writer.owner,
        question=rec.question,
        kind=rec.kind,
        resolve_by=rec.resolve_by,
        resolution_criteria=rec.resolution_criteria,
        notes=rec.notes,
        visibility=rec.visibility,
        created_at=rec.created_at,
        import_key=rec.key,
    )
    writer.errors(rec, errors)
    options: list[Option] = []
    if rec.kind == Kind.MULTIPLE_CHOICE:
        options, errors = bulk.check_options(rec.options)
        writer.errors(rec, [(n if n == "options" else f"option.{n}", m) for n, m in errors])
    elif rec.options:
        writer.error(rec, "options", bulk.rules.MSG_WRONG_OUTCOME)
    labels = [o.label for o in options]
    item = bulk.BulkPrediction(
        prediction=prediction,
        options=options,
        evidence=check_evidence(writer, rec),
        forecasts=check_forecasts(writer, rec, rec.kind, labels, known=set()),
        edits=check_edits(writer, rec),
        tag_names=rec.tags,
        record=rec,
    )
    check_events(writer, rec, item, labels)
    return None if writer.problems.count != before else item


def check_existing(writer, rec: PredictionIn, found: Existing):
    """An earlier import of this prediction (or, `found.same_prediction`, the very
    prediction the file was exported from): only forecasts it lacks are added, and its
    resolution if it has never been resolved or reopened. Forecasts match by import
    key, and in the prediction's own export also by their original id."""
    before = writer.problems.count
    prediction = found.prediction
    if prediction.kind != rec.kind:
        writer.error(rec, "kind", f"expected {prediction.kind}, as when first imported")
        return None
    labels = [o.label for o in found.options]
    known: set = set(found.forecast_keys)
    if found.same_prediction:
        known |= found.forecast_ids
    item = bulk.BulkPrediction(
        prediction=prediction,
        options=found.options,
        forecasts=check_forecasts(writer, rec, rec.kind, labels, known=known),
        existing=True,
        record=rec,
    )
    skipped = len(rec.forecasts) - len(item.forecasts)
    if not found.resolved_before and prediction.status == Status.OPEN:
        check_events(writer, rec, item, labels, with_evidence=False)
    if writer.problems.count != before:
        return None
    writer.summary.predictions_existing += 1
    writer.summary.forecasts_existing += skipped
    return item


def check_forecasts(writer, rec: PredictionIn, kind: str, labels: list[str], known: set):
    result = []
    seen: set[str] = set()
    for fin in rec.forecasts:
        if fin.key in known or (fin.original_id is not None and fin.original_id in known):
            continue
        if fin.key in seen:
            writer.error(rec, "forecast", "the same forecast appears twice", fin.row)
            continue
        seen.add(fin.key)
        # The checks of `forecast_create`, without its queries (inline: once per row).
        forecast, errors = bulk.check_forecast(
            kind,
            option_count=len(labels),
            created_at=fin.created_at,
            probability=fin.probability,
            option_probabilities=fin.option_probabilities,
            quantiles=fin.quantiles,
            phrase=fin.phrase,
            rationale=fin.rationale,
            import_key=fin.key,
            evidence_ref=fin.evidence_ref,
        )
        if errors:
            pairs = [(FORECAST_COLUMNS.get(n or "", n), m) for n, m in errors]
            writer.errors(rec, pairs, fin.row)
        if fin.evidence_ref is not None and not any(
            e.ref == fin.evidence_ref for e in rec.evidence
        ):
            writer.error(rec, "evidence", MSG_UNKNOWN_EVIDENCE, fin.row)
        elif forecast is not None:
            result.append(forecast)
    return result


def check_edits(writer, rec: PredictionIn) -> list:
    edits = []
    for edit in rec.edits:
        row, errors = bulk.check_edit(
            field=edit.field,
            old_value=edit.old_value,
            new_value=edit.new_value,
            created_at=edit.created_at,
        )
        writer.errors(rec, errors, edit.row, prefix="edits.")
        edits.append(row)
    return edits
