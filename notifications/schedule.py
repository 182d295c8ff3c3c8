"""What runs when: the periodic jobs and the one scheduler entry point that enqueues them.

`manage.py schedule` is run every few minutes (cron or a systemd timer, README
"Scheduled work"). For each job it works out the current period (the hour, the day) and
enqueues the job's task at most once per period: the ScheduledRun row and the queued
task are inserted in one transaction, and the row's unique key makes a second scheduler
a no-op. A missed period (the machine was off) is not made up; the next period's run
does the work, since every job looks at what is pending, not at what happened in its
period.

Extension point: a new mail is a MailKind (notifications/kinds.py), a module sending it
through notifications.mailing.send_recorded (which records, de-duplicates and adds the
unsubscribe link), a @task in notifications/tasks.py, and one PeriodicJob line below;
the activity digest (notifications/group_digest.py) was added so.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.tasks import Task

from notifications import tasks
from notifications.models import ScheduledRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task
    every: timedelta

    def period_start(self, now: datetime) -> datetime:
        """The start of the period `now` is in, periods counted from the Unix epoch."""
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        return epoch + self.every * ((now - epoch) // self.every)


JOBS = (
    # Hourly: each user's day ends at a different hour; each user gets one a day at most.
    PeriodicJob("due_digest", tasks.due_digest_job, timedelta(hours=1)),
    # Daily: newly stale predictions collected into one mail per user and day.
    PeriodicJob("stale_reminder", tasks.stale_reminder_job, timedelta(days=1)),
    # Daily: the notifications since each user's previous digest (notifications.feed).
    PeriodicJob("activity_digest", tasks.activity_digest_job, timedelta(days=1)),
    PeriodicJob("clean_up", tasks.clean_up_job, timedelta(days=1)),
)


def run_scheduler(now: datetime) -> list[tuple[str, bool]]:
    """Enqueues every job not yet enqueued for its current period; (name, enqueued)."""
    done = []
    for job in JOBS:
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, period_start=job.period_start(now))
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:  # another scheduler enqueued it for this period
            done.append((job.name, False))
        else:
            done.append((job.name, True))
    return done
