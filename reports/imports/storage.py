"""Where uploaded import files wait: Django's storage alias "imports" (settings.STORAGES).

Any storage backend will do, as long as every app server and worker sees the same one
(docs/decisions/0014-import-jobs.md). The default, PrivateFileSystemStorage, is a
directory only this system user can enter: created 0700, files written 0600, and refused
(before any file is written, and by `manage.py check` at start-up) when another user owns
it or its group or others may write to it, because then someone else could read or swap
the files waiting to be imported.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.core import checks
from django.core.files.storage import FileSystemStorage, Storage, storages

ALIAS = "imports"


class UnsafeImportDirectory(Exception):
    """The upload directory could be read or changed by another user."""


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, location=None, **kwargs) -> None:
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location, **kwargs)

    def ensure_private(self) -> None:
        """Creates the directory (0700) if need be; UnsafeImportDirectory if it is not ours
        alone."""
        path = Path(self.location)
        if not path.exists():
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if not stat.S_ISDIR(info.st_mode):
            raise UnsafeImportDirectory(f"{path} is not a directory.")
        if info.st_uid != os.getuid():
            raise UnsafeImportDirectory(
                f"{path} belongs to another user (uid {info.st_uid}); the server runs as "
                f"uid {os.getuid()}."
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UnsafeImportDirectory(
                f"{path} can be written by its group or by everyone (mode "
                f"{stat.S_IMODE(info.st_mode):o}); make it 0700."
            )

    def _save(self, name, content):
        self.ensure_private()
        return super()._save(name, content)


def import_storage() -> Storage:
    return storages[ALIAS]


@checks.register(checks.Tags.security)
def check_import_storage(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """At start-up (runserver, migrate, `check --deploy`): the upload directory is private."""
    storage = import_storage()
    if not isinstance(storage, PrivateFileSystemStorage):
        return []
    try:
        storage.ensure_private()
    except (UnsafeImportDirectory, OSError) as exc:
        return [
            checks.Error(
                f"Import uploads cannot be stored safely: {exc}",
                hint="Set FALSIFIABLE_IMPORT_DIR to a directory only this user can write.",
                id="reports.E001",
            )
        ]
    return []
