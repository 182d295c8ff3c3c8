"""The batches of an import: records checked, then written by the bulk service."""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils import timezone

from predictions.models import Tag
from predictions.services import bulk, bulk_write, tags_for_names
from reports.imports.common import PredictionIn, Problems
from reports.imports.writing import keys
from reports.imports.writing.evidence import evidence_linker
from reports.imports.writing.preview import Summary
from reports.imports.writing.rows import check_existing, check_new

BATCH_SIZE = 2000


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
        self.tags: dict[str, Tag] = {}
        self.seen_keys: dict[str, int] = {}
        self.today = timezone.localdate()  # what "an actual date in the future" means

    def write(self, records: Sequence[PredictionIn]) -> Summary:
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
            raise RuntimeError("The import needs a database that returns ids from bulk inserts.")
        self.existing_keys = keys.import_keys(self.owner)
        self._prepare_tags(records)
        for start in range(0, len(records), BATCH_SIZE):
            self._batch(records[start : start + BATCH_SIZE])
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

    def _prepare_tags(self, records: Sequence[PredictionIn]) -> None:
        """Each record's tag names by the rules; the owner's tags, made once per file."""
        names: dict[str, str] = {}
        for rec in records:
            rec.tags, errors = bulk.check_tag_names(rec.tags)
            self.errors(rec, errors)
            for name in rec.tags:
                names.setdefault(name.lower(), name)
        if self.writing and names:
            self.tags = {
                tag.name.lower(): tag
                for tag in tags_for_names(owner=self.owner, names=names.values())
            }

    def _batch(self, records: Sequence[PredictionIn]) -> None:
        existing = keys.existing(self.owner, self.existing_keys, records)
        items: list[bulk.BulkPrediction] = []
        for rec in records:
            if rec.key in self.seen_keys:
                self.error(rec, None, f"the same prediction as row {self.seen_keys[rec.key]}")
                continue
            self.seen_keys[rec.key] = rec.row
            if rec.key in existing:
                item = check_existing(self, rec, existing[rec.key], same_account=False)
            elif rec.original_id is not None and rec.original_id in existing:
                item = check_existing(self, rec, existing[rec.original_id], same_account=True)
            else:
                item = check_new(self, rec)
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
    records: Sequence[PredictionIn] | Iterable[PredictionIn],
    *,
    owner,
    problems: Problems,
    dry_run: bool = False,
    columns: dict[str, str] | None = None,
) -> Summary:
    """Validates the records and, unless `dry_run` or a problem is found, writes them
    (call inside a transaction, which the caller rolls back if `problems` is set)."""
    writer = Writer(owner=owner, problems=problems, dry_run=dry_run, columns=columns)
    return writer.write(list(records))
