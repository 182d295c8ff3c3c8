"""Grouping a CSV's rows into predictions in bounded memory, for the formats whose rows
of one prediction need not be adjacent (Fatebook, PredictionBook's CSV, the generic
CSV).

Groups stay open while rows arrive; once more than MAX_OPEN_GROUPS are open, the one
touched longest ago is finished and handed on. Files written by those tools keep a
question's rows together or close, so this changes nothing for them, while a file of a
million questions never holds more than MAX_OPEN_GROUPS. A row of a group that was
already handed on is refused at its row and column (it would otherwise become a second
prediction of the same question): one 8-byte digest per closed group remembers them.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

MAX_OPEN_GROUPS = 10_000
MSG_TOO_FAR_APART = (
    "this prediction's rows are more than {limit:,} predictions apart in the file; "
    "put its rows together (sort by it) and import again"
)


def _digest(key: Hashable) -> int:
    return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "little")


class OpenGroups:
    """Open groups by key, finished by `finish(group)` (returning a record or None) when
    evicted (the one touched longest ago first) or at the end (`close`, in the order the
    groups first appeared, so a file that needs no eviction reads as it is written)."""

    def __init__(self, finish: Callable[[Any], Any]) -> None:
        self.finish = finish
        self.limit = MAX_OPEN_GROUPS
        self.open: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()  # (order, group)
        self.opened = 0
        self.closed: set[int] = set()

    def get(self, key: Hashable) -> Any:
        """The open group of `key`, or None; marks it as just touched."""
        entry = self.open.get(key)
        if entry is None:
            return None
        self.open.move_to_end(key)
        return entry[1]

    def was_closed(self, key: Hashable) -> bool:
        return bool(self.closed) and _digest(key) in self.closed

    def add(self, key: Hashable, group: Any) -> Iterator[Any]:
        """Opens `group` under `key`; yields the records of the groups this evicts."""
        self.open[key] = (self.opened, group)
        self.opened += 1
        while len(self.open) > self.limit:
            old_key, (_, old) = self.open.popitem(last=False)
            self.closed.add(_digest(old_key))
            record = self.finish(old)
            if record is not None:
                yield record

    def close(self) -> Iterator[Any]:
        """The records of every group still open, in order."""
        entries = sorted(self.open.values(), key=lambda entry: entry[0])
        self.open.clear()
        for _, group in entries:
            record = self.finish(group)
            if record is not None:
                yield record
