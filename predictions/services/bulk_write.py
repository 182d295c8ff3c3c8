"""Writes many checked predictions at once (imports): batched inserts, one raw hot path.

The rows come from `predictions.services.bulk`, whose checks apply the single-row
services' rules; docs/decisions/0003-bulk-import-path.md says why the inserts are batched
and where raw SQL remains.
"""

from collections.abc import Callable, Sequence

from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
    Tag,
)
from predictions.services.bulk import PREDICTION_ROWS, BulkPrediction
from predictions.services.bulk_rows import ModelRows, Row, insert_rows
from predictions.services.profiles import data_changed
from predictions.services.resolve import evidence_mark_resolving

TagLinks = Prediction.tags.through
Action = ResolutionEvent.Action
FORECAST_ROWS = ModelRows(Forecast)
EVENT_ROWS = ModelRows(ResolutionEvent)


def _insert_predictions(owner, rows: list[Row]) -> None:
    """Inserts the new predictions' rows, then reads their ids back by import key
    (unique per owner; every bulk-written prediction has one): one query per batch."""
    if not rows:
        return
    since = (
        Prediction.objects.filter(owner=owner).order_by("-pk").values_list("pk", flat=True).first()
    ) or 0
    PREDICTION_ROWS.insert(rows)
    ids = dict(Prediction.objects.filter(owner=owner, pk__gt=since).values_list("import_key", "pk"))
    for row in rows:
        row.pk = ids[row["import_key"]]


def write(
    *,
    owner,
    items: Sequence[BulkPrediction],
    tags: dict[str, Tag],
    link_evidence: Callable[[BulkPrediction], dict] | None = None,
) -> None:
    """Writes checked items (call inside a transaction). `tags` maps lower-case names
    to the owner's tags (from `tags_for_names`); `link_evidence(item)` saves a new
    prediction's evidence once the prediction has an id and returns {ref: link}, so
    this app needs no import of the sources app."""
    data_changed(owner.pk)
    new = [b for b in items if not b.existing]
    _insert_predictions(owner, [b.prediction for b in new])  # type: ignore[misc]
    insert_rows(
        TagLinks,
        ["prediction", "tag"],
        [
            (b.prediction.pk, tags[name.lower()].pk)
            for b in new
            for name in dict.fromkeys(b.tag_names)
            if name.lower() in tags
        ],
    )
    for b in new:
        for option in b.options:
            option.prediction_id = b.prediction.pk
        if b.evidence:  # the sources services take the saved instance
            b.prediction = PREDICTION_ROWS.instance(b.prediction)  # type: ignore[arg-type]
    Option.objects.bulk_create([o for b in new for o in b.options])
    links = {id(b): link_evidence(b) for b in new if b.evidence and link_evidence is not None}

    plain, rich = [], []
    for b in items:
        b_links = links.get(id(b), {})
        for f in b.forecasts:
            link = b_links.get(f.evidence_ref) if f.evidence_ref is not None else None
            values = {
                "prediction_id": b.prediction.pk,
                "author_id": owner.pk,  # an import's forecasts are the importing user's
                "created_at": f.created_at,
                "probability": f.probability,
                "phrase": f.phrase,
                "rationale": f.rationale,
                "evidence_id": link.pk if link else None,
                "import_key": f.import_key,
            }
            if not f.option_rows and not f.quantile_rows:
                plain.append(FORECAST_ROWS.new(values))
            else:  # the option or quantile rows need its id: bulk_create returns it
                rich.append((Forecast(**values), f, b))
    FORECAST_ROWS.insert(plain)
    Forecast.objects.bulk_create([forecast for forecast, _, _ in rich])
    option_rows: list[OptionProbability] = []
    quantile_rows: list[DateQuantile] = []
    for forecast, f, b in rich:
        for option, option_row in zip(b.options, f.option_rows, strict=True):
            option_row.forecast, option_row.option = forecast, option
            option_rows.append(option_row)
        for quantile_row in f.quantile_rows:
            quantile_row.forecast = forecast
            quantile_rows.append(quantile_row)
    OptionProbability.objects.bulk_create(option_rows)
    DateQuantile.objects.bulk_create(quantile_rows)

    events, edits, changed = [], [], []
    for b in items:
        options = {o.label: o for o in b.options}
        b_links = links.get(id(b), {})
        for e in b.events:
            winner = options[e.winner] if e.winner else None
            link = b_links.get(e.evidence_ref) if e.evidence_ref is not None else None
            if link is not None and e.action != Action.UNDO:
                evidence_mark_resolving(link)  # as prediction_resolve does for each call
            events.append(
                EVENT_ROWS.new(
                    {
                        "prediction_id": b.prediction.pk,
                        "action": e.action,
                        "outcome": e.outcome,
                        "outcome_option_id": winner.pk if winner else None,
                        "outcome_date": e.outcome_date,
                        "known_at": e.known_at,
                        "note": e.note,
                        "evidence_id": link.pk if link else None,
                        "created_at": e.created_at,
                    }
                )
            )
        for edit in b.edits:
            edit.prediction_id = b.prediction.pk
            edits.append(edit)
        # New predictions were saved in their final state; what is left are the links
        # to rows created after them (the winning option, the resolving evidence) and
        # earlier imports given their resolution now.
        p = b.prediction
        winner = options.get(b.winner_label) if b.winner_label else None
        evidence = b_links.get(b.resolution_evidence_ref)
        if (b.existing and b.events) or winner is not None or evidence is not None:
            p.outcome_option, p.resolution_evidence = winner, evidence
            changed.append(p)
    EVENT_ROWS.insert(events)
    PredictionEdit.objects.bulk_create(edits)
    for p in changed:  # few: bulk_update's CASE per row costs more than this
        Prediction.objects.filter(pk=p.pk).update(
            status=p.status,
            outcome=p.outcome,
            outcome_option=p.outcome_option,
            outcome_date=p.outcome_date,
            known_at=p.known_at,
            resolved_at=p.resolved_at,
            resolution_note=p.resolution_note,
            resolution_evidence=p.resolution_evidence,
        )
