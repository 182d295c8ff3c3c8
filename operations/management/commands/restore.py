from pathlib import Path

from operations import backups
from operations.management.file_command import BackupFileCommand


class Command(BackupFileCommand):
    help = (
        "Loads a backup made by `manage.py backup` into the configured database, which "
        "must be empty (a new SQLite file, or a new PostgreSQL database)."
    )
    verb = "restore"
    path_help = "a file written by `manage.py backup`"

    def act(self, path: Path, alias: str) -> str:
        backups.restore(path, alias=alias)
        return f"Restored {path}"
