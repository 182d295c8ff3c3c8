"""An uploaded import file between upload, check and import (docs/decisions/0014)."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

EXPIRES_AFTER = timedelta(hours=24)
# A job that has not reported for this long is taken for dead, unless it runs on this
# machine and its process is still there (on SQLite the import's transaction holds the
# only write lock, so its heartbeat cannot be saved until it commits).
STALE_AFTER = timedelta(seconds=20)
THIS_HOST = socket.gethostname()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def default_expiry():
    return timezone.now() + EXPIRES_AFTER


class ImportUpload(models.Model):
    """The file (in the "imports" storage), how to read it, and what the check or the
    import found: rendered by the import page without reading the file again."""

    class State(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"

    RUNNING = (State.CHECKING, State.IMPORTING)
    PENDING = (State.CHECKING, State.CHECKED, State.IMPORTING)

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_uploads"
    )
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    file = models.CharField(max_length=255, blank=True)  # "" once the file is deleted
    format = models.CharField(max_length=20, default="auto")
    fatebook_name = models.CharField(max_length=200, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    probability_scale = models.CharField(max_length=10, default="auto")
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    summary = models.JSONField(default=dict, blank=True)  # see reports.imports.summaries
    bytes_read = models.PositiveBigIntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True)  # "host:pid" of the running job
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"

    @property
    def running(self) -> bool:
        return self.state in self.RUNNING

    @property
    def queued(self) -> bool:
        """Waiting for a worker to take the job."""
        return self.running and not self.worker

    @property
    def percent(self) -> int:
        if not self.size:
            return 0
        return min(100, self.bytes_read * 100 // self.size)

    @property
    def interrupted(self) -> bool:
        """The job's worker stopped without finishing (killed, crashed, machine lost)."""
        if not self.running or not self.worker:
            return False
        host, _, pid = self.worker.rpartition(":")
        if host == THIS_HOST and pid.isdigit():
            return not _process_exists(int(pid))
        beat = self.heartbeat_at
        return beat is None or timezone.now() - beat > STALE_AFTER


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
