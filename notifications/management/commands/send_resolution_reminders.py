"""Sends the due-for-resolution digests now (notifications.due_digest, the same function
the scheduled job runs). `manage.py schedule` is the usual way; this stays for running
the digest by hand, with a dry run and a chosen base URL."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notifications.due_digest import send_due_digests


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
        outcome = send_due_digests(base_url, dry_run=dry_run)
        if dry_run:
            for line in outcome.sent:
                self.stdout.write(line)
        for line in outcome.failed:
            self.stderr.write(f"Could not send to {line}")
        sent = len(outcome.sent)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"{verb} {sent} digest{'s' if sent != 1 else ''}.")
        if outcome.failed:
            raise CommandError(
                f"{len(outcome.failed)} digest(s) failed; they are retried on the next run."
            )
