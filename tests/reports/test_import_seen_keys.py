"""The digests of earlier batches' prediction keys (`SeenKeys`), against a plain set."""

import random

from reports.imports.writing.writer import SeenKeys, key_digest


def test_earlier_batches_are_found_however_the_arrays_were_merged():
    rng = random.Random(11)
    seen, oracle = SeenKeys(), set()
    pool = [rng.getrandbits(64) for _ in range(3000)] + [0, 2**64 - 1]  # both extremes
    for size in [1, 1, 2, 5, 64, 7, 300, 1, 1000, 33, 2]:
        batch = [rng.choice(pool) for _ in range(size)]
        assert list(seen.earlier(batch)) == [d in oracle for d in batch]
        seen.add(set(batch) - oracle)  # as the writer adds them: the ones not refused
        oracle |= set(batch)
    assert sorted(int(d) for run in seen.runs for d in run) == sorted(oracle)
    # Merged as a binary counter: few arrays, each sorted.
    assert len(seen.runs) <= 1 + len(oracle).bit_length()
    assert all(list(run) == sorted(run) for run in seen.runs)


def test_nothing_seen_at_first_and_an_empty_batch():
    seen = SeenKeys()
    assert list(seen.earlier([key_digest("a")])) == [False]
    seen.add(set())
    assert seen.runs == []
    seen.add({key_digest("a")})
    assert list(seen.earlier([key_digest("a"), key_digest("b")])) == [True, False]
