"""Many predictions at once (imports): the single-row services' rules, batched writes.

Why not call `prediction_create` / `forecast_create` per row: each call runs
`full_clean()` with constraint validation, a query per check; measured at about 90
forecasts a second, so a 200,000-row file would take over half an hour. Here every
value goes through the same rule functions (`predictions.rules`) and the same
`new_prediction` / `new_options` builders as the single-row services, and the model
fields' own validation field by field (`field_errors`), minus the checks that need a
query: foreign keys are the caller's by construction, import keys are checked by the
caller against the owner's keys loaded once, and "known_at iff closed" holds by
construction. `predictions.services.bulk_write` then writes the checked rows in batches
(docs/decisions/0003-bulk-import-path.md).

Nothing here raises for bad input: the `check_*` functions return (field, message)
pairs, so an import can list every problem of a file at its row and column.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db.models import CharField, TextField

from predictions import rules
from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
)
from predictions.services.bulk_rows import ModelRows, Row
from predictions.services.create import new_options, prediction_values

Errors = list[tuple[str | None, str]]
Status = Prediction.Status


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
# and the same few choices (kind, visibility) many times, so each (field, Decimal) and
# (field with choices, text) is checked once. Plain text (no choices, validated only by
# its length: MaxLengthValidator, and the NUL check done here first) passes or fails by
# its length alone, so it is checked once per (field, length).
_memo: dict[tuple, list[str]] = {}
_fields: dict[tuple, tuple] = {}
_BY_LENGTH = (MaxLengthValidator, ProhibitNullCharactersValidator)


def _clean(f, value) -> list[str]:
    try:
        f.clean(value, None)
    except ValidationError as exc:
        return exc.messages
    return []


def _field(model, name: str) -> tuple:
    """(field, whether a date/datetime value needs no check: no validators, no choices,
    whether a text value's length is all its checks depend on)."""
    key = (model, name)
    if key not in _fields:
        f = model._meta.get_field(name)
        by_length = (
            isinstance(f, (CharField, TextField))
            and not f.choices
            and all(type(v) in _BY_LENGTH for v in f.validators)
        )
        _fields[key] = (f, not f.validators and not f.choices, by_length)
    return _fields[key]


def field_errors(model, values: dict[str, Any]) -> Errors:
    """(field, message) for each value its model field rejects: `Model.clean_fields()`
    for just these fields, without building an instance (blank values are skipped where
    the field allows blank, as there). Text with NUL is refused as the forms refuse it:
    model fields accept it, PostgreSQL cannot store it."""
    errors: Errors = []
    for name, value in values.items():
        f, plain, by_length = _fields.get((model, name)) or _field(model, name)
        if value is None or value == "":
            if f.blank:
                continue
        elif plain and isinstance(value, date):
            continue  # a date(time) field's to_python accepts it; nothing else checks it
        if type(value) is str:
            if "\x00" in value:
                errors.append((name, rules.MSG_NUL))
                continue
            if by_length and value:
                key: tuple = (model, name, len(value))
            elif f.choices and len(value) <= 64:
                key = (model, name, value)
            else:
                key = ()
        elif type(value) is Decimal:
            key = (model, name, value)
        else:
            key = ()
        if key:
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


def check_dates(values: Mapping[str, date | datetime | None]) -> Errors:
    """(field, message) for each date or time outside the bounds every entry path
    shares (`rules.date_in_range`): times the forms never ask for because the services
    set them to now (an event's, an edit's, an evidence link's), but a file carries."""
    errors: Errors = []
    for name, value in values.items():
        try:
            rules.date_in_range(value, name)
        except ValidationError as exc:
            errors += messages(exc)
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


@dataclass(slots=True)
class BulkPrediction:
    """A validated prediction (new: a `Row`; or `existing`, a saved instance only
    gaining forecasts and its first resolution) with its dependents, not yet saved.
    `evidence` and `record` are the caller's: handed back to its `link_evidence` and
    kept for its own reporting."""

    prediction: Prediction | Row
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

PREDICTION_ROWS = ModelRows(Prediction)


def check_prediction(*, owner, **values) -> tuple[Row, Errors]:
    """A new prediction's row, with the values `prediction_create` would store and every
    other column as the model fills it, and its problems."""
    given = prediction_values(**values)
    prediction = PREDICTION_ROWS.new({"owner_id": owner.pk, **given})
    errors = field_errors(Prediction, given)
    try:
        rules.prediction_dates(resolve_by=given["resolve_by"], created_at=given["created_at"])
    except ValidationError as exc:
        errors = messages(exc) + errors
    return prediction, errors


def check_options(labels: Sequence[str]) -> tuple[list[Option], Errors]:
    """The options `prediction_create` would store for these labels (not yet tied to
    their prediction), and their problems."""
    options, errors = _rule(new_options, None, labels)
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
    errors = field_errors(PredictionEdit, texts) + check_dates({"created_at": created_at})
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
        dates = check_dates({"created_at": step.created_at})
        if extra := field_errors(ResolutionEvent, values) + dates:
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
