"""The import pages: upload → check → confirm → import, stored as ImportUpload records.

Covers the flow for small (inline) and large (job) files, that a GET never reads the file
again, the bounded header, the per-user cap, cancelling, expiry, the private upload
directory, and 404 for another account on every import URL. The job functions run here
in-process (`.call`); tests/reports/test_import_worker.py runs them in a real worker.
"""

import contextlib
import io
import json
import os
import stat
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports.imports import jobs, run_import
from reports.imports.common import MAX_COLUMNS, MAX_HEADER_BYTES
from reports.imports.storage import (
    PrivateFileSystemStorage,
    UnsafeImportDirectory,
    check_import_storage,
    import_storage,
)
from reports.models import THIS_HOST, ImportUpload
from tests.predictions.factories import UserFactory
from tests.reports.test_export import export_json, history
from tests.reports.test_import import GOOD_HEADER, counts, fixture

UPLOAD = reverse("reports:import_upload")
State = ImportUpload.State


def generic_rows(count: int) -> bytes:
    lines = ["question,probability,created,resolve_by"]
    lines += [f"Claim number {i} holds,0.{i % 9 + 1},2024-01-02,2026-12-31" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def dead_pid() -> int:
    """A process id no process has (the highest pid the kernel allows is never reached)."""
    return 2**22 + 1


class ImportPageBase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.other = UserFactory()
        cls.source = UserFactory()
        history(cls.source)
        cls.export = json.dumps(export_json(cls.source)).encode()

    def setUp(self):
        self.client.force_login(self.user)

    def upload(self, content: bytes, name="export.json", client=None, **fields):
        data = {"file": SimpleUploadedFile(name, content), "format": "auto", **fields}
        return (client or self.client).post(UPLOAD, data)

    def uploaded(self, content: bytes, name="export.json", **fields) -> ImportUpload:
        response = self.upload(content, name=name, **fields)
        assert response.status_code == 302, response.content.decode()[:2000]
        token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        return ImportUpload.objects.get(token=token)

    def url(self, name: str, upload: ImportUpload) -> str:
        return reverse(f"reports:{name}", args=[upload.token])


class SmallFileTests(ImportPageBase):
    """Files up to FALSIFIABLE_IMPORT_INLINE_BYTES: checked and imported in the request."""

    def test_upload_preview_confirm(self):
        response = self.client.get(UPLOAD)
        assert response.status_code == 200
        assert b'enctype="multipart/form-data"' in response.content
        upload = self.uploaded(self.export)
        assert upload.state == State.CHECKED
        assert upload.owner == self.user
        response = self.client.get(self.url("import_preview", upload))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Will import 5 predictions with 8 forecasts" in text
        assert "GPT-4 will be announced this week (by OpenAI)" in text
        assert counts(self.user)[0] == 0  # the check writes nothing
        assert import_storage().exists(upload.file)
        response = self.client.post(self.url("import_confirm", upload))
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:list")
        assert counts(self.user)[:2] == (5, 8)
        upload.refresh_from_db()
        stored = ImportUpload.objects.get(pk=upload.pk)
        # The file is deleted; the record stays (no longer pending) to say what happened.
        assert stored.state == State.IMPORTED
        assert stored.file == ""
        assert stored.finished_at
        assert not jobs.pending(self.user).exists()
        page = self.client.get(self.url("import_preview", upload)).content.decode()
        assert "Imported 5 predictions with 8 forecasts" in page
        assert "Nothing has been saved yet" not in page
        # Confirming again imports nothing more.
        again = self.client.post(self.url("import_confirm", upload))
        assert again.status_code == 302
        assert counts(self.user)[:2] == (5, 8)

    def test_errors_are_listed_and_confirm_is_refused(self):
        upload = self.uploaded(GOOD_HEADER.encode() + b"x,170%,2020-01-01\n", name="bad.csv")
        preview = self.client.get(self.url("import_preview", upload))
        assert preview.status_code == 200
        message = "row 2, column Chance: expected a probability between 0% and 100%, got 170%"
        assert message in preview.content.decode()
        assert b'role="alert"' in preview.content
        assert b"Upload and preview" not in preview.content
        confirm = self.client.post(self.url("import_confirm", upload))
        assert confirm.status_code == 422
        assert message in confirm.content.decode()
        assert counts(self.user)[0] == 0

    def test_generic_mapping_on_the_page(self):
        upload = self.uploaded(b"What,p\nIt works,0.25\n", name="mine.csv")
        preview_url = self.url("import_preview", upload)
        page = self.client.get(preview_url).content.decode()
        assert "Which column holds what?" in page
        assert "row 1: choose which column holds the question" in page
        self.client.post(
            preview_url, {"question": "What", "probability": "p", "probability_scale": "auto"}
        )
        page = self.client.get(preview_url).content.decode()
        assert "Will import 1 prediction with 1 forecast" in page

    def test_a_mapping_to_a_column_the_file_lacks_is_refused_next_to_the_field(self):
        upload = self.uploaded(b"What,p\nIt works,0.25\n", name="mine.csv")
        response = self.client.post(
            self.url("import_preview", upload),
            {"question": "<script>alert(1)</script>", "probability": "p"},
        )
        assert response.status_code == 200
        form = response.context["mapping"]
        assert "question" in form.errors
        assert b"<script>alert(1)</script>" not in response.content
        upload.refresh_from_db()
        assert upload.columns == {}  # nothing changed

    def test_fatebook_name_on_the_page(self):
        upload = self.uploaded(fixture("fatebook.csv"), name="fatebook.csv")
        preview_url = self.url("import_preview", upload)
        page = self.client.get(preview_url).content.decode()
        assert "Several people forecast" in page
        assert "Charles Babbage" in page
        self.client.post(preview_url, {"fatebook_name": "Ada Lovelace"})
        page = self.client.get(preview_url).content.decode()
        assert "Will import 5 predictions with 6 forecasts" in page

    @override_settings(FALSIFIABLE_MAX_UPLOAD_BYTES=1000)
    def test_size_cap(self):
        response = self.upload(b"Claim,Chance\n" + b"x,0.5\n" * 300)
        assert response.status_code == 413
        assert "The file is larger than 1000" in response.content.decode()
        response = self.upload(b"Claim,Chance\n" + b"x,0.5\n" * 100_000)  # refused unread
        assert response.status_code == 413
        assert not ImportUpload.objects.exists()

    def test_zero_byte_upload(self):
        response = self.upload(b"", name="empty.csv")
        assert response.status_code == 200
        assert "The file is empty (0 bytes)." in response.content.decode()
        assert not ImportUpload.objects.exists()

    def test_cancel_deletes_the_file_and_the_record(self):
        upload = self.uploaded(fixture("generic.csv"), name="generic.csv")
        assert import_storage().exists(upload.file)
        response = self.client.post(self.url("import_cancel", upload))
        assert response.status_code == 302
        assert not import_storage().exists(upload.file)
        assert not ImportUpload.objects.filter(pk=upload.pk).exists()
        assert self.client.get(self.url("import_preview", upload)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self):
        self.client.logout()
        response = self.client.get(UPLOAD)
        assert response.status_code == 302
        assert "login" in response["Location"]

    def test_upload_requires_the_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user)
        response = client.post(
            UPLOAD, {"file": SimpleUploadedFile("a.csv", fixture("generic.csv"))}
        )
        assert response.status_code == 403
        assert not ImportUpload.objects.exists()

    def test_markup_in_the_name_and_header_is_shown_escaped(self):
        content = b"<b>question</b>,probability\nIt works,0.25\n"
        upload = self.uploaded(content, name="<img src=x onerror=alert(1)>.csv")
        page = self.client.get(self.url("import_preview", upload)).content.decode()
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
        assert "<b>question</b>" not in page


class StoredSummaryTests(ImportPageBase):
    """The page is rendered from the stored summary: a GET never parses the file."""

    def test_the_preview_and_status_never_parse_the_file_again(self):
        with mock.patch("reports.imports.jobs.run_import", wraps=run_import) as parse:
            upload = self.uploaded(self.export)
            assert parse.call_count == 1
            for _ in range(3):
                assert self.client.get(self.url("import_preview", upload)).status_code == 200
                assert self.client.get(self.url("import_status", upload)).status_code == 200
            assert parse.call_count == 1
            import_storage().delete(upload.file)  # even with the file gone, the page renders
            page = self.client.get(self.url("import_preview", upload))
            assert page.status_code == 200
            assert b"Will import 5 predictions" in page.content
            assert parse.call_count == 1

    def test_a_header_of_100000_columns_is_one_row_1_message_on_a_small_page(self):
        header = ",".join(f"c{i}" for i in range(100_000)).encode()  # 0.69 MB
        for fmt in ("auto", "generic"):
            upload = self.uploaded(header + b"\n" + b"x,0.5\n", name="bomb.csv", format=fmt)
            page = self.client.get(self.url("import_preview", upload))
            text = page.content.decode()
            assert f"row 1: the header is longer than {MAX_HEADER_BYTES:,} bytes" in text
            assert len(page.content) < 50_000, len(page.content)
            assert len(json.dumps(upload.summary)) < 5_000
            assert "Which column holds what?" not in text  # no choices from an unread header
            self.client.post(self.url("import_cancel", upload))

    def test_too_many_columns_and_a_long_column_name_are_row_1_messages(self):
        wide = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)).encode() + b"\nx\n"
        upload = self.uploaded(wide, name="wide.csv")
        assert upload.summary["problems"] == [
            f"row 1: the header has {MAX_COLUMNS + 1} columns; at most {MAX_COLUMNS} are read."
        ]
        long_name = b"question,probability," + b"n" * 201 + b"\nx,0.5,\n"
        upload = self.uploaded(long_name, name="long.csv")
        assert upload.summary["problems"] == [
            "row 1, column 3: the column name is longer than 200 characters."
        ]
        # Exactly at the bounds, the header is read and offered.
        fits = ",".join(f"c{i:03d}" for i in range(MAX_COLUMNS)).encode() + b"\nx,0.5\n"
        upload = self.uploaded(fits, name="fits.csv", format="generic")
        assert len(upload.summary["header"]) == MAX_COLUMNS
        assert (
            "Which column holds what?"
            in self.client.get(self.url("import_preview", upload)).content.decode()
        )


@override_settings(FALSIFIABLE_MAX_PENDING_IMPORTS=3)
class PendingCapTests(ImportPageBase):
    def test_the_fourth_pending_upload_is_refused_next_to_the_file_field(self):
        uploads = [self.uploaded(fixture("generic.csv"), name=f"{i}.csv") for i in range(3)]
        response = self.upload(fixture("generic.csv"), name="fourth.csv")
        assert response.status_code == 200
        errors = response.context["form"].errors["file"]
        assert errors == [
            "You already have 3 uploads waiting to be imported or cancelled (the limit is 3); "
            "finish or cancel one of them first."
        ]
        assert ImportUpload.objects.filter(owner=self.user).count() == 3
        assert len(import_storage().listdir("")[1]) >= 3
        stored = {u.file for u in uploads}
        assert all(import_storage().exists(name) for name in stored)
        # The page lists the waiting uploads, so they can be finished or cancelled.
        for upload in uploads:
            assert self.url("import_preview", upload) in response.content.decode()
        # Another account is not affected.
        other = Client()
        other.force_login(self.other)
        assert self.upload(fixture("generic.csv"), client=other).status_code == 302
        # Importing one and cancelling another frees two places.
        self.client.post(self.url("import_confirm", uploads[0]))
        self.client.post(self.url("import_cancel", uploads[1]))
        assert self.upload(fixture("generic.csv"), name="a.csv").status_code == 302
        assert self.upload(fixture("generic.csv"), name="b.csv").status_code == 302
        assert self.upload(fixture("generic.csv"), name="c.csv").status_code == 200

    def test_the_count_is_taken_again_under_a_lock_when_the_record_is_created(self):
        """Two parallel uploads both past the first count: the second one's file is
        deleted and it gets the message."""
        for i in range(2):
            self.uploaded(fixture("generic.csv"), name=f"{i}.csv")
        files_before = set(import_storage().listdir("")[1])
        with mock.patch.object(jobs, "too_many_message", side_effect=["", "full"]):
            response = self.upload(fixture("generic.csv"), name="racing.csv")
        assert response.context["form"].errors["file"] == ["full"]
        assert set(import_storage().listdir("")[1]) == files_before


@override_settings(FALSIFIABLE_IMPORT_INLINE_BYTES=100)
class JobTests(ImportPageBase):
    """Files over the inline size: the request enqueues a job and returns at once.

    The jobs run here without their heartbeat thread: its own connection to SQLite's
    in-memory test database could never be closed (Django keeps those open), and the
    heartbeat is what the worker and browser tests watch."""

    def setUp(self):
        super().setUp()
        quiet = mock.patch("reports.imports.jobs.Heartbeat", return_value=contextlib.nullcontext())
        quiet.start()
        self.addCleanup(quiet.stop)

    def status(self, upload) -> str:
        response = self.client.get(self.url("import_status", upload), headers={"HX-Request": "1"})
        assert response.status_code == 200
        return response.content.decode()

    def test_check_and_import_run_as_jobs_with_progress(self):
        upload = self.uploaded(self.export)
        assert upload.state == State.CHECKING
        assert upload.queued
        assert counts(self.user)[0] == 0
        task = DBTaskResult.objects.get()
        assert task.task_path == "reports.imports.jobs.check_upload"
        assert task.args_kwargs["args"] == [upload.pk]
        page = self.client.get(self.url("import_preview", upload)).content.decode()
        assert "Waiting for a worker to start the check" in page
        assert f'hx-get="{self.url("import_status", upload)}"' in page
        assert 'hx-trigger="every 1s"' in page
        # A worker has read half of the file.
        ImportUpload.objects.filter(pk=upload.pk).update(
            worker=f"{THIS_HOST}:{os.getpid()}",
            bytes_read=upload.size * 4 // 10 + 1,
            heartbeat_at=timezone.now(),
        )
        partial = self.status(upload)
        assert "Checking the file: 40% read" in partial
        assert '<progress id="import-progress" max="100" value="40"' in partial
        assert 'hx-trigger="every 1s"' in partial
        assert "<html" not in partial  # the block alone
        ImportUpload.objects.filter(pk=upload.pk).update(worker="")
        jobs.check_upload.call(upload.pk)
        upload.refresh_from_db()
        assert upload.state == State.CHECKED
        assert upload.bytes_read == upload.size
        partial = self.status(upload)
        assert "hx-trigger" not in partial  # the polling stops
        assert "Will import 5 predictions with 8 forecasts" in partial
        response = self.client.post(self.url("import_confirm", upload))
        assert response.status_code == 302
        assert response["Location"] == self.url("import_preview", upload)  # its progress
        assert counts(self.user)[0] == 0
        upload.refresh_from_db()
        assert upload.state == State.IMPORTING
        task = DBTaskResult.objects.order_by("-enqueued_at").first()
        assert task.task_path == "reports.imports.jobs.import_upload"
        assert "Waiting for a worker to start the import" in self.status(upload)
        # A second click while it waits starts nothing more.
        self.client.post(self.url("import_confirm", upload))
        assert DBTaskResult.objects.count() == 2
        jobs.import_upload.call(upload.pk)
        upload.refresh_from_db()
        assert upload.state == State.IMPORTED
        assert upload.file == ""
        assert counts(self.user)[:2] == (5, 8)
        assert "Imported 5 predictions with 8 forecasts" in self.status(upload)
        # A job enqueued twice (a retry racing a slow worker) finds nothing to do.
        jobs.import_upload.call(upload.pk)
        assert counts(self.user)[:2] == (5, 8)

    def test_an_interrupted_job_is_shown_and_can_be_retried(self):
        upload = self.uploaded(self.export)
        jobs.check_upload.call(upload.pk)
        self.client.post(self.url("import_confirm", upload))
        # Its worker on this machine died (kill -9): the row still names it.
        ImportUpload.objects.filter(pk=upload.pk).update(
            worker=f"{THIS_HOST}:{dead_pid()}", heartbeat_at=timezone.now()
        )
        partial = self.status(upload)
        assert "The import stopped unexpectedly" in partial
        assert "nothing was written" in partial
        assert "hx-trigger" not in partial
        assert self.url("import_retry", upload) in partial
        response = self.client.post(self.url("import_retry", upload))
        assert response.status_code == 302
        upload.refresh_from_db()
        assert upload.state == State.IMPORTING
        assert upload.queued
        assert upload.attempts == 1
        assert DBTaskResult.objects.filter(task_path__endswith="import_upload").count() == 2
        # Retrying a job that is not interrupted does nothing.
        self.client.post(self.url("import_retry", upload))
        assert DBTaskResult.objects.count() == 3
        jobs.import_upload.call(upload.pk)
        assert counts(self.user)[:2] == (5, 8)

    def test_a_worker_on_another_machine_is_judged_by_its_heartbeat(self):
        upload = self.uploaded(self.export)
        ImportUpload.objects.filter(pk=upload.pk).update(
            worker="elsewhere:123", heartbeat_at=timezone.now()
        )
        assert "Checking the file" in self.status(upload)
        ImportUpload.objects.filter(pk=upload.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=1)
        )
        assert "The check stopped unexpectedly" in self.status(upload)

    def test_a_running_import_cannot_be_cancelled_but_a_check_can(self):
        upload = self.uploaded(self.export)
        alive = {"worker": f"{THIS_HOST}:{os.getpid()}", "heartbeat_at": timezone.now()}
        ImportUpload.objects.filter(pk=upload.pk).update(state=State.IMPORTING, **alive)
        response = self.client.post(self.url("import_cancel", upload), follow=True)
        assert "it can be cancelled only once it has stopped" in response.content.decode()
        assert import_storage().exists(upload.file)
        ImportUpload.objects.filter(pk=upload.pk).update(state=State.CHECKING)
        self.client.post(self.url("import_cancel", upload))
        assert not ImportUpload.objects.filter(pk=upload.pk).exists()
        assert not import_storage().exists(upload.file)
        jobs.check_upload.call(upload.pk)  # the queued job finds nothing, and fails nothing

    def test_a_job_that_raises_leaves_a_message_and_nothing_written(self):
        upload = self.uploaded(self.export)
        boom = mock.patch("reports.imports.jobs.run_import", side_effect=RuntimeError("boom"))
        with boom, contextlib.suppress(RuntimeError):
            jobs.check_upload.call(upload.pk)
        upload.refresh_from_db()
        assert upload.state == State.CHECKED
        page = self.client.get(self.url("import_preview", upload)).content.decode()
        assert "The check stopped with an error; nothing was written." in page
        assert self.url("import_confirm", upload) not in page


class IsolationTests(ImportPageBase):
    def test_another_accounts_token_is_404_on_every_import_url(self):
        upload = self.uploaded(self.export)
        self.client.force_login(self.other)
        for name, method in (
            ("import_preview", "get"),
            ("import_preview", "post"),
            ("import_status", "get"),
            ("import_confirm", "post"),
            ("import_retry", "post"),
            ("import_cancel", "post"),
        ):
            response = getattr(self.client, method)(self.url(name, upload))
            assert response.status_code == 404, (name, method, response.status_code)
        assert counts(self.other)[0] == 0
        assert counts(self.user)[0] == 0
        upload.refresh_from_db()
        assert upload.state == State.CHECKED
        assert import_storage().exists(upload.file)

    def test_an_expired_upload_is_404(self):
        upload = self.uploaded(self.export)
        with time_machine.travel(timezone.now() + timedelta(hours=25)):
            assert self.client.get(self.url("import_preview", upload)).status_code == 404


class CleanTests(ImportPageBase):
    def test_expired_uploads_and_orphaned_files_are_deleted(self):
        old = self.uploaded(self.export)
        imported = self.uploaded(fixture("generic.csv"), name="generic.csv")
        self.client.post(self.url("import_confirm", imported))
        storage = import_storage()
        orphan = storage.save("orphan.upload", ContentFile(b"x"))
        past = (timezone.now() - timedelta(hours=25)).timestamp()
        os.utime(storage.path(orphan), (past, past))
        recent = storage.save("recent.upload", ContentFile(b"x"))
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            assert jobs.clean_expired_uploads() == 1  # the orphan only
        fresh = self.uploaded(fixture("generic.csv"), name="fresh.csv")
        with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
            out = io.StringIO()
            call_command("clean_imports", stdout=out)
            assert out.getvalue().startswith("Removed ")
        assert not ImportUpload.objects.filter(pk__in=[old.pk, imported.pk, fresh.pk]).exists()
        assert not storage.exists(old.file)
        assert not storage.exists(orphan)
        storage.delete(recent)


class PrivateDirectoryTests(TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(self.root, ignore_errors=True))

    def test_the_directory_is_created_private_and_files_are_0600(self):
        storage = PrivateFileSystemStorage(location=self.root / "a" / "imports")
        name = storage.save("x.upload", ContentFile(b"data"))
        assert stat.S_IMODE((self.root / "a" / "imports").stat().st_mode) == 0o700
        assert stat.S_IMODE(Path(storage.path(name)).stat().st_mode) == 0o600

    def test_a_directory_others_may_write_or_own_is_refused(self):
        shared = self.root / "shared"
        shared.mkdir()
        shared.chmod(0o777)
        storage = PrivateFileSystemStorage(location=shared)
        with pytest.raises(UnsafeImportDirectory, match=r"by everyone \(mode 777\)"):
            storage.save("x.upload", ContentFile(b"data"))
        assert list(shared.iterdir()) == []
        shared.chmod(0o700)
        another = mock.patch("os.getuid", return_value=os.getuid() + 1)
        with another, pytest.raises(UnsafeImportDirectory, match="belongs to another user"):
            storage.ensure_private()

    def test_the_start_up_check_and_the_upload_say_so(self):
        shared = self.root / "shared"
        shared.mkdir()
        shared.chmod(0o770)
        storages = {
            "imports": {
                "BACKEND": "reports.imports.storage.PrivateFileSystemStorage",
                "OPTIONS": {"location": str(shared)},
            },
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages):
            errors = check_import_storage()
            assert [e.id for e in errors] == ["reports.E001"]
            assert "group or by everyone" in errors[0].msg
            user = UserFactory()
            self.client.force_login(user)
            with self.assertLogs("reports.import_views", "ERROR"):
                response = self.client.post(
                    UPLOAD, {"file": SimpleUploadedFile("a.csv", b"a,b\n"), "format": "auto"}
                )
            assert response.status_code == 503
            assert "Uploads cannot be stored on this server" in response.content.decode()
            assert not ImportUpload.objects.exists()
            assert list(shared.iterdir()) == []
