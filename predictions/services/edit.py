"""Editing a prediction: wording, deadline, tags, sharing. Goalposts never move silently."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from predictions import rules
from predictions.models import Prediction, PredictionEdit, Tag, new_share_token
from predictions.services.profiles import check_own_tags, data_changed, question_changed

MSG_EXTEND_ONLY_OPEN = "Only open predictions can be given a later date."
MSG_EXTEND_LATER = "The new date must be later than the current one."

# Fields whose change after the first forecast is recorded, so goalposts never move silently.
TRACKED_FIELDS = ("question", "resolution_criteria", "resolve_by")


@transaction.atomic
def prediction_update(
    *,
    prediction: Prediction,
    question: str,
    resolve_by: date,
    resolution_criteria: str = "",
    notes: str = "",
    tags: Iterable[Tag] | None = (),
) -> Prediction:
    """Edits a prediction. Once it has a forecast, changes to the claim, criteria or
    deadline are recorded in its edit history and shown on its page. `tags=None`
    leaves the tags as they are (the admin edits them on its own)."""
    rules.date_in_range(resolve_by, "resolve_by")
    new_values = {
        "question": rules.one_line(question),
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
    if tags is not None:
        tags = list(tags)
        check_own_tags(tags, prediction.owner_id)
        prediction.tags.set(tags)
    PredictionEdit.objects.bulk_create(edits)
    question_changed(prediction)  # its forecasters' dashboards show the claim
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
    rules.date_in_range(resolve_by, "resolve_by")
    PredictionEdit.objects.create(
        prediction=prediction,
        field="resolve_by",
        old_value=str(prediction.resolve_by),
        new_value=str(resolve_by) + (f" ({note.strip()})" if note.strip() else ""),
    )
    prediction.resolve_by = resolve_by
    prediction.full_clean()
    prediction.save(update_fields=["resolve_by"])
    data_changed(prediction.owner_id)  # the dashboard counts what is due
    return prediction
