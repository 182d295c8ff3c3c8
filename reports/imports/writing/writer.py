"""The batches of an import: records checked, then written by the bulk service.

Records arrive as a stream and are taken BATCH_SIZE at a time; nothing of a batch is
kept once it is written except the counts and the first rows of the preview
(`Summary`), the owner's tags met so far, and an 8-byte digest per prediction key to
refuse the same prediction twice in one file (`SeenKeys`: 8 MB a million). Memory
therefore stays flat whatever the size of the file (tests/perf/bench_import_memory.py).
"""

import hashlib
from collections.abc import Iterable, Sequence
from itertools import islice

import numpy as np
from django.db import connection
from django.utils import timezone

from predictions.models import Prediction, Tag
from predictions.services import bulk, bulk_write, tags_for_names
from reports.imports.common import MSG_NO_ROWS, PredictionIn, Problems
from reports.imports.writing import keys
from reports.imports.writing.evidence import evidence_linker
from reports.imports.writing.preview import Summary
from reports.imports.writing.rows import check_existing, check_new

BATCH_SIZE = 2000
MSG_TWICE = "the same prediction as an earlier row of the file"


def key_digest(key: str) -> int:
    """A prediction key as 8 bytes: two different keys share a digest with odds of
    about n²/2⁶⁵ (1 in 37 million for a million predictions)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


class SeenKeys:
    """The digests of the prediction keys of earlier batches, as a few sorted arrays of
    8-byte integers: 8 MB for a million keys, where a set of Python ints took some 70.
    Each batch adds an array; two arrays of equal size are merged, so there are at
    most log2(keys / batch) of them to search and each digest is copied as often."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def earlier(self, digests: Sequence[int]) -> np.ndarray:
        """For each digest, whether an earlier batch had it."""
        wanted = np.fromiter(digests, dtype=np.uint64, count=len(digests))
        found = np.zeros(len(wanted), dtype=bool)
        for run in self.runs:
            at = np.searchsorted(run, wanted)
            at[at == len(run)] = 0
            found |= run[at] == wanted
        return found

    def add(self, digests: set[int]) -> None:
        if not digests:
            return
        self.runs.append(np.sort(np.fromiter(digests, dtype=np.uint64, count=len(digests))))
        while len(self.runs) > 1 and len(self.runs[-2]) <= len(self.runs[-1]):
            last = self.runs.pop()
            self.runs[-1] = np.sort(np.concatenate((self.runs[-1], last)))


class Writer:
    """Validates and (unless `dry_run`) writes records for `owner`.

    `columns` maps model field names to the file's column names, so messages name the
    column the user sees ("Question title" rather than "question").
    """

    def __init__(
        self,
        *,
        owner,
        problems: Problems,
        dry_run: bool = False,
        columns: dict[str, str] | None = None,
    ) -> None:
        self.owner = owner
        self.problems = problems
        self.dry_run = dry_run
        self.columns = columns or {}
        self.summary = Summary()
        self.records = 0  # records read from the file, valid or not
        self.tags: dict[str, Tag] = {}  # lower-case name -> the owner's tag, as met
        self.seen = SeenKeys()  # every prediction key of earlier batches
        self.today = timezone.localdate()  # what "an actual date in the future" means
        # A record can match only a prediction the account had when the import began:
        # one written by an earlier batch of this file is refused by `seen` first. An
        # account that had none (a first import) is spared the per-batch lookups, whose
        # random probes into the key indexes grew with the table (a quarter of a
        # 1,000,000-row import's time; docs/decisions/0019-import-rows-without-instances.md).
        self.had_predictions = Prediction.objects.filter(owner=owner).exists()

    def write(self, records: Iterable[PredictionIn]) -> Summary:
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
            raise RuntimeError("The import needs a database that returns ids from bulk inserts.")
        stream = iter(records)
        while batch := list(islice(stream, BATCH_SIZE)):
            self.records += len(batch)
            self._batch(batch)
        return self.summary

    # --- problems at the row and column the user sees ---

    def error(self, rec: PredictionIn, column: str | None, message: str, row: int | None = None):
        name = self.columns.get(column, column) if column else None
        self.problems.add(rec.row if row is None else row, name, message, rec.unit)

    def errors(self, rec: PredictionIn, pairs: bulk.Errors, row: int | None = None, prefix=""):
        for name, message in pairs:
            self.error(rec, f"{prefix}{name}" if name else prefix.rstrip(".") or None, message, row)

    @property
    def writing(self) -> bool:
        return not self.dry_run and not self.problems

    def _prepare_tags(self, records: list[PredictionIn]) -> None:
        """Each record's tag names by the rules; the batch's new names made into the
        owner's tags (once per import: later batches find them in `self.tags`)."""
        names: dict[str, str] = {}
        for rec in records:
            rec.tags, errors = bulk.check_tag_names(rec.tags)
            self.errors(rec, errors)
            for name in rec.tags:
                if name.lower() not in self.tags:
                    names.setdefault(name.lower(), name)
        if self.writing and names:
            for tag in tags_for_names(owner=self.owner, names=names.values()):
                self.tags[tag.name.lower()] = tag

    def _batch(self, records: list[PredictionIn]) -> None:
        fresh = []
        digests = [key_digest(rec.key) for rec in records]
        batch: set[int] = set()
        for rec, digest, earlier in zip(records, digests, self.seen.earlier(digests), strict=True):
            if earlier or digest in batch:
                self.error(rec, None, MSG_TWICE)
                continue
            batch.add(digest)
            fresh.append(rec)
        self.seen.add(batch)
        self._prepare_tags(fresh)
        existing = keys.existing(self.owner, fresh) if self.had_predictions else {}
        items: list[bulk.BulkPrediction] = []
        for rec in fresh:
            found = existing.get(rec.key)
            item = check_new(self, rec) if found is None else check_existing(self, rec, found)
            if item is not None:
                items.append(item)
                self.summary.add(item)
        if self.writing:
            bulk_write.write(
                owner=self.owner,
                items=items,
                tags=self.tags,
                link_evidence=evidence_linker(self.owner),
            )


def write_records(
    records: Iterable[PredictionIn],
    *,
    owner,
    problems: Problems,
    dry_run: bool = False,
    columns: dict[str, str] | None = None,
) -> Summary:
    """Validates the records as they come and, unless `dry_run` or a problem is found,
    writes them a batch at a time (call inside a transaction, which the caller rolls
    back if `problems` is set: a problem found late leaves earlier batches written)."""
    writer = Writer(owner=owner, problems=problems, dry_run=dry_run, columns=columns)
    writer.write(records)
    if not writer.records and not problems:
        problems.add(None, None, MSG_NO_ROWS)
    return writer.summary
