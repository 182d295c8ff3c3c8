"""Who opted out of which mail, which mail was sent, and which scheduled run was enqueued.

The two records of work done carry unique constraints, so that two schedulers or two
workers running at once cannot both do the same thing: the second insert fails (on
PostgreSQL it waits for the first transaction and then fails), and the mail is sent only
by the transaction whose insert succeeded (docs/decisions/0018-scheduled-work.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.kinds import MailKind


class MailOptOut(models.Model):
    """The user does not want this kind of mail. No row: they get it (if verified)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs"
    )
    kind = models.CharField(max_length=32, choices=MailKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="mail_opt_out_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opted out of {self.kind}"


class SentMail(models.Model):
    """One mail (or one line of a digest) sent: inserted before sending, in the same
    transaction, so a failed send leaves no row and a second sender finds the row.

    `subject_id` is what the mail is about (a prediction's id, 0 for a digest) and
    `period` which occurrence: the user's local date for the daily digest, the id of
    the latest forecast for a stale-forecast reminder (one per time it goes stale).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_mails"
    )
    kind = models.CharField(max_length=32, choices=MailKind.choices)
    subject_id = models.BigIntegerField(default=0)
    period = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject_id", "period"], name="sent_mail_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id} about {self.subject_id} ({self.period})"


class ScheduledRun(models.Model):
    """A periodic job enqueued for one period; the unique key makes a second scheduler
    running at the same moment (or a minute later, in the same period) a no-op."""

    job = models.CharField(max_length=64)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now, db_index=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="scheduled_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.period_start:%Y-%m-%d %H:%M}"


class NotificationsSeen(models.Model):
    """Up to when the user has seen their notifications (notifications.feed): events
    after `seen_at` are unread. No row: nothing seen yet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications_seen"
    )
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw notifications up to {self.seen_at:%Y-%m-%d %H:%M}"
