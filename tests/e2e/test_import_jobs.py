"""Browser journey: a file large enough to be a job, its progress bar, a reload mid-way.

The worker is django-tasks-db's own Worker loop on a thread of the test process, so it
sees the live server's test database (on SQLite an in-memory one, whose connection the
request threads, the worker and its heartbeat share); tests/reports/test_import_worker.py
runs a real `db_worker` process instead. Reading is slowed (a second per 64 KB read) so that a
small file takes a few seconds and the bar can be watched.
"""

import threading
import time

import pytest
from django.db import connections
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker

from predictions.models import Prediction
from reports.imports.progress import CountingReader, Heartbeat
from tests.e2e.test_journeys import assert_same_page, mark_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROWS = 6000  # about 300 KB: five 64 KB reads


def big_csv() -> bytes:
    lines = ["question,probability,created,resolve_by"]
    lines += [
        f"Browser claim number {i} holds,0.{i % 9 + 1},2024-01-02,2026-12-31" for i in range(ROWS)
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def worker(live_server, settings, monkeypatch):
    """Starts a batch worker (it runs the queued jobs, then stops) on a thread."""
    settings.FALSIFIABLE_IMPORT_INLINE_BYTES = 64 * 1024
    read = CountingReader.readinto

    def slow_read(self, buffer):
        # A second a read: the bar (polled every second) is seen at two values or more
        # between 0 and 100 even on a loaded machine.
        time.sleep(1.0)
        return read(self, buffer)

    monkeypatch.setattr(CountingReader, "readinto", slow_read)
    main = connections["default"]
    shared = main.vendor == "sqlite"
    overrides = live_server.thread.connections_override
    added = False
    if shared:
        # One in-memory database: a second connection to it fails at once ("schema is
        # locked") while another writes, so the server's request threads, the worker and
        # its heartbeat all use this one, as Django's own live server does.
        main.inc_thread_sharing()
        added = overrides.get("default") is not main  # pytest-django may have done it
        overrides["default"] = main
        beat = Heartbeat._run

        def shared_beat(self):
            connections["default"] = main
            beat(self)

        monkeypatch.setattr(Heartbeat, "_run", shared_beat)
    threads = []

    def start():
        loop = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"e2e-worker-{len(threads)}",
            excluded_queue_names=[],
        )

        def run():
            if shared:
                connections["default"] = main
            try:
                loop.run()
            finally:
                if not shared:
                    connections.close_all()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    for thread in threads:
        thread.join(timeout=60)
    # The browser's keep-alive connections close after this teardown, and their threads
    # then close `main`: its thread sharing stays on (as the live server's own does).
    if shared and added:
        overrides.pop("default", None)


def progress_value(page) -> int | None:
    bar = page.locator("#import-progress")
    if not bar.count():
        return None
    return int(bar.get_attribute("value") or 0)


def test_a_large_upload_shows_its_progress_in_place_and_after_a_reload(page, logged_in, worker):
    page.goto(reverse("reports:import_upload"))
    page.set_input_files(
        "#id_file", {"name": "big.csv", "mimeType": "text/csv", "buffer": big_csv()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/import/*/")
    assert "Waiting for a worker" in page.locator("#import-status").inner_text()
    worker()
    mark_page(page)
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = progress_value(page)
        if value is None:
            break
        if not seen or value != seen[-1]:
            seen.append(value)
        if len([v for v in seen if 0 < v < 100]) >= 2:
            break
        time.sleep(0.1)
    assert len([v for v in seen if 0 < v < 100]) >= 2, f"the bar did not advance: {seen}"
    assert seen == sorted(seen)
    assert_same_page(page)  # updated in place by htmx, not by reloading

    page.reload()  # mid-way: the page still shows the job
    assert progress_value(page) is not None
    assert "Checking the file" in page.locator("#import-status").inner_text()

    page.get_by_text(f"Will import {ROWS:,} predictions with {ROWS:,} forecasts").wait_for(
        timeout=60_000
    )
    assert not page.locator("#import-status[hx-trigger]").count()  # the polling stopped
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Waiting for a worker to start the import").wait_for()
    worker()
    page.get_by_text(f"Imported {ROWS:,} predictions with {ROWS:,} forecasts").wait_for(
        timeout=60_000
    )
    assert Prediction.objects.filter(owner=logged_in).count() == ROWS
    page.console.assert_clean()
