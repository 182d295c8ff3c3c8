"""Saving one capture line: "GPT-4 will be announced this week 5% #ai".

predictions.capture reads the line; this module adds what needs the database or the
owner: a resolve-by date typed beside the line (in words or ISO), the owner's own tags
for the #hashtags, the saving through the public services, and the hand-over of what
was typed to the full form.
"""

from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse

from predictions import services
from predictions.capture import CaptureReading, Problem, read_capture
from predictions.dates_in_words import DeadlineReading, describe_day, read_date
from predictions.forms import MSG_QUESTION_TOO_LONG
from predictions.models import QUESTION_MAX_LENGTH, Prediction

# The longest line read: a claim at its longest, a probability and tags fit well within.
LINE_MAX_LENGTH = 600
MSG_LINE_TOO_LONG = (
    f"This line is longer than {LINE_MAX_LENGTH} characters: shorten the claim, or use the "
    "full form and put details in the resolution criteria or notes."
)


def past_date_warning(day: date, today: date) -> str:
    """A warning for a resolve-by date before today, or "". Recording an old prediction is
    legitimate, but it is due at once, so the entry forms ask to confirm it."""
    if day >= today:
        return ""
    return (
        f"{describe_day(day)} is in the past: the prediction will be due at once. "
        "Save it anyway if you are recording an old prediction."
    )


def read_entry(line: str, resolve_by: str, today: date) -> CaptureReading:
    """The line as read_capture reads it, with a claim too long refused (never cut); a
    resolve-by value typed beside it (ISO or words) replaces the date read from the
    claim, whose words stay in the claim."""
    line = str(line or "")
    reading = read_capture(line[:LINE_MAX_LENGTH], today)
    if len(line) > LINE_MAX_LENGTH:
        reading = replace(reading, problems=(Problem("claim", MSG_LINE_TOO_LONG),))
    elif len(reading.claim) > QUESTION_MAX_LENGTH:
        too_long = Problem("claim", f"{MSG_QUESTION_TOO_LONG} This one has {len(reading.claim)}.")
        reading = replace(reading, problems=(too_long, *reading.problems))
    if not str(resolve_by or "").strip():
        return reading
    problems = tuple(p for p in reading.problems if p.field != "resolve_by")
    try:
        day = read_date(resolve_by, today)
    except ValueError as error:
        return replace(reading, problems=(*problems, Problem("resolve_by", str(error))))
    deadline = DeadlineReading(day, 0, 0, str(resolve_by).strip(), describe_day(day))
    return replace(reading, deadline=deadline, problems=problems)


def past_date_to_confirm(day: date, today: date, data) -> str:
    """The past-date warning while the posted `data` has not confirmed it (the
    "confirm_past" button of templates/predictions/includes/past_warning.html), else "".
    Every form that takes a resolve-by date asks through this one rule."""
    return "" if "confirm_past" in data else past_date_warning(day, today)


@transaction.atomic
def capture_create(*, owner, reading: CaptureReading) -> Prediction:
    """Saves a yes/no prediction from a reading without problems; #hashtags become the
    owner's tags, created as needed. Raises ValidationError like the services do."""
    if reading.problems or reading.deadline is None or reading.probability is None:
        raise ValueError("capture_create needs a complete reading")
    tags = services.tags_for_names(owner=owner, names=reading.tags)
    return services.prediction_create(
        owner=owner,
        kind=Prediction.Kind.BINARY,
        question=reading.claim,
        resolve_by=reading.deadline.day,
        probability=reading.probability.probability,
        phrase=reading.probability.phrase,
        tags=tags,
    )


def full_form_url(reading: CaptureReading) -> str:
    """The full entry form, filled with what the line held so far."""
    query = {}
    if reading.claim:
        query["question"] = reading.claim
    if reading.probability is not None:
        query["probability"] = reading.probability.phrase or reading.probability.percent
    if reading.deadline is not None:
        query["resolve_by"] = reading.deadline.day.isoformat()
    if reading.tags:
        query["new_tags"] = ", ".join(reading.tags)
    url = reverse("predictions:create")
    return f"{url}?{urlencode(query)}" if query else url
