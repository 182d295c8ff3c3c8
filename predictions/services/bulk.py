"""Many predictions at once (imports): the single-row services' rules, batched writes.

Why not call `prediction_create` / `forecast_create` per row: each call runs
`full_clean()` with constraint validation, a query per check; measured at about 90
forecasts a second, so a 200,000-row file would take over half an hour. Here every
value goes through the same rule functions (`predictions.rules`) and the same
`new_prediction` / `new_options` builders as the single-row services, and the model
fields' own validation field by field (`field_errors`), minus the checks that need a
query: foreign keys are the caller's by construction, import keys are checked by the
caller against the owner's keys loaded once, and "known_at iff closed" holds by
construction. Then rows are written in batches (docs/decisions/0003-bulk-import-path.md).

Nothing here raises for bad input: the `check_*` functions return (field, message)
pairs, so an import can list every problem of a file at its row and column.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections

from predictions import rules
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
from predictions.services.create import new_options, new_prediction
from predictions.services.resolve import evidence_mark_resolving

Errors = list[tuple[str | None, str]]
TagLinks = Prediction.tags.through
Action = ResolutionEvent.Action
Status = Prediction.Status
INSERT_CHUNK = 5000


def messages(exc: ValidationError) -> Errors:
    """(field or None, message) for each message of a ValidationError."""
    if hasattr(exc, "error_dict"):
        return [
            (None if name == NON_FIELD_ERRORS else name, message)
            for name, items in exc.message_dict.items()
            for message in items
        ]
    return [(None, message) for message in exc.messages]


# --- field validation without instances ---

# Field.clean is a pure function of the value; a file repeats the same probabilities
# many times, so each (field, Decimal) is checked once.
_memo: dict[tuple, list[str]] = {}
_fields: dict[tuple, tuple] = {}


def _clean(f, value) -> list[str]:
    try:
        f.clean(value, None)
    except ValidationError as exc:
        return exc.messages
    return []


def _field(model, name: str) -> tuple:
    """(field, whether a date/datetime value needs no check: no validators, no choices)."""
    key = (model, name)
    if key not in _fields:
        f = model._meta.get_field(name)
        _fields[key] = (f, not f.validators and not f.choices)
    return _fields[key]


def field_errors(model, values: dict[str, Any]) -> Errors:
    """(field, message) for each value its model field rejects: `Model.clean_fields()`
    for just these fields, without building an instance (blank values are skipped where
    the field allows blank, as there). Text with NUL is refused as the forms refuse it:
    model fields accept it, PostgreSQL cannot store it."""
    errors: Errors = []
    for name, value in values.items():
        f, plain = _field(model, name)
        if value is None or value == "":
            if f.blank:
                continue
        elif plain and isinstance(value, date):
            continue  # a date(time) field's to_python accepts it; nothing else checks it
        if type(value) is str and "\x00" in value:
            errors.append((name, rules.MSG_NUL))
            continue
        if type(value) is Decimal:
            key = (model, name, value)
            found = _memo.get(key)
            if found is None:
                if len(_memo) > 10_000:
                    _memo.clear()
                found = _memo[key] = _clean(f, value)
        else:
            found = _clean(f, value)
        if found:
            errors.extend((name, message) for message in found)
    return errors


def _rule(check: Callable, *args, **kwargs) -> tuple[Any, Errors]:
    try:
        return check(*args, **kwargs), []
    except ValidationError as exc:
        return None, messages(exc)


# --- what a batch holds ---


@dataclass(slots=True)
class BulkForecast:
    """A validated forecast and its option (in option order) or quantile rows."""

    created_at: datetime
    probability: Decimal | None
    phrase: str
    rationale: str
    import_key: str
    option_rows: list[OptionProbability]
    quantile_rows: list[DateQuantile]
    evidence_ref: Any = None


@dataclass(slots=True)
class BulkEvent:
    """A validated step of the resolution history."""

    action: str
    created_at: datetime
    note: str = ""
    outcome: bool | None = None
    winner: str | None = None  # the winning option's label
    outcome_date: date | None = None
    known_at: datetime | None = None
    evidence_ref: Any = None


@dataclass
class BulkPrediction:
    """A validated prediction (new, or `existing` and only gaining forecasts and its
    first resolution) with its dependents, not yet saved. `evidence` and `record` are
    the caller's: handed back to its `link_evidence` and kept for its own reporting."""

    prediction: Prediction
    options: list[Option]
    forecasts: list[BulkForecast] = field(default_factory=list)
    events: list[BulkEvent] = field(default_factory=list)
    edits: list[PredictionEdit] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)
    existing: bool = False
    winner_label: str | None = None
    resolution_evidence_ref: Any = None
    evidence: list = field(default_factory=list)
    record: Any = None


# --- checks: the single-row services' rules, reported rather than raised ---

_PREDICTION_FIELDS = (
    "question",
    "kind",
    "resolve_by",
    "resolution_criteria",
    "notes",
    "visibility",
    "created_at",
    "import_key",
)


def check_prediction(*, owner, **values) -> tuple[Prediction, Errors]:
    """An unsaved prediction built as `prediction_create` builds it, and its problems."""
    prediction = new_prediction(owner=owner, **values)
    errors = _rule(
        rules.prediction_dates, resolve_by=prediction.resolve_by, created_at=prediction.created_at
    )[1]
    values = {name: getattr(prediction, name) for name in _PREDICTION_FIELDS}
    return prediction, errors + field_errors(Prediction, values)


def check_options(prediction: Prediction, labels: Sequence[str]) -> tuple[list[Option], Errors]:
    """The options `prediction_create` would store for these labels, and their problems."""
    options, errors = _rule(new_options, prediction, labels)
    return options or [], errors


def check_tag_names(names: Iterable[str]) -> tuple[list[str], Errors]:
    found, errors = _rule(rules.tag_names, names)
    return found or [], errors


def check_forecast(
    kind: str,
    *,
    option_count: int,
    created_at: datetime,
    probability: Decimal | None = None,
    option_probabilities: Sequence[Decimal] | None = None,
    quantiles=None,
    phrase: str = "",
    rationale: str = "",
    import_key: str = "",
    evidence_ref: Any = None,
) -> tuple[BulkForecast | None, Errors]:
    """A forecast as `forecast_create` would validate it (without its queries)."""
    # Plain try blocks rather than _rule: this runs once per forecast row of a file.
    errors: Errors = []
    pairs = None
    try:
        pairs = rules.forecast_payload(
            kind,
            probability=probability,
            option_probabilities=option_probabilities,
            quantiles=quantiles,
            option_count=option_count,
        )
        rules.date_in_range(created_at, "created_at")
    except ValidationError as exc:
        errors = messages(exc)
    for p in option_probabilities or ():
        errors += field_errors(OptionProbability, {"probability": p})
    rationale = rationale.strip()
    values = {
        "probability": probability,
        "phrase": phrase,
        "rationale": rationale,
        "created_at": created_at,
        "import_key": import_key,
    }
    errors += field_errors(Forecast, values)
    if errors:
        return None, errors
    return BulkForecast(
        created_at=created_at,
        probability=probability,
        phrase=phrase,
        rationale=rationale,
        import_key=import_key,
        option_rows=[OptionProbability(probability=p) for p in option_probabilities]
        if option_probabilities
        else [],
        quantile_rows=[DateQuantile(level=level, value=day) for level, day in pairs]
        if pairs
        else [],
        evidence_ref=evidence_ref,
    ), []


def check_edit(*, field: str, old_value: str, new_value: str, created_at) -> tuple:
    """A recorded edit of the prediction's wording or deadline, and its problems."""
    texts = {"field": field, "old_value": old_value, "new_value": new_value}
    errors = field_errors(PredictionEdit, texts)
    edit = PredictionEdit(**texts, created_at=created_at)
    try:
        edit.full_clean(exclude=["prediction"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors += messages(exc)
    return edit, errors


def check_history(
    item: BulkPrediction,
    steps: Sequence[tuple[rules.Step, str, Any]],
    *,
    labels: Sequence[str],
    today: date,
) -> list[tuple[int, Errors]]:
    """Replays (step, note, evidence ref) in order with `rules.replay`, as
    `prediction_resolve` and `prediction_reopen` would apply them one call at a time,
    keeps every step as an event and sets the final state on the prediction. Returns
    (step index, problems) pairs. A history is backdated, so like a service call with
    `resolved_at` it skips the known-at checks against the present."""
    prediction = item.prediction
    state, after, refused = rules.replay(
        [step for step, _, _ in steps],
        kind=prediction.kind,
        labels=labels,
        today=today,
        status=prediction.status,
    )
    problems = [(index, messages(exc)) for index, exc in refused]
    for index, ((step, note, ref), done) in enumerate(zip(steps, after, strict=True)):
        if done is None or done.status == Status.OPEN:
            done = rules.State(status=Status.OPEN)  # refused, or an undo: no outcome
        result = done.result
        item.events.append(
            BulkEvent(
                action=step.action,
                created_at=step.created_at,
                note=note,
                outcome=result.outcome,
                winner=result.winner,
                outcome_date=result.outcome_date,
                known_at=done.known_at,
                evidence_ref=ref,
            )
        )
        values = {"note": note, "created_at": step.created_at}
        if extra := field_errors(ResolutionEvent, values):
            problems.append((index, extra))
    if not steps:
        return problems
    # An open state carries no outcome; a closed one those of the step that closed it.
    closing = steps[state.step] if state.step is not None else None
    prediction.status = state.status
    prediction.outcome = state.result.outcome
    prediction.outcome_date = state.result.outcome_date
    prediction.known_at = state.known_at
    prediction.resolved_at = state.resolved_at
    prediction.resolution_note = closing[1] if closing else ""
    item.winner_label = state.result.winner
    item.resolution_evidence_ref = closing[2] if closing else None
    return problems


# --- writing ---


def insert_rows(model, names: list[str], rows: list[tuple]) -> None:
    """INSERT many rows of `model` with one prepared statement (executemany); each value
    is prepared by its field's get_db_prep_save, exactly what bulk_create would send.

    The one raw SQL of the write path, and only for the wide, numerous rows (predictions,
    yes/no forecasts, tag links, resolution events): measured by
    tests/perf/bench_export_import.py, `bulk_create` of bare forecasts runs at about
    7,800 rows/s where the whole import through here runs at about 15,800 (SQLite,
    200,000 rows; docs/decisions/0003-bulk-import-path.md). Every value has passed the
    rules and field checks above first."""
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
        if f.get_internal_type() in ("DateTimeField", "DateField", "DecimalField")
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
        ["prediction", "created_at", "probability", "phrase", "rationale", "evidence"]
        + ["import_key"],
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
        ["prediction", "action", "outcome", "outcome_option", "outcome_date", "known_at"]
        + ["note", "evidence", "created_at"],
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
