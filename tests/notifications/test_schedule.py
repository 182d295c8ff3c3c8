"""The scheduler enqueues each periodic job once per period; the jobs and the clean-up."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications import cleanup, tasks
from notifications.kinds import MailKind
from notifications.models import ScheduledRun, SentMail
from notifications.schedule import JOBS, run_scheduler
from reports.imports.storage import import_storage
from reports.models import ImportUpload
from tests.notifications.helpers import due_prediction, open_prediction, person

MONDAY = dt.datetime(2024, 3, 4, 9, 17, tzinfo=dt.UTC)


def schedule_at(when: dt.datetime) -> dict[str, bool]:
    return dict(run_scheduler(when))


class SchedulerTests(TestCase):
    def test_each_job_once_per_period(self):
        daily = ["stale_reminder", "activity_digest", "clean_up"]
        assert schedule_at(MONDAY) == dict.fromkeys(["due_digest", *daily], True)
        assert schedule_at(MONDAY + dt.timedelta(minutes=5)) == dict.fromkeys(
            ["due_digest", *daily], False
        )
        # The next hour: the hourly digest again, the daily jobs not.
        assert schedule_at(MONDAY + dt.timedelta(minutes=43)) == {
            "due_digest": True,
            **dict.fromkeys(daily, False),
        }
        # Just after midnight UTC: every job.
        assert set(schedule_at(dt.datetime(2024, 3, 5, 0, 1, tzinfo=dt.UTC)).values()) == {True}
        queued = DBTaskResult.objects.values_list("task_path", flat=True)
        assert sorted(queued) == sorted(
            ["notifications.tasks.due_digest_job"] * 3
            + ["notifications.tasks.stale_reminder_job"] * 2
            + ["notifications.tasks.activity_digest_job"] * 2
            + ["notifications.tasks.clean_up_job"] * 2
        )
        runs = ScheduledRun.objects.filter(job="due_digest").order_by("period_start")
        assert [r.period_start for r in runs] == [
            dt.datetime(2024, 3, 4, 9, tzinfo=dt.UTC),
            dt.datetime(2024, 3, 4, 10, tzinfo=dt.UTC),
            dt.datetime(2024, 3, 5, 0, tzinfo=dt.UTC),
        ]
        assert all(DBTaskResult.objects.filter(id=r.task_result_id).exists() for r in runs)

    def test_periods_are_whole_hours_and_utc_days(self):
        jobs = {job.name: job for job in JOBS}
        late = dt.datetime(2024, 3, 4, 23, 59, 59, tzinfo=dt.UTC)
        assert jobs["due_digest"].period_start(late) == dt.datetime(2024, 3, 4, 23, tzinfo=dt.UTC)
        assert jobs["clean_up"].period_start(late) == dt.datetime(2024, 3, 4, tzinfo=dt.UTC)
        berlin = dt.timezone(dt.timedelta(hours=1))
        assert jobs["clean_up"].period_start(
            dt.datetime(2024, 3, 5, 0, 30, tzinfo=berlin)
        ) == dt.datetime(2024, 3, 4, tzinfo=dt.UTC)

    def test_the_command_says_what_it_did(self):
        out = StringIO()
        with time_machine.travel(MONDAY, tick=False):
            call_command("schedule", stdout=out)
            call_command("schedule", stdout=out)
        assert out.getvalue().splitlines() == [
            "due_digest: enqueued",
            "stale_reminder: enqueued",
            "activity_digest: enqueued",
            "clean_up: enqueued",
            "due_digest: already enqueued for this period",
            "stale_reminder: already enqueued for this period",
            "activity_digest: already enqueued for this period",
            "clean_up: already enqueued for this period",
        ]

    def test_a_failed_enqueue_leaves_the_period_free(self):
        with (
            mock.patch(
                "django_tasks_db.backend.DatabaseBackend.enqueue", side_effect=RuntimeError("full")
            ),
            pytest.raises(RuntimeError),
        ):
            run_scheduler(MONDAY)
        assert not ScheduledRun.objects.exists()
        assert schedule_at(MONDAY)["due_digest"] is True


class JobTests(TestCase):
    def test_the_mail_jobs_send_with_the_configured_site_address(self):
        alice = person("alice")
        due_prediction(alice)
        open_prediction(alice, timezone.now() - dt.timedelta(days=15))
        with self.settings(FALSIFIABLE_BASE_URL="https://site.example/"):
            assert tasks.due_digest_job.call() == {"sent": 1, "failed": 0}
            assert tasks.stale_reminder_job.call() == {"sent": 1, "failed": 0}
            assert tasks.due_digest_job.call() == {"sent": 0, "failed": 0}  # idempotent
            assert tasks.stale_reminder_job.call() == {"sent": 0, "failed": 0}
        assert len(mail.outbox) == 2
        assert all("https://site.example/mail/unsubscribe/" in m.body for m in mail.outbox)

    def test_send_resolution_reminders_is_the_same_job(self):
        due_prediction(person("alice"))
        out = StringIO()
        call_command("send_resolution_reminders", stdout=out)
        assert "Sent 1 digest." in out.getvalue()
        assert tasks.due_digest_job.call() == {"sent": 0, "failed": 0}
        assert SentMail.objects.filter(kind=MailKind.DUE_DIGEST).count() == 1


class CleanUpTests(TestCase):
    def finished(self, days_ago: int, status: str = "SUCCESSFUL") -> DBTaskResult:
        result = tasks.clean_up_job.enqueue()
        at = timezone.now() - dt.timedelta(days=days_ago)
        DBTaskResult.objects.filter(id=result.id).update(status=status, finished_at=at)
        return DBTaskResult.objects.get(id=result.id)

    def test_prunes_old_finished_results_and_bookkeeping_only(self):
        old_ok, old_failed = self.finished(20), self.finished(20, "FAILED")
        recent = self.finished(1)
        waiting = tasks.clean_up_job.enqueue()
        user = person("alice")
        long_ago = timezone.now() - dt.timedelta(days=40)
        SentMail.objects.create(user=user, kind=MailKind.DUE_DIGEST, period="a", sent_at=long_ago)
        SentMail.objects.create(user=user, kind=MailKind.DUE_DIGEST, period="b")
        stale = SentMail.objects.create(
            user=user, kind=MailKind.STALE_REMINDER, subject_id=7, period="9", sent_at=long_ago
        )
        ScheduledRun.objects.create(job="x", period_start=long_ago, enqueued_at=long_ago)
        ScheduledRun.objects.create(job="x", period_start=timezone.now())

        result = tasks.clean_up_job.call()

        left = set(DBTaskResult.objects.values_list("id", flat=True))
        assert str(recent.id) in {str(i) for i in left}
        assert str(waiting.id) in {str(i) for i in left}
        assert not {str(old_ok.id), str(old_failed.id)} & {str(i) for i in left}
        assert sorted(SentMail.objects.values_list("period", flat=True)) == ["9", "b"]
        assert SentMail.objects.filter(pk=stale.pk).exists()  # keeps "once per period"
        assert ScheduledRun.objects.count() == 1
        assert result["scheduled_runs"] == 1
        assert result["digest_records"] == 1
        assert result["task_results"] == 2

    def test_expired_uploads_are_cleaned_by_the_import_jobs_rule(self):
        user = User.objects.create_user("uploader", password="x")
        storage = import_storage()
        name = storage.save("expired.upload", ContentFile(b"question,probability\n"))
        ImportUpload.objects.create(
            owner=user, file=name, original_name="expired.csv", size=21, expires_at=timezone.now()
        )
        assert cleanup.clean_up()["expired_uploads"] == 1
        assert not ImportUpload.objects.exists()
        assert not storage.exists(name)
