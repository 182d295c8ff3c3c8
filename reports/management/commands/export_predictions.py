"""python manage.py export_predictions --user NAME --format csv|json [--output PATH]"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.exports import csv as csv_export
from reports.exports import json as json_export
from reports.exports.queryset import export_queryset
from reports.exports.scope import personal_scope


class Command(BaseCommand):
    help = (
        "Export a user's scored predictions as CSV (one row per forecast) or JSON "
        "(nested, importable without loss), to a file or standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username whose predictions to export")
        parser.add_argument("--format", required=True, choices=["csv", "json"])
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--base-url",
            default="",
            help="site address for the url column, e.g. https://falsifiable.example",
        )

    def handle(self, *args, user, format, output, base_url, **options):
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist:
            raise CommandError(f"No user named “{user}”.") from None
        qs = export_queryset(user=owner, params={})
        scope = personal_scope(owner)
        if format == "csv":
            pieces = csv_export.csv_stream(csv_export.csv_lines(qs, scope, base_url=base_url))
        else:
            pieces = json_export.json_stream(qs, scope, base_url=base_url)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                for piece in pieces:
                    out.write(piece)
            self.stderr.write(f"Wrote {qs.count():,} predictions to {output}.")
        else:
            for piece in pieces:
                self.stdout.write(piece, ending="")
