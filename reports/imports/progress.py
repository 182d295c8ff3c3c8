"""A job's progress: how far into the file the parser has read, saved twice a second.

The saving happens on a thread of its own, with its own database connection, because the
import itself runs in one transaction: a progress row written inside it would be seen by
nobody until the end (and undone by a crash). On PostgreSQL the heartbeat thread writes
throughout; on SQLite the import's transaction holds the only write lock, so the thread's
writes wait until it commits (reports.models.ImportUpload.interrupted allows for that).
"""

from __future__ import annotations

import contextlib
import io
import threading
from typing import IO

from django.db import DatabaseError, connections
from django.utils import timezone

SAVE_EVERY = 0.5  # seconds


class CountingReader(io.RawIOBase):
    """A seekable binary file that remembers the furthest offset read from it."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self.raw = raw
        self.furthest = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.furthest = max(self.furthest, self.raw.tell())
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()


def counting(raw: IO[bytes]) -> tuple[io.BufferedReader, CountingReader]:
    """The file as the parsers read it (buffered, with readline) and its counter."""
    counter = CountingReader(raw)
    return io.BufferedReader(counter, buffer_size=64 * 1024), counter


class Heartbeat:
    """While active, saves the counter's offset and the time on the upload's row."""

    def __init__(self, upload_id: int, counter: CountingReader) -> None:
        self.upload_id = upload_id
        self.counter = counter
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-{upload_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from reports.models import ImportUpload

        try:
            while not self._stop.wait(SAVE_EVERY):
                # Locked for longer than the busy timeout: the next beat tries again.
                with contextlib.suppress(DatabaseError):
                    ImportUpload.objects.filter(pk=self.upload_id).update(
                        bytes_read=self.counter.furthest, heartbeat_at=timezone.now()
                    )
        finally:
            connections.close_all()  # this thread's connections only
