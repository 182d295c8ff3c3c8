"""What any entry path may store: the validation and normalisation rules of predictions.

Pure functions, no database access: forms, the single-row services, the bulk service
(imports) and the admin all call these, so a rule and its message exist once. Each rule
raises `django.core.exceptions.ValidationError` keyed by the model field it guards
(`field=` renames it for a form whose field is called otherwise), so a form shows the
message next to its field and an import at the row and column.
"""

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from predictions.models import TAG_NAME_MAX_LENGTH, Prediction, ResolutionEvent
from predictions.probability import format_percent

Kind = Prediction.Kind
Status = Prediction.Status
Action = ResolutionEvent.Action
_BINARY = Kind.BINARY.value

MIN_OPTIONS = 2
MAX_OPTIONS = 20
# A multiple-choice forecast must total 100% within 0.1 percentage points.
TOTAL_TOLERANCE = Decimal("0.001")
REQUIRED_LEVELS = (Decimal("0.100"), Decimal("0.500"), Decimal("0.900"))
ALLOWED_LEVELS = frozenset(
    Decimal(level) for level in ("0.050", "0.100", "0.250", "0.500", "0.750", "0.900", "0.950")
)
# Dates a forecaster can mean. Python parses year 1 and year 9999, but scores and charts
# work in pandas' nanosecond range (1677-2262) and add margins to it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

MSG_DATE_RANGE = "Enter a date between 1900 and 2199."
MSG_TAG_TOO_LONG = f"Each tag can be at most {TAG_NAME_MAX_LENGTH} characters."
MSG_OPTION_COUNT = (
    f"A multiple-choice prediction needs between {MIN_OPTIONS} and {MAX_OPTIONS} options."
)
MSG_OPTION_DUPLICATE = "Each option needs a different label."
MSG_OPTION_EMPTY = "Every option needs a label."
MSG_OPTIONS_TOTAL = "The probabilities add up to {total}, not 100%."
MSG_OPTIONS_MISMATCH = "Give one probability for each option."
MSG_QUANTILES_REQUIRED = "Give the dates by which you are 10%, 50% and 90% sure it has happened."
MSG_QUANTILES_ORDER = "Each date must be later than the one before (10% < 50% < 90%)."
MSG_QUANTILE_LEVELS = "Only the 5, 10, 25, 50, 75, 90 and 95% dates can be given."
MSG_WRONG_OUTCOME = "That outcome does not fit this kind of prediction."
MSG_OUTCOME_REQUIRED = "Choose YES, NO or ANNULLED."
MSG_FUTURE_DATE = "That date is in the future; resolve once it has happened."
MSG_KNOWN_AT_FUTURE = "The outcome cannot have become known in the future."
MSG_KNOWN_AT_BEFORE_CREATION = (
    "The outcome cannot have become known before the prediction was made."
)
MSG_ALREADY_OPEN = "This prediction is open; there is no resolution to undo."
MSG_UNKNOWN_ACTION = "expected resolve, annul or undo"
MSG_NUL = str(ProhibitNullCharactersValidator.message)


def one_line(text: str) -> str:
    """Collapses runs of whitespace: questions, labels and tag names are one line."""
    return " ".join(str(text).split())


# --- dates ---


def date_in_range(value: date | datetime | None, field: str) -> None:
    """Every stored date and datetime lies between EARLIEST_DATE and LATEST_DATE."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError({field: MSG_DATE_RANGE}, code="date_range")


def prediction_dates(*, resolve_by: date, created_at: datetime) -> None:
    """A prediction's deadline and creation time, both in range (every error at once)."""
    if (
        EARLIEST_DATE <= resolve_by <= LATEST_DATE
        and EARLIEST_DATE <= created_at.date() <= LATEST_DATE
    ):
        return  # the common case without building errors: imports run this per row
    errors = {}
    for name, value in (("resolve_by", resolve_by), ("created_at", created_at)):
        try:
            date_in_range(value, name)
        except ValidationError as exc:
            errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)


def known_at_problem(known_at: datetime, *, created_at: datetime, now: datetime) -> str | None:
    """Why `known_at` cannot be when an outcome became known, or None: never in the
    future, never before the prediction was made (counted from its minute, which is
    what the form shows)."""
    if known_at > now:
        return MSG_KNOWN_AT_FUTURE
    if known_at < created_at.replace(second=0, microsecond=0):
        return MSG_KNOWN_AT_BEFORE_CREATION
    return None


def actual_date(day: date, *, today: date, field: str = "outcome_date") -> None:
    """A release date resolves once it has happened, never ahead of time."""
    date_in_range(day, field)
    if day > today:
        raise ValidationError({field: MSG_FUTURE_DATE}, code="future")


# --- tags and options ---


def tag_names(names: Iterable[str], *, field: str = "tags") -> list[str]:
    """The distinct tag names (first spelling wins, case-insensitive), one line each."""
    wanted: dict[str, str] = {}
    for raw in names:
        name = one_line(raw)
        if not name:
            continue
        if len(name) > TAG_NAME_MAX_LENGTH:
            raise ValidationError({field: MSG_TAG_TOO_LONG}, code="max_length")
        if "\x00" in name:
            raise ValidationError({field: MSG_NUL}, code="null_characters_not_allowed")
        wanted.setdefault(name.lower(), name)
    return list(wanted.values())


def option_labels(labels: Sequence[str], *, field: str = "options") -> list[str]:
    """2–20 labels, none empty, no two alike (ignoring case), one line each."""
    labels = [one_line(label) for label in labels]
    if any(not label for label in labels):
        raise ValidationError({field: MSG_OPTION_EMPTY}, code="required")
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise ValidationError({field: MSG_OPTION_COUNT}, code="count")
    if len({label.lower() for label in labels}) != len(labels):
        raise ValidationError({field: MSG_OPTION_DUPLICATE}, code="duplicate")
    return labels


def total_ok(total: Decimal) -> bool:
    return abs(total - 1) <= TOTAL_TOLERANCE


def option_total(probabilities: Iterable[Decimal], *, field: str = "option_probabilities"):
    """The option probabilities total 100% within TOTAL_TOLERANCE."""
    total = sum(probabilities, Decimal(0))
    if not total_ok(total):
        message = MSG_OPTIONS_TOTAL.format(total=format_percent(total))
        raise ValidationError({field: message}, code="total")


def option_probabilities_fit(
    probabilities: Sequence[Decimal] | None, count: int, *, field: str = "option_probabilities"
) -> None:
    """One probability per option, totalling 100%."""
    if probabilities is None or len(probabilities) != count:
        raise ValidationError({field: MSG_OPTIONS_MISMATCH}, code="mismatch")
    option_total(probabilities, field=field)


# --- quantiles ---


def quantile_order(days: Sequence[date], *, field: str = "quantiles") -> None:
    """Dates get strictly later as the certainty grows."""
    if any(later <= earlier for earlier, later in itertools.pairwise(days)):
        raise ValidationError({field: MSG_QUANTILES_ORDER}, code="order")


def quantile_pairs(given: Mapping[Decimal, date] | None, *, field: str = "quantiles"):
    """The (level, date) pairs of a release-date forecast, by level: at least the
    10/50/90% dates, only allowed levels, strictly increasing, each date in range."""
    step = Decimal("0.001")
    levels = {Decimal(level).quantize(step): day for level, day in (given or {}).items()}
    if any(level not in levels for level in REQUIRED_LEVELS):
        raise ValidationError({field: MSG_QUANTILES_REQUIRED}, code="required")
    if not set(levels) <= ALLOWED_LEVELS:
        raise ValidationError({field: MSG_QUANTILE_LEVELS}, code="levels")
    pairs = sorted(levels.items())
    for _, day in pairs:
        date_in_range(day, field)
    quantile_order([day for _, day in pairs], field=field)
    return pairs


def forecast_payload(
    kind: str,
    *,
    probability: Decimal | None,
    option_probabilities: Sequence[Decimal] | None,
    quantiles: Mapping[Decimal, date] | None,
    option_count: int,
) -> list[tuple[Decimal, date]]:
    """The payload fits the kind: a probability (yes/no), one probability per option
    (multiple choice) or the quantile dates (release date). Returns the quantile pairs."""
    # The common case first: imports run this once per forecast row.
    if kind == _BINARY and probability is not None and option_probabilities is quantiles is None:
        return []
    if (probability is not None) != (kind == Kind.BINARY):
        raise ValidationError({"probability": MSG_WRONG_OUTCOME}, code="kind")
    if kind == Kind.MULTIPLE_CHOICE:
        option_probabilities_fit(option_probabilities, option_count)
    elif option_probabilities is not None:
        raise ValidationError({"option_probabilities": MSG_WRONG_OUTCOME}, code="kind")
    if kind == Kind.DATE:
        return quantile_pairs(quantiles)
    if quantiles is not None:
        raise ValidationError({"quantiles": MSG_WRONG_OUTCOME}, code="kind")
    return []


# --- resolution ---


@dataclass(slots=True)  # not frozen: built once per step of every imported history
class Outcome:
    """What a resolve step settles: YES/NO, the winning label or the actual date."""

    outcome: bool | None = None
    winner: str | None = None
    outcome_date: date | None = None


def outcome(kind: str, value, *, labels: Sequence[str], today: date) -> Outcome:
    """The outcome of resolving a prediction of `kind`: "yes"/"no", one of `labels`
    (any case) or a date that has happened."""
    if kind == Kind.BINARY and value in ("yes", "no"):
        return Outcome(outcome=value == "yes")
    if kind == Kind.MULTIPLE_CHOICE and isinstance(value, str):
        by_label = {label.lower(): label for label in labels}
        if value.lower() in by_label:
            return Outcome(winner=by_label[value.lower()])
    if kind == Kind.DATE and isinstance(value, date) and not isinstance(value, datetime):
        actual_date(value, today=today, field="outcome")
        return Outcome(outcome_date=value)
    message = MSG_OUTCOME_REQUIRED if kind == Kind.BINARY else MSG_WRONG_OUTCOME
    raise ValidationError({"outcome": message}, code="outcome")


@dataclass(slots=True)
class Step:
    """One recorded step of a resolution history, as a file or the services give it."""

    action: str
    created_at: datetime
    outcome: object = None
    known_at: datetime | None = None


@dataclass(slots=True)
class State:
    """The resolution a history leaves: the status and, when closed, the last step's
    outcome and known-at."""

    status: str
    result: Outcome = field(default_factory=Outcome)
    known_at: datetime | None = None
    resolved_at: datetime | None = None
    step: int | None = None  # index of the step that closed it


def resolution_step(
    state: State, index: int, step: Step, *, kind: str, labels: Sequence[str], today: date
) -> State:
    """The state after `step`: resolve and annul close the prediction (known-at
    defaults to the step's time), undo reopens it and needs it closed."""
    if step.action == Action.UNDO:
        if state.status == Status.OPEN:
            raise ValidationError({"resolution": MSG_ALREADY_OPEN}, code="open")
        return State(status=Status.OPEN)
    if step.action == Action.ANNUL:
        result, status = Outcome(), Status.ANNULLED
    elif step.action == Action.RESOLVE:
        result = outcome(kind, step.outcome, labels=labels, today=today)
        status = Status.RESOLVED
    else:
        raise ValidationError({"resolution": MSG_UNKNOWN_ACTION}, code="action")
    known_at = step.known_at or step.created_at
    date_in_range(known_at, "known_at")
    return State(
        status=status, result=result, known_at=known_at, resolved_at=step.created_at, step=index
    )


def replay(
    steps: Sequence[Step],
    *,
    kind: str,
    labels: Sequence[str],
    today: date,
    status: str = Status.OPEN,
) -> tuple[State, list[State | None], list[tuple[int, ValidationError]]]:
    """Replays a resolution history in order, as `prediction_resolve` and
    `prediction_reopen` would apply it one call at a time. Returns the final state, the
    state after each step (None where the step was refused: it changes nothing) and the
    (step index, error) of every refused step."""
    state = State(status=status)
    after: list[State | None] = []
    errors = []
    for index, step in enumerate(steps):
        try:
            state = resolution_step(state, index, step, kind=kind, labels=labels, today=today)
        except ValidationError as exc:
            errors.append((index, exc))
            after.append(None)
        else:
            after.append(state)
    return state, after, errors


def without_field(exc: ValidationError) -> ValidationError:
    """The same errors (messages and codes) not tied to a field: for a form whose rule
    spans several of its fields, so the message shows above them."""
    if hasattr(exc, "error_dict"):
        return ValidationError([error for errors in exc.error_dict.values() for error in errors])
    return exc
