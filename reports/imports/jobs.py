"""Uploads as stored records, and their check and import as background jobs.

An upload (reports.models.ImportUpload) is checked once (a dry run of `run_import`) and
its summary stored; the import page renders that summary and never reads the file again.
Files up to FALSIFIABLE_IMPORT_INLINE_BYTES are checked and imported within the request;
larger ones by a job of Django's tasks framework (the django-tasks-db backend, run by
`manage.py db_worker`), which saves how far it has read twice a second
(reports.imports.progress) for the page's progress bar.

A job is safe to kill: the import is one transaction (nothing half-written), the row
names the worker that holds it, and a job whose worker is gone shows as interrupted and
can be retried; a retry is idempotent because every row carries its import key.
docs/decisions/0014-import-jobs.md has the argument.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from reports.imports import ImportOptions, run_import
from reports.imports.progress import Heartbeat, counting
from reports.imports.storage import import_storage
from reports.imports.summaries import failed, summarise
from reports.models import EXPIRES_AFTER, THIS_HOST, ImportUpload, new_token

logger = logging.getLogger(__name__)
State = ImportUpload.State
MSG_JOB_FAILED = "The {what} stopped with an error; nothing was written. Try again later."
MSG_TOO_MANY = (
    "You already have {count} uploads waiting to be imported or cancelled (the limit is "
    "{limit}); finish or cancel one of them first."
)


class TooManyPending(Exception):
    pass


def worker_name() -> str:
    return f"{THIS_HOST}:{os.getpid()}"


def pending(owner):
    """The owner's uploads that hold a file and count against the cap."""
    return ImportUpload.objects.filter(
        owner=owner, state__in=ImportUpload.PENDING, expires_at__gt=timezone.now()
    )


def too_many_message(owner) -> str:
    """The cap's message if `owner` may not upload another file now, else ""."""
    limit = settings.FALSIFIABLE_MAX_PENDING_IMPORTS
    count = pending(owner).count()
    return MSG_TOO_MANY.format(count=count, limit=limit) if count >= limit else ""


def create_upload(owner, upload_file, *, name: str, fmt: str, fatebook_name: str):
    """Stores the file and its record, then checks it (inline or as a job). TooManyPending
    if the owner is at the cap, counted under a lock on the owner so two parallel uploads
    cannot both take the last place."""
    storage = import_storage()
    stored = storage.save(f"{new_token()}.upload", upload_file)
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
            message = too_many_message(owner)
            if message:
                raise TooManyPending(message)
            upload = ImportUpload.objects.create(
                owner=owner,
                original_name=name[:200],
                size=upload_file.size,
                file=stored,
                format=fmt,
                fatebook_name=fatebook_name[:200],
            )
    except BaseException:
        storage.delete(stored)
        raise
    start(upload, dry_run=True)
    return upload


def options_of(upload: ImportUpload) -> ImportOptions:
    return ImportOptions(
        format=upload.format,
        fatebook_name=upload.fatebook_name,
        columns=dict(upload.columns or {}),
        probability_scale=upload.probability_scale,
    )


def is_inline(upload: ImportUpload) -> bool:
    return upload.size <= settings.FALSIFIABLE_IMPORT_INLINE_BYTES


def start(upload: ImportUpload, *, dry_run: bool) -> None:
    """Checks (dry_run) or imports the upload: at once if it is small, else by a job.
    The state says which; the caller has made sure no other job holds the upload."""
    upload.state = State.CHECKING if dry_run else State.IMPORTING
    upload.bytes_read, upload.worker, upload.heartbeat_at = 0, "", None
    upload.save(update_fields=["state", "bytes_read", "worker", "heartbeat_at"])
    if is_inline(upload):
        run(upload, dry_run=dry_run, job=False)
        return
    (check_upload if dry_run else import_upload).enqueue(upload.pk)


def begin_import(upload: ImportUpload) -> bool:
    """Moves a checked upload to importing, once: False if another request already did
    (a double click) or it is not ready."""
    claimed = ImportUpload.objects.filter(pk=upload.pk, state=State.CHECKED).update(
        state=State.IMPORTING
    )
    if not claimed:
        return False
    start(upload, dry_run=False)
    return True


def retry(upload: ImportUpload) -> bool:
    """Runs an interrupted job again; False unless it was interrupted (and not already
    retried by a parallel request)."""
    if not upload.interrupted:
        return False
    claimed = ImportUpload.objects.filter(
        pk=upload.pk, state=upload.state, worker=upload.worker
    ).update(worker="", attempts=upload.attempts + 1)
    if not claimed:
        return False
    start(upload, dry_run=upload.state == State.CHECKING)
    return True


def run(upload: ImportUpload, *, dry_run: bool, job: bool) -> None:
    """Reads the stored file through run_import and stores what it found. Never leaves
    the upload running: an unexpected error is stored as the summary's one problem (and
    re-raised in a job, so the task's result records it too)."""
    what = "check" if dry_run else "import"
    try:
        with import_storage().open(upload.file, "rb") as raw:
            binary, counter = counting(raw)
            options, owner = options_of(upload), upload.owner
            if job:
                with Heartbeat(upload.pk, counter):
                    result = run_import(binary, owner=owner, options=options, dry_run=dry_run)
            else:
                result = run_import(binary, owner=owner, options=options, dry_run=dry_run)
    except Exception:
        logger.exception("import %s of upload %s failed", what, upload.pk)
        _store(upload, State.CHECKED, failed(MSG_JOB_FAILED.format(what=what)))
        if job:
            raise
        return
    summary = summarise(result, dry_run=dry_run)
    if result.written:
        _store(upload, State.IMPORTED, summary)
        _delete_file(upload)
    else:
        _store(upload, State.CHECKED, summary)


def _store(upload: ImportUpload, state: str, summary: dict) -> None:
    """An update, not a save: the upload may have been cancelled while its check ran."""
    changes = {"state": state, "summary": summary, "worker": "", "bytes_read": upload.size}
    if state == State.IMPORTED:
        changes["finished_at"] = timezone.now()
    ImportUpload.objects.filter(pk=upload.pk).update(**changes)
    for name, value in changes.items():
        setattr(upload, name, value)


def _delete_file(upload: ImportUpload) -> None:
    if upload.file:
        import_storage().delete(upload.file)
        ImportUpload.objects.filter(pk=upload.pk).update(file="")
        upload.file = ""


def cancel(upload: ImportUpload) -> bool:
    """Deletes the upload and its file; False while its import is running (a check
    writes nothing, so it may be cancelled under the job's feet)."""
    working = upload.running and not upload.queued and not upload.interrupted
    if working and upload.state == State.IMPORTING:
        return False
    _delete_file(upload)
    upload.delete()
    return True


def _run_job(upload_id: int, *, dry_run: bool) -> None:
    state = State.CHECKING if dry_run else State.IMPORTING
    now = timezone.now()
    claimed = ImportUpload.objects.filter(pk=upload_id, state=state, worker="").update(
        worker=worker_name(), heartbeat_at=now
    )
    if not claimed:  # cancelled, expired or taken by another worker meanwhile
        return
    upload = ImportUpload.objects.select_related("owner").get(pk=upload_id)
    run(upload, dry_run=dry_run, job=True)


@task
def check_upload(upload_id: int) -> None:
    """The check (dry run) of a large upload."""
    _run_job(upload_id, dry_run=True)


@task
def import_upload(upload_id: int) -> None:
    """The import of a large, checked upload."""
    _run_job(upload_id, dry_run=False)


def clean_expired_uploads() -> int:
    """Deletes uploads older than their expiry (24 hours) with their files, and files
    that no upload names and are as old (left by a crash between saving a file and its
    record). A job still reporting is left alone. Returns how many were removed; for
    `manage.py clean_imports` and the scheduler."""
    now = timezone.now()
    removed = 0
    for upload in ImportUpload.objects.filter(expires_at__lte=now).iterator():
        if upload.running and upload.worker and not upload.interrupted:
            continue
        _delete_file(upload)
        upload.delete()
        removed += 1
    storage = import_storage()
    try:
        _, names = storage.listdir("")
    except FileNotFoundError:
        return removed
    known = set(ImportUpload.objects.exclude(file="").values_list("file", flat=True))
    for name in names:
        if name not in known and storage.get_modified_time(name) < now - EXPIRES_AFTER:
            storage.delete(name)
            removed += 1
    return removed
