"""python manage.py import_predictions PATH --user NAME
[--format auto|json|csv|fatebook|predictionbook|generic] [--fatebook-name NAME]
[--question-column NAME --probability-column NAME ...] [--dry-run]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.imports import FORMAT_CHOICES, ImportOptions, run_import
from reports.imports.generic_csv import ROLES


class Command(BaseCommand):
    # The system checks import every URL module, and with them the dashboard's plotting
    # stack: seconds and some 100 MB for a command that needs neither (`manage.py check`
    # and the test suite still run them).
    requires_system_checks: list[str] = []
    help = (
        "Import predictions from a Falsifiable export (JSON or CSV), Fatebook's CSV, "
        "PredictionBook's CSV or API JSON, or any CSV of yes/no predictions. All or "
        "nothing, and idempotent: importing the same file again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--user", required=True, help="username to import for")
        parser.add_argument("--format", default="auto", choices=FORMAT_CHOICES)
        parser.add_argument(
            "--fatebook-name", default="", help="your name in a Fatebook file with several"
        )
        generic = parser.add_argument_group("generic CSV (the column holding each value)")
        for role in ROLES:
            flag = "--" + role.replace("_", "-") + "-column"
            generic.add_argument(flag, dest=f"{role}_column", default="", metavar="NAME")
        generic.add_argument(
            "--probability-scale", default="auto", choices=["auto", "unit", "percent"]
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, path, user, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"No user named “{user}”.") from None
        columns = {role: options[f"{role}_column"] for role in ROLES if options[f"{role}_column"]}
        fmt = options["format"]
        if columns and fmt == "auto":
            fmt = "generic"
        import_options = ImportOptions(
            format=fmt,
            fatebook_name=options["fatebook_name"],
            columns=columns,
            probability_scale=options["probability_scale"],
        )
        try:
            binary = open(path, "rb")  # noqa: SIM115 (a with block follows)
        except OSError as exc:
            raise CommandError(f"Cannot open {path}: {exc.strerror}.") from exc
        with binary:
            result = run_import(
                binary, owner=owner, options=import_options, dry_run=options["dry_run"]
            )
        if not result.ok:
            for message in result.problems.messages():
                self.stderr.write(message)
            if result.problems.hidden:
                self.stderr.write(f"... and {result.problems.hidden:,} more.")
            count = result.problems.count
            raise CommandError(
                f"Nothing was imported: {count:,} problem{'s' if count != 1 else ''} in {path}."
            )
        self.stdout.write(
            f"{path} ({result.format}): {result.summary.sentence(dry_run=options['dry_run'])}"
        )
