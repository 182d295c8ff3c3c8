"""The stale-forecast reminder: "It has been two weeks since you forecast on …".

An open prediction is stale for a user when the user's own latest forecast on it is at
least STALE_AFTER old and its resolve-by day has not passed (due ones are in the due
digest instead). That covers the owner's questions and the shared questions a member
forecast on and may still read (`PredictionQuerySet.forecast_on_by`): a former member
is not reminded, and each is reminded of their own forecast only, never of another's. Each user gets
one mail listing their newly stale predictions; a prediction is mentioned once per
staleness period, i.e. once per latest forecast: a new forecast starts a new period,
and a prediction left alone is not mentioned again on every run. The SentMail rows
(user, kind, prediction, latest forecast id) are what make it once.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import MailKind
from notifications.mailing import AlreadySent, Outcome, mail_each, one_line, send_recorded
from notifications.models import SentMail
from notifications.preferences import recipients_q
from predictions.models import Forecast, Prediction, Profile, attach_summaries

STALE_AFTER = timedelta(days=14)
MAX_LISTED = 50
KIND = MailKind.STALE_REMINDER
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def weeks_in_words(age: timedelta) -> str:
    weeks = max(2, age.days // 7)
    return f"{NUMBERS.get(weeks, weeks)} weeks"


def _stale(user, profile: Profile, now):
    """The user's open, not yet due questions (own, or shared and forecast on) whose
    latest forecast by the user is old enough and that no reminder has mentioned since
    that forecast."""
    candidates = (
        Prediction.objects.forecast_on_by(user)
        .open()
        .filter(resolve_by__gte=profile.today())
        .with_latest_forecast(author=user)
        .filter(latest_forecast_at__lte=now - STALE_AFTER)
        .order_by("latest_forecast_at", "pk")
    )
    predictions = list(candidates)
    mentioned = set(
        SentMail.objects.filter(
            user=user, kind=KIND, subject_id__in=[p.pk for p in predictions]
        ).values_list("subject_id", "period")
    )
    return [p for p in predictions if (p.pk, str(p.latest_forecast_id)) not in mentioned]


def _message(predictions: list, base_url: str, now) -> tuple[str, str]:
    oldest = now - predictions[0].latest_forecast_at
    if len(predictions) == 1:
        question = one_line(predictions[0].question, 70)  # the subject stays whole
        subject = f"It has been {weeks_in_words(oldest)} since you forecast on “{question}”"
    else:
        subject = (
            f"It has been {weeks_in_words(oldest)} since you forecast on "
            f"{len(predictions)} open predictions"
        )
    lines = [
        "Has anything changed? A forecast you update as evidence arrives scores better "
        "than one left alone. Update it, or leave it if you still think the same:",
        "",
    ]
    listed = predictions[:MAX_LISTED]
    attach_summaries(listed)
    for prediction in listed:
        url = base_url + reverse("predictions:detail", args=[prediction.pk])
        lines.append(
            f"- {prediction.question} (your forecast: {prediction.current}, made "
            f"{prediction.latest_forecast_at:%d %b %Y}; due {prediction.resolve_by:%d %b %Y})"
        )
        lines.append(f"  {url}")
    if len(predictions) > MAX_LISTED:
        lines.append(f"... and {len(predictions) - MAX_LISTED} more.")
    return subject, "\n".join(lines)


def _recipients(now):
    """Users with an old forecast of their own on an open prediction: a cheap superset
    of those with a stale one (their latest forecast and whether they may still read
    the question are checked per user, under the lock)."""
    old = Forecast.objects.filter(
        author=OuterRef("pk"),
        prediction__status=Prediction.Status.OPEN,
        created_at__lte=now - STALE_AFTER,
    )
    return get_user_model().objects.filter(Exists(old)).filter(recipients_q(KIND)).order_by("pk")


def send_stale_reminders(base_url: str) -> Outcome:
    base_url = base_url.rstrip("/")
    now = timezone.now()
    return mail_each(_recipients(now), lambda user: _remind(user, base_url, now), "stale reminder")


def _remind(user, base_url: str, now) -> str | None:
    with transaction.atomic():
        # Serialises two workers on one user, so the second sees the first's rows.
        profile, _ = Profile.objects.get_or_create(user=user)
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        predictions = _stale(user, profile, now)
        if not predictions:
            return None
        subject, body = _message(predictions, base_url, now)
        keys = [(p.pk, str(p.latest_forecast_id)) for p in predictions]
        try:
            send_recorded(user, KIND, keys, subject, body, base_url)
        except AlreadySent:
            return None
    return f"{user.get_username()}: {subject}"
