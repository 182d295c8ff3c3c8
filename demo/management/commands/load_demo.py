"""`python manage.py load_demo`: create or refresh the demo account and print its login."""

from django.core.management.base import BaseCommand

from demo import account
from demo.group_questions import GROUP_NAME
from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Creates (or refreshes) the demo account with a realistic year of predictions. "
        "Idempotent: running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo user's predictions and tags first, re-dating the history "
            "relative to today. Touches no other user.",
        )

    def handle(self, *args, reset: bool = False, **options):
        summary = load_demo(reset=reset)
        self.stdout.write(
            f"Demo account ready: {summary.created} predictions created, "
            f"{summary.skipped} already present; "
            f"{summary.group_created} questions of the group “{GROUP_NAME}” created."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in at {account.LOGIN_URL} as {account.USERNAME} / {account.PASSWORD}"
            )
        )
