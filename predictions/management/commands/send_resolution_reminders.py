"""Emails each user one digest of the predictions that became due since their last one.

A prediction becomes due when its resolve-by day ends in its owner's time zone. Each
digest moves the user's `Profile.last_reminder_at` forward, so running the command
twice (or from two cron hosts a minute apart) sends nothing new. Run it daily, e.g.

    15 7 * * *  cd /srv/falsifiable && .venv/bin/python manage.py send_resolution_reminders
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from predictions.models import Prediction, Profile, attach_summaries
from predictions.verification import verified_email_q

MAX_LISTED = 50  # a digest lists this many; the rest are on the due page


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


class Command(BaseCommand):
    help = "Email each user one digest of predictions that became due since their last digest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.FALSIFIABLE_BASE_URL,
            help="Site address for links in the email, e.g. https://falsifiable.example.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show who would get what; send nothing."
        )

    def handle(self, *args, base_url: str, dry_run: bool, **options) -> None:
        base_url = base_url.rstrip("/")
        # Nobody's local date is later than UTC's date + 1 (UTC+14), so this cheap filter
        # keeps users with nothing possibly due out of the loop.
        horizon = timezone.now().date() + timedelta(days=1)
        users = (
            get_user_model()
            .objects.filter(is_active=True, predictions__status=Prediction.Status.OPEN)
            .filter(predictions__resolve_by__lt=horizon)
            .filter(verified_email_q())  # only confirmed addresses get digests
            .distinct()
            .order_by("pk")
        )
        sent = failed = 0
        for user in users:
            try:
                sent += self._remind(user, base_url, dry_run)
            except Exception as exc:  # one bad address must not stop everyone's digest
                failed += 1
                self.stderr.write(f"Could not send to {user.get_username()}: {exc}")
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"{verb} {sent} digest{'s' if sent != 1 else ''}.")
        if failed:
            raise CommandError(f"{failed} digest(s) failed; they are retried on the next run.")

    def _remind(self, user, base_url: str, dry_run: bool) -> int:
        with transaction.atomic():
            # The row lock serialises concurrent runs: the second sees the new timestamp.
            profile, _ = Profile.objects.get_or_create(user=user)
            profile = Profile.objects.select_for_update().get(pk=profile.pk)
            now = timezone.now()
            predictions = list(_due_since(profile, profile.last_reminder_at))
            if not predictions:
                return 0
            subject, body = _digest(predictions, base_url)
            if dry_run:
                self.stdout.write(f"{user.get_username()}: {subject}")
                return 1
            # Sent inside the transaction: if sending fails, the timestamp is not moved
            # and the next run tries again.
            send_mail(subject, body, None, [user.email])
            profile.last_reminder_at = now
            profile.save(update_fields=["last_reminder_at"])
        return 1
