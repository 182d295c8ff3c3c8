from django.core.management.base import BaseCommand

from reports.imports.jobs import clean_expired_uploads


class Command(BaseCommand):
    help = "Deletes import uploads (and their files) older than a day."

    def handle(self, *args, **options):
        removed = clean_expired_uploads()
        self.stdout.write(f"Removed {removed} expired upload{'' if removed == 1 else 's'}.")
