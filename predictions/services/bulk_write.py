"""Writes many checked predictions at once (imports): batched inserts, one raw hot path.

The rows come from `predictions.services.bulk`, whose checks apply the single-row
services' rules; docs/decisions/0003-bulk-import-path.md says why the inserts are batched
and where raw SQL remains.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections

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
from predictions.services.bulk import BulkPrediction
from predictions.services.profiles import data_changed
from predictions.services.resolve import evidence_mark_resolving

TagLinks = Prediction.tags.through
Action = ResolutionEvent.Action
INSERT_CHUNK = 5000


def insert_rows(model, names: list[str], rows: list[tuple]) -> None:
    """INSERT many rows of `model` with one prepared statement (executemany); each value
    is prepared by its field's get_db_prep_save, exactly what bulk_create would send.

    The one raw SQL of the write path, and only for the wide, numerous rows (predictions,
    yes/no forecasts, tag links, resolution events): measured by
    tests/perf/bench_export_import.py (SQLite, 200,000 rows), `bulk_create` of the bare
    forecasts alone takes 17-19 s, the whole import through here (parsing and every check
    included) 12-14 s, 0.7 of it (docs/decisions/0003-bulk-import-path.md). Every value
    has passed the rules and field checks of `predictions.services.bulk` first."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-access proxy
    fields = [model._meta.get_field(name) for name in names]
    quote = db.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    values = "({})".format(", ".join(["%s"] * len(fields)))
    prepare = [
        (i, f, f.get_internal_type())
        for i, f in enumerate(fields)
        if f.get_internal_type() in ("DateTimeField", "DateField", "DecimalField", "UUIDField")
    ]
    if prepare:
        decimals: dict = {}  # a probability is prepared once per distinct value
        prepared = []
        for given in rows:
            row = list(given)
            for i, f, kind in prepare:
                value = row[i]
                if isinstance(value, Decimal):
                    key = (i, value)
                    if key not in decimals:
                        decimals[key] = f.get_db_prep_save(value, db)
                    row[i] = decimals[key]
                elif kind == "DateTimeField" and isinstance(value, datetime) and value.tzinfo:
                    # get_db_prep_save would return an aware datetime unchanged from its
                    # get_prep_value, then adapt it: go to the adapting step directly.
                    row[i] = db.ops.adapt_datetimefield_value(value)
                else:
                    row[i] = f.get_db_prep_save(value, db)
            prepared.append(tuple(row))
        rows = prepared
    with db.cursor() as cursor:
        # One prepared statement run per row: SQLite's fastest way; psycopg pipelines it.
        for start in range(0, len(rows), INSERT_CHUNK):
            cursor.executemany(head + values, rows[start : start + INSERT_CHUNK])


def _insert_predictions(owner, predictions: list[Prediction]) -> None:
    """Inserts the predictions, then reads their ids back by import key (unique per
    owner; every bulk-written prediction has one), which costs a fraction of
    bulk_create's per-field work on these wide rows."""
    if not predictions:
        return
    since = (
        Prediction.objects.filter(owner=owner).order_by("-pk").values_list("pk", flat=True).first()
    ) or 0
    fields = [f for f in Prediction._meta.concrete_fields if not f.primary_key]
    insert_rows(
        Prediction,
        [f.name for f in fields],
        [tuple(getattr(p, f.attname) for f in fields) for p in predictions],
    )
    ids = dict(Prediction.objects.filter(owner=owner, pk__gt=since).values_list("import_key", "pk"))
    for p in predictions:
        p.pk = ids[p.import_key]
        p._state.adding = False


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
    _insert_predictions(owner, [b.prediction for b in new])
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
    Option.objects.bulk_create([o for b in new for o in b.options])
    links = {id(b): link_evidence(b) for b in new if b.evidence and link_evidence is not None}

    plain, rich = [], []
    for b in items:
        b_links = links.get(id(b), {})
        for f in b.forecasts:
            link = b_links.get(f.evidence_ref) if f.evidence_ref is not None else None
            if not f.option_rows and not f.quantile_rows:
                plain.append(
                    (
                        b.prediction.pk,
                        owner.pk,
                        f.created_at,
                        f.probability,
                        f.phrase,
                        f.rationale,
                        link.pk if link else None,
                        f.import_key,
                    )
                )
                continue
            forecast = Forecast(
                prediction=b.prediction,
                author=owner,
                created_at=f.created_at,
                probability=f.probability,
                phrase=f.phrase,
                rationale=f.rationale,
                evidence=link,
                import_key=f.import_key,
            )
            rich.append((forecast, f, b))
    insert_rows(
        Forecast,
        [
            "prediction",
            "author",
            "created_at",
            "probability",
            "phrase",
            "rationale",
            "evidence",
            "import_key",
        ],
        plain,
    )
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
                (
                    b.prediction.pk,
                    e.action,
                    e.outcome,
                    winner.pk if winner else None,
                    e.outcome_date,
                    e.known_at,
                    e.note,
                    link.pk if link else None,
                    e.created_at,
                )
            )
        for edit in b.edits:
            edit.prediction = b.prediction
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
    insert_rows(
        ResolutionEvent,
        [
            "prediction",
            "action",
            "outcome",
            "outcome_option",
            "outcome_date",
            "known_at",
            "note",
            "evidence",
            "created_at",
        ],
        events,
    )
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
