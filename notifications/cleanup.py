"""The daily clean-up: expired import uploads, finished job records, old bookkeeping."""

import logging
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.kinds import MailKind
from notifications.models import ScheduledRun, SentMail
from reports.imports.jobs import clean_expired_uploads

logger = logging.getLogger(__name__)


def prune_task_results(keep_days: int) -> int:
    """Finished (successful or failed) task results older than `keep_days`, deleted by
    django_tasks_db's own command so its notion of "finished" is the one used. Returns
    how many rows went (the command only logs it; a task enqueued meanwhile by another
    process makes the figure smaller, never the deletion wrong)."""
    before = DBTaskResult.objects.count()
    call_command(
        "prune_db_task_results",
        min_age_days=keep_days,
        queue_name="*",
        stdout=StringIO(),
        verbosity=0,
    )
    return max(0, before - DBTaskResult.objects.count())


def clean_up() -> dict:
    keep_days = settings.FALSIFIABLE_FINISHED_JOBS_KEEP_DAYS
    cutoff = timezone.now() - timedelta(days=keep_days)
    uploads = clean_expired_uploads()
    pruned = prune_task_results(keep_days)
    # A scheduled run only guards its own period, and a digest's record only its own day
    # (an activity digest with no record starts 24 hours back); they are of no use once
    # that is past. Stale-forecast records stay: they are what keeps a prediction left
    # alone from being mentioned again.
    runs, _ = ScheduledRun.objects.filter(enqueued_at__lt=cutoff).delete()
    daily = [MailKind.DUE_DIGEST, MailKind.GROUP_DIGEST]
    digests, _ = SentMail.objects.filter(kind__in=daily, sent_at__lt=cutoff).delete()
    return {
        "expired_uploads": uploads,
        "task_results": pruned,
        "scheduled_runs": runs,
        "digest_records": digests,
    }
