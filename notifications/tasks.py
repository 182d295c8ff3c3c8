"""The periodic jobs as tasks of Django's tasks framework (django_tasks_db stores them;
`manage.py db_worker` runs them). They take no arguments and read the site address from
the settings, so whichever worker picks one up does the same thing."""

from django.conf import settings
from django.tasks import task

from notifications.cleanup import clean_up
from notifications.due_digest import send_due_digests
from notifications.group_digest import send_activity_digests
from notifications.stale import send_stale_reminders


@task
def due_digest_job() -> dict[str, int]:
    return send_due_digests(settings.FALSIFIABLE_BASE_URL).as_dict()


@task
def stale_reminder_job() -> dict[str, int]:
    return send_stale_reminders(settings.FALSIFIABLE_BASE_URL).as_dict()


@task
def activity_digest_job() -> dict[str, int]:
    return send_activity_digests(settings.FALSIFIABLE_BASE_URL).as_dict()


@task
def clean_up_job() -> dict:
    return clean_up()
