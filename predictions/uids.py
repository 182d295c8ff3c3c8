"""The global uid of a new prediction (`Prediction.uid`)."""

import os
import uuid
from time import time_ns


def new_uid() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): the creation time in milliseconds, then 74 random
    bits. As unique as a UUID4, but ordered by time, so the rows of a large import
    append to the unique `uid` index instead of landing on random pages of it
    (docs/decisions/0019-import-rows-without-instances.md). The time it shows is the
    prediction's creation, which its exports state anyway."""
    ms = time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10))  # 80 bits, 74 of them used
    rand_a, rand_b = rand >> 68, rand & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b)
