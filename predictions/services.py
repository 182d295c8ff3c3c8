"""Every write to predictions goes through here; views, importers and the demo call these.

Services are keyword-only, atomic, and validate with full_clean() before saving, so a
bad value raises ValidationError (keyed by field) and writes nothing.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions.models import (
    Forecast,
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

# Fields whose change after the first forecast is recorded, so goalposts never move silently.
TRACKED_FIELDS = ("question", "resolution_criteria", "resolve_by")


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
) -> Prediction:
    """Creates a prediction and, for a yes/no claim with a probability, its first forecast."""
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
    prediction.full_clean()
    prediction.save()
    tags = list(tags)
    if any(tag.owner_id != owner.pk for tag in tags):
        raise ValidationError({"tags": "Choose your own tags."})
    prediction.tags.set(tags)
    if probability is not None:
        forecast_create(
            prediction=prediction,
            author=owner,
            probability=probability,
            phrase=phrase,
            created_at=prediction.created_at,
        )
    return prediction


@transaction.atomic
def forecast_create(
    *,
    prediction: Prediction,
    author,
    probability: Decimal,
    rationale: str = "",
    evidence=None,
    phrase: str = "",
    created_at: datetime | None = None,
    import_key: str = "",
) -> Forecast:
    """Appends a yes/no forecast. Closed predictions take no new forecasts.

    `created_at` is for imports only; forms always forecast "now".
    """
    if author.pk != prediction.owner_id:
        raise ValidationError("Only the owner can forecast on this prediction.")
    # Re-read the status under the transaction's lock so a concurrent resolve wins cleanly.
    status = Prediction.objects.filter(pk=prediction.pk).values_list("status", flat=True).get()
    if status != Prediction.Status.OPEN and not import_key:
        raise ValidationError(MSG_RESOLVED_NO_FORECAST)
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    forecast = Forecast(
        prediction=prediction,
        probability=probability,
        phrase=phrase,
        rationale=rationale.strip(),
        evidence=evidence,
        created_at=created_at or timezone.now(),
        import_key=import_key,
    )
    forecast.full_clean()
    forecast.save()
    return forecast


def _check_known_at(prediction: Prediction, known_at: datetime) -> None:
    if known_at > timezone.now():
        raise ValidationError({"known_at": MSG_KNOWN_AT_FUTURE})
    if known_at < prediction.created_at.replace(second=0, microsecond=0):
        raise ValidationError({"known_at": MSG_KNOWN_AT_BEFORE_CREATION})


@transaction.atomic
def prediction_resolve(
    *,
    prediction: Prediction,
    outcome: str,
    known_at: datetime | None = None,
    note: str = "",
    evidence=None,
    resolved_at: datetime | None = None,
) -> Prediction:
    """Resolves (or re-resolves) a yes/no prediction: outcome "yes", "no" or "annulled".

    `known_at` is when the outcome became knowable (default now); forecasts after it are
    late and never count. Every call is recorded in the resolution history.
    """
    if outcome not in {"yes", "no", "annulled"}:
        raise ValidationError({"outcome": MSG_OUTCOME_REQUIRED})
    now = resolved_at or timezone.now()
    known_at = known_at or now
    if resolved_at is None:
        _check_known_at(prediction, known_at)
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    annulled = outcome == "annulled"
    prediction.status = Prediction.Status.ANNULLED if annulled else Prediction.Status.RESOLVED
    prediction.outcome = None if annulled else outcome == "yes"
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
