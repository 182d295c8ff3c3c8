import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations import backups


class BackupFileCommand(BaseCommand):
    """`backup PATH` and `restore PATH`: one file, one database alias, and a failure
    reported as a message (exit status 1) instead of a traceback."""

    verb = ""
    path_help = ""

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=self.path_help)
        parser.add_argument("--database", default="default", help="database alias")

    def act(self, path: Path, alias: str) -> str:
        """Does the work; returns what to report."""
        raise NotImplementedError

    def handle(self, *args, path: Path, database: str, **options):
        started = time.monotonic()
        try:
            done = self.act(path, database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            raise CommandError(f"{self.verb} failed: {exc}") from exc
        self.stdout.write(f"{done} in {time.monotonic() - started:.1f} s")
