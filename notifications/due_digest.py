"""The due-for-resolution digest: one mail per user listing the predictions that became
due since their last digest.

A prediction becomes due when its resolve-by day ends in its owner's time zone. Each
digest moves the user's `Profile.last_reminder_at` forward under a row lock and records
a SentMail for the user's local date, so running the job twice, from two schedulers or
two workers at once, sends nothing new. The scheduler enqueues it hourly (users' days
end at different hours); `manage.py send_resolution_reminders` runs it directly.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import MailKind
from notifications.mailing import AlreadySent, Outcome, mail_each, send_recorded
from notifications.preferences import recipients_q
from predictions.models import Prediction, Profile, attach_summaries

MAX_LISTED = 50  # a digest lists this many; the rest are on the due page
KIND = MailKind.DUE_DIGEST


def _due_since(profile: Profile, last: datetime | None):
    """Open predictions of the user that became due after `last` (all due ones if None).

    Due means the resolve-by day has ended where the user lives: resolve_by < today.
    It became due after `last` when that day ended after `last`, i.e. resolve_by is on
    or after `last`'s local date.
    """
    due = Prediction.objects.filter(owner_id=profile.user_id).due(profile.today())
    due = due.with_latest_forecast()
    if last is not None:
        due = due.filter(resolve_by__gte=last.astimezone(profile.tzinfo).date())
    return due.order_by("resolve_by", "pk")


def _digest(predictions: list, base_url: str) -> tuple[str, str]:
    """Subject and body; `predictions` are annotated with their latest forecast."""
    count = len(predictions)
    subject = (
        "1 prediction is due to be resolved"
        if count == 1
        else f"{count} predictions are due to be resolved"
    )
    lines = [
        "These predictions reached their resolve-by date. Resolve them while you still "
        "remember when the outcome became known:",
        "",
    ]
    listed = predictions[:MAX_LISTED]
    attach_summaries(listed)  # the same one-line forecast summary as the due page
    for prediction in listed:
        url = base_url + reverse("predictions:resolve", args=[prediction.pk])
        said = f"; your forecast: {prediction.current}" if prediction.latest_forecast_id else ""
        lines.append(f"- {prediction.question} (due {prediction.resolve_by:%d %b %Y}{said})")
        lines.append(f"  {url}")
    if count > MAX_LISTED:
        lines.append(f"... and {count - MAX_LISTED} more.")
    lines += ["", f"All due predictions: {base_url}{reverse('predictions:due')}"]
    return subject, "\n".join(lines)


def _recipients():
    # Nobody's local date is later than UTC's date + 1 (UTC+14), so this cheap filter
    # keeps users with nothing possibly due out of the loop.
    # Exists, not a join: a join per condition multiplies a user's predictions together.
    horizon = timezone.now().date() + timedelta(days=1)
    possibly_due = Prediction.objects.open().filter(owner=OuterRef("pk"), resolve_by__lt=horizon)
    return (
        get_user_model()
        .objects.filter(Exists(possibly_due))
        .filter(recipients_q(KIND))  # confirmed addresses that did not opt out
        .order_by("pk")
    )


def send_due_digests(base_url: str, *, dry_run: bool = False) -> Outcome:
    """Sends every due digest (mailing.mail_each: one failure does not stop the rest)."""
    base_url = base_url.rstrip("/")
    return mail_each(_recipients(), lambda user: _remind(user, base_url, dry_run), "due digest")


def _remind(user, base_url: str, dry_run: bool) -> str | None:
    with transaction.atomic():
        # The row lock serialises concurrent runs: the second sees the new timestamp.
        profile, _ = Profile.objects.get_or_create(user=user)
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        now = timezone.now()
        predictions = list(_due_since(profile, profile.last_reminder_at))
        if not predictions:
            return None
        subject, body = _digest(predictions, base_url)
        line = f"{user.get_username()}: {subject}"
        if dry_run:
            return line
        try:
            # One digest per local day at most, whatever the lock above let through.
            send_recorded(user, KIND, [(0, profile.today().isoformat())], subject, body, base_url)
        except AlreadySent:
            return None
        profile.last_reminder_at = now
        profile.save(update_fields=["last_reminder_at"])
    return line
