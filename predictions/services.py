"""Every write to predictions goes through here; views, importers and the demo call these.

Services are keyword-only, atomic, and validate with full_clean() before saving, so a
bad value raises ValidationError (keyed by field) and writes nothing.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    Profile,
    ResolutionEvent,
    Tag,
    new_share_token,
)

MSG_RESOLVED_NO_FORECAST = "This prediction is closed; reopen it before adding a forecast."
MSG_KNOWN_AT_FUTURE = "The outcome cannot have become known in the future."
MSG_KNOWN_AT_BEFORE_CREATION = (
    "The outcome cannot have become known before the prediction was made."
)
MSG_ALREADY_OPEN = "This prediction is open; there is no resolution to undo."
MSG_EVIDENCE_ELSEWHERE = "That evidence belongs to another prediction."
MSG_TAG_TOO_LONG = "Tags can be at most 40 characters."
MSG_OUTCOME_REQUIRED = "Choose YES, NO or ANNULLED."
MSG_OPTION_COUNT = "A multiple-choice prediction needs between 2 and 20 options."
MSG_OPTION_DUPLICATE = "Each option needs a different label."
MSG_OPTION_EMPTY = "Every option needs a label."
MSG_OPTIONS_TOTAL = "The probabilities must add up to 100% (they add up to {total})."
MSG_OPTIONS_MISMATCH = "Give one probability for each option."
MSG_QUANTILES_REQUIRED = "Give the dates by which you are 10%, 50% and 90% sure it has happened."
MSG_QUANTILES_ORDER = "The dates must get later as the certainty grows (10% < 50% < 90%)."
MSG_QUANTILE_LEVELS = "Only the 5, 10, 25, 50, 75, 90 and 95% dates can be given."
MSG_WRONG_OUTCOME = "That outcome does not fit this kind of prediction."
MSG_EXTEND_ONLY_OPEN = "Only open predictions can be given a later date."
MSG_EXTEND_LATER = "The new date must be later than the current one."

# Fields whose change after the first forecast is recorded, so goalposts never move silently.
TRACKED_FIELDS = ("question", "resolution_criteria", "resolve_by")
MAX_OPTIONS = 20
RESOLVES = "resolves"  # sources.EvidenceLink.Stance.RESOLVES, named here to keep imports one-way
# A multiple-choice forecast must total 100% within 0.1 percentage points.
TOTAL_TOLERANCE = Decimal("0.001")
REQUIRED_LEVELS = (Decimal("0.100"), Decimal("0.500"), Decimal("0.900"))
ALLOWED_LEVELS = frozenset(
    Decimal(level) for level in ("0.050", "0.100", "0.250", "0.500", "0.750", "0.900", "0.950")
)


def profile_for(user) -> Profile:
    """The user's profile, created on first use and cached on the user object."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def tags_for_names(*, owner, names: Iterable[str]) -> list[Tag]:
    """The owner's tags with these names, creating missing ones (case-insensitive)."""
    wanted: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > Tag._meta.get_field("name").max_length:
            raise ValidationError({"tags": MSG_TAG_TOO_LONG})
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return []
    existing = {t.name.lower(): t for t in Tag.objects.filter(owner=owner)}
    tags = []
    for key, name in wanted.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag(owner=owner, name=name)
            tag.full_clean(validate_constraints=False)
            tag.save()
        tags.append(tag)
    return tags


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
    prediction = Prediction(
        owner=owner,
        question=" ".join(question.split()),
        kind=kind,
        resolve_by=resolve_by,
        resolution_criteria=resolution_criteria.strip(),
        notes=notes.strip(),
        visibility=visibility,
        created_at=created_at or timezone.now(),
        import_key=import_key,
    )
    # Constraint checks cost a query each and the database enforces them anyway; imports
    # (whose import_key must be unique) keep them for a friendly message.
    prediction.full_clean(validate_constraints=bool(import_key))
    prediction.save()
    tags = list(tags)
    if any(tag.owner_id != owner.pk for tag in tags):
        raise ValidationError({"tags": "Choose your own tags."})
    prediction.tags.set(tags)
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        _options_create(prediction, options)
    elif options:
        raise ValidationError({"options": MSG_WRONG_OUTCOME})
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


def _options_create(prediction: Prediction, labels: Sequence[str]) -> list[Option]:
    labels = [" ".join(str(label).split()) for label in labels]
    if any(not label for label in labels):
        raise ValidationError({"options": MSG_OPTION_EMPTY})
    if not 2 <= len(labels) <= MAX_OPTIONS:
        raise ValidationError({"options": MSG_OPTION_COUNT})
    if len({label.lower() for label in labels}) != len(labels):
        raise ValidationError({"options": MSG_OPTION_DUPLICATE})
    options = [
        Option(prediction=prediction, label=label, position=position)
        for position, label in enumerate(labels)
    ]
    for option in options:
        option.full_clean(exclude=["prediction"], validate_constraints=False)
    return Option.objects.bulk_create(options)


@transaction.atomic
def forecast_create(
    *,
    prediction: Prediction,
    author,
    probability: Decimal | None = None,
    option_probabilities: Sequence[Decimal] | None = None,
    quantiles: Mapping[Decimal, date] | None = None,
    rationale: str = "",
    evidence=None,
    phrase: str = "",
    created_at: datetime | None = None,
    import_key: str = "",
) -> Forecast:
    """Appends a forecast. Closed predictions take no new forecasts (imports may add the
    late forecasts a history had, so they keep their `import_key`).

    The payload depends on the kind: `probability` of YES; `option_probabilities` in
    option order, totalling 100% (±0.1); or `quantiles`, at least the 10/50/90% dates,
    strictly increasing. `created_at` is for imports; forms always forecast "now".
    """
    if author.pk != prediction.owner_id:
        raise ValidationError("Only the owner can forecast on this prediction.")
    # Re-read the status under the transaction's lock so a concurrent resolve wins cleanly.
    status = Prediction.objects.filter(pk=prediction.pk).values_list("status", flat=True).get()
    if status != Prediction.Status.OPEN and not import_key:
        raise ValidationError(MSG_RESOLVED_NO_FORECAST)
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    kind = prediction.kind
    if (probability is not None) != (kind == Prediction.Kind.BINARY):
        raise ValidationError({"probability": MSG_WRONG_OUTCOME})
    option_rows = _option_rows(prediction, option_probabilities)
    quantile_rows = _quantile_rows(prediction, quantiles)
    forecast = Forecast(
        prediction=prediction,
        probability=probability,
        phrase=phrase,
        rationale=rationale.strip(),
        evidence=evidence,
        created_at=created_at or timezone.now(),
        import_key=import_key,
    )
    forecast.full_clean(validate_constraints=bool(import_key))  # see prediction_create
    forecast.save()
    for row in (*option_rows, *quantile_rows):
        row.forecast = forecast
    OptionProbability.objects.bulk_create(option_rows)
    DateQuantile.objects.bulk_create(quantile_rows)
    return forecast


def _option_rows(prediction, probabilities) -> list[OptionProbability]:
    if prediction.kind != Prediction.Kind.MULTIPLE_CHOICE:
        if probabilities is not None:
            raise ValidationError({"option_probabilities": MSG_WRONG_OUTCOME})
        return []
    options = list(prediction.options.order_by("position"))
    if probabilities is None or len(probabilities) != len(options):
        raise ValidationError({"option_probabilities": MSG_OPTIONS_MISMATCH})
    total = sum(probabilities, Decimal(0))
    if abs(total - 1) > TOTAL_TOLERANCE:
        percent = f"{(total * 100).normalize():f}%"
        raise ValidationError({"option_probabilities": MSG_OPTIONS_TOTAL.format(total=percent)})
    rows = [
        OptionProbability(option=option, probability=probability)
        for option, probability in zip(options, probabilities, strict=True)
    ]
    for row in rows:
        row.full_clean(exclude=["forecast"], validate_constraints=False)
    return rows


def _quantile_rows(prediction, quantiles) -> list[DateQuantile]:
    if prediction.kind != Prediction.Kind.DATE:
        if quantiles is not None:
            raise ValidationError({"quantiles": MSG_WRONG_OUTCOME})
        return []
    quantiles = {
        Decimal(level).quantize(Decimal("0.001")): day for level, day in (quantiles or {}).items()
    }
    if any(level not in quantiles for level in REQUIRED_LEVELS):
        raise ValidationError({"quantiles": MSG_QUANTILES_REQUIRED})
    if not set(quantiles) <= ALLOWED_LEVELS:
        raise ValidationError({"quantiles": MSG_QUANTILE_LEVELS})
    days = [quantiles[level] for level in sorted(quantiles)]
    if any(later <= earlier for earlier, later in zip(days, days[1:], strict=False)):
        raise ValidationError({"quantiles": MSG_QUANTILES_ORDER})
    return [DateQuantile(level=level, value=day) for level, day in sorted(quantiles.items())]


def known_at_problem(prediction: Prediction, known_at: datetime) -> str | None:
    """Why `known_at` cannot be when the prediction's outcome became known, or None.
    (Minutes are what the form shows, so creation counts from its minute.)"""
    if known_at > timezone.now():
        return MSG_KNOWN_AT_FUTURE
    if known_at < prediction.created_at.replace(second=0, microsecond=0):
        return MSG_KNOWN_AT_BEFORE_CREATION
    return None


@transaction.atomic
def prediction_resolve(
    *,
    prediction: Prediction,
    outcome: "str | Option | date",
    known_at: datetime | None = None,
    note: str = "",
    evidence=None,
    resolved_at: datetime | None = None,
) -> Prediction:
    """Resolves (or re-resolves) a prediction. `outcome` is "annulled", or by kind:
    "yes"/"no", the winning Option, or the actual date.

    `known_at` is when the outcome became knowable (default now); forecasts after it are
    late and never count. Every call is recorded in the resolution history.
    """
    annulled = outcome == "annulled"
    winner = outcome if isinstance(outcome, Option) else None
    actual = outcome if isinstance(outcome, date) and not isinstance(outcome, datetime) else None
    valid = (
        annulled
        or {
            Prediction.Kind.BINARY: outcome in ("yes", "no"),
            Prediction.Kind.MULTIPLE_CHOICE: winner is not None
            and winner.prediction_id == prediction.pk,
            Prediction.Kind.DATE: actual is not None,
        }[prediction.kind]
    )
    if not valid:
        raise ValidationError(
            {"outcome": MSG_OUTCOME_REQUIRED if prediction.kind == "binary" else MSG_WRONG_OUTCOME}
        )
    now = resolved_at or timezone.now()
    known_at = known_at or now
    # Backdated resolutions (the demo, imports) skip the not-in-the-future check.
    if resolved_at is None and (problem := known_at_problem(prediction, known_at)):
        raise ValidationError({"known_at": problem})
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    if evidence is not None and evidence.stance != RESOLVES:
        evidence.stance = RESOLVES  # the source that settles a claim is its resolving evidence
        evidence.save(update_fields=["stance"])
    prediction.status = Prediction.Status.ANNULLED if annulled else Prediction.Status.RESOLVED
    is_binary = prediction.kind == Prediction.Kind.BINARY
    prediction.outcome = (outcome == "yes") if is_binary and not annulled else None
    prediction.outcome_option = winner
    prediction.outcome_date = actual
    prediction.known_at = known_at
    prediction.resolved_at = now
    prediction.resolution_note = note.strip()
    prediction.resolution_evidence = evidence
    prediction.full_clean()
    prediction.save()
    ResolutionEvent.objects.create(
        prediction=prediction,
        action=ResolutionEvent.Action.ANNUL if annulled else ResolutionEvent.Action.RESOLVE,
        outcome=prediction.outcome,
        outcome_option=winner,
        outcome_date=actual,
        known_at=known_at,
        note=prediction.resolution_note,
        evidence=evidence,
        created_at=now,
    )
    return prediction


@transaction.atomic
def prediction_reopen(*, prediction: Prediction, note: str = "") -> Prediction:
    """Undoes the current resolution; the history keeps what it was."""
    if prediction.status == Prediction.Status.OPEN:
        raise ValidationError(MSG_ALREADY_OPEN)
    now = timezone.now()
    prediction.status = Prediction.Status.OPEN
    prediction.outcome = None
    prediction.outcome_option = None
    prediction.outcome_date = None
    prediction.known_at = None
    prediction.resolved_at = None
    prediction.resolution_note = ""
    prediction.resolution_evidence = None
    prediction.full_clean()
    prediction.save()
    ResolutionEvent.objects.create(
        prediction=prediction, action=ResolutionEvent.Action.UNDO, note=note.strip(), created_at=now
    )
    return prediction


@transaction.atomic
def prediction_update(
    *,
    prediction: Prediction,
    question: str,
    resolve_by: date,
    resolution_criteria: str = "",
    notes: str = "",
    tags: Iterable[Tag] = (),
) -> Prediction:
    """Edits a prediction. Once it has a forecast, changes to the claim, criteria or
    deadline are recorded in its edit history and shown on its page."""
    new_values = {
        "question": " ".join(question.split()),
        "resolution_criteria": resolution_criteria.strip(),
        "resolve_by": resolve_by,
    }
    has_forecast = prediction.forecasts.exists()
    edits = []
    for field in TRACKED_FIELDS:
        old, new = getattr(prediction, field), new_values[field]
        if old != new and has_forecast:
            edits.append(
                PredictionEdit(
                    prediction=prediction, field=field, old_value=str(old), new_value=str(new)
                )
            )
        setattr(prediction, field, new)
    prediction.notes = notes.strip()
    prediction.full_clean()
    prediction.save()
    tags = list(tags)
    if any(tag.owner_id != prediction.owner_id for tag in tags):
        raise ValidationError({"tags": "Choose your own tags."})
    prediction.tags.set(tags)
    PredictionEdit.objects.bulk_create(edits)
    return prediction


@transaction.atomic
def prediction_share(
    *, prediction: Prediction, visibility: str, new_link: bool = False
) -> Prediction:
    """Sets who can read the prediction; `new_link` invalidates the old shared URL."""
    prediction.visibility = visibility
    if new_link:
        prediction.share_token = new_share_token()
    prediction.full_clean()
    prediction.save(update_fields=["visibility", "share_token"])
    return prediction


@transaction.atomic
def prediction_extend(*, prediction: Prediction, resolve_by: date, note: str = "") -> Prediction:
    """Moves an open prediction's resolve-by date later (e.g. a release that has not
    happened yet). The change is recorded in the edit history."""
    if prediction.status != Prediction.Status.OPEN:
        raise ValidationError(MSG_EXTEND_ONLY_OPEN)
    if resolve_by <= prediction.resolve_by:
        raise ValidationError({"resolve_by": MSG_EXTEND_LATER})
    PredictionEdit.objects.create(
        prediction=prediction,
        field="resolve_by",
        old_value=str(prediction.resolve_by),
        new_value=str(resolve_by) + (f" ({note.strip()})" if note.strip() else ""),
    )
    prediction.resolve_by = resolve_by
    prediction.full_clean()
    prediction.save(update_fields=["resolve_by"])
    return prediction
