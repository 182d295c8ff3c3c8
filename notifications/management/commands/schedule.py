"""The one scheduler entry point: enqueues the periodic jobs that are due (see
notifications/schedule.py). Safe to run every minute and from several hosts at once."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.schedule import run_scheduler


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (digests, reminders, clean-up) due in this period."

    def handle(self, *args, **options) -> None:
        for name, enqueued in run_scheduler(timezone.now()):
            state = "enqueued" if enqueued else "already enqueued for this period"
            self.stdout.write(f"{name}: {state}")
