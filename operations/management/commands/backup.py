from pathlib import Path

from operations import backups
from operations.management.file_command import BackupFileCommand


class Command(BackupFileCommand):
    help = (
        "Writes a consistent copy of the database to PATH while the site keeps running "
        "(SQLite: the online backup API; PostgreSQL: pg_dump -Fc)."
    )
    verb = "backup"
    path_help = "a new file; an existing one is refused"

    def act(self, path: Path, alias: str) -> str:
        backups.backup(path, alias=alias)
        return f"Backed up to {path} ({path.stat().st_size:,} bytes)"
