"""Import of prediction histories: our own JSON and CSV exports, Fatebook's CSV,
PredictionBook's CSV and API JSON, and any CSV of yes/no predictions.

`run_import(file, owner=..., options=...)` detects the format (unless told), parses the
file a row at a time into a stream of records, and hands them to the one writer
(`reports.imports.writing`), which takes them a batch at a time: memory does not grow
with the file. All or nothing: the whole import is one transaction, and
any problem (every one is collected, with its row and column) means nothing is written.
Idempotent: every prediction and forecast carries an import key derived from the
source row (for our own exports, from the prediction's uid), and rows already imported
are skipped; records match by those keys only, never by a primary key. `dry_run=True`
validates and counts without writing, for the upload page's preview.

Detection (`detect_format`): JSON with a `format_version` is ours; other JSON with a
list of predictions is PredictionBook's API. A CSV header with `Question title` and
`Forecast created by` is Fatebook's; with `prediction_id`, `forecast_id`, `question`
and `probability` ours; with `confidence` and `deadline` PredictionBook's; anything
else is read as the generic CSV.
"""

from __future__ import annotations

import csv
import gc
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from reports.imports import fatebook, generic_csv, ours_csv, ours_json, predictionbook
from reports.imports.common import FileProblem, Problems, sniff
from reports.imports.writing import Summary, write_records

FORMATS = {
    "json": ours_json,
    "csv": ours_csv,
    "fatebook": fatebook,
    "predictionbook": predictionbook,
    "generic": generic_csv,
}
FORMAT_CHOICES = ["auto", *FORMATS]
FORMAT_LABELS = {
    "auto": "Detect from the file",
    "json": "Falsifiable JSON export",
    "csv": "Falsifiable CSV export",
    "fatebook": "Fatebook CSV export",
    "predictionbook": "PredictionBook (CSV or API JSON)",
    "generic": "Other CSV (choose the columns)",
}


@dataclass
class ImportOptions:
    """How to read the file: the format, Fatebook's forecaster name, and for the generic
    CSV the column of each role (see generic_csv.ROLES) and the probability scale."""

    format: str = "auto"
    fatebook_name: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    probability_scale: str = "auto"


@dataclass
class ImportResult:
    format: str | None
    problems: Problems
    summary: Summary | None = None
    written: bool = False
    header: list[str] = field(default_factory=list)  # generic CSV: for the mapping form
    columns: dict[str, str] = field(default_factory=dict)  # generic CSV: the mapping used
    fatebook_names: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def detect_format(binary: IO[bytes]) -> str:
    """The format of the file by its first bytes (see the module docstring)."""
    head = sniff(binary)
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        return "json" if '"format_version"' in head else "predictionbook"
    first_line = next(csv.reader(io.StringIO(stripped)), [])
    names = {cell.strip() for cell in first_line}
    lower = {name.lower() for name in names}
    if {fatebook.TITLE, fatebook.FORECASTER} <= names:
        return "fatebook"
    if {"prediction_id", "forecast_id", "question", "probability"} <= names:
        return "csv"
    if "confidence" in lower and "deadline" in lower:
        return "predictionbook"
    return "generic"


@contextmanager
def _no_cycle_collection():
    """The cyclic garbage collector paused while a file is read and written: those
    hundreds of thousands of new objects hold no reference cycles (reference counting
    frees them), yet each young collection would walk them again; measured at 10–25%
    of a 200,000-row import. Re-enabled afterwards, if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _large_page_cache():
    """On SQLite, a 64 MB page cache for the import's one big transaction (the default
    2 MB makes every index insert of a large file go back to the file), restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def run_import(
    binary: IO[bytes], *, owner, options: ImportOptions | None = None, dry_run: bool = False
) -> ImportResult:
    """Parses `binary` (a seekable binary file) and imports it for `owner` in one
    transaction, or with `dry_run` only validates and counts. Never raises for bad
    input: the result's `problems` say what is wrong, row by row."""
    options = options or ImportOptions()
    problems = Problems()
    result = ImportResult(format=None, problems=problems)
    with _no_cycle_collection():
        _run(binary, owner, options, dry_run, result)
    return result


def _run(binary, owner, options: ImportOptions, dry_run: bool, result: ImportResult) -> None:
    problems = result.problems
    try:
        sniff(binary)
        fmt = options.format if options.format in FORMATS else detect_format(binary)
        result.format = fmt
        if fmt == "generic":
            result.header = generic_csv.read_header(binary)
            result.columns = {**generic_csv.guess_columns(result.header), **options.columns}
        parser = FORMATS[fmt]
        # A generator: records are parsed as the writer takes them, a batch at a time.
        records = parser.parse(binary, problems=problems, options=options)
        columns = getattr(parser, "COLUMNS", None)
        if dry_run:
            result.summary = write_records(
                records, owner=owner, problems=problems, dry_run=True, columns=columns
            )
            return
        # A FileProblem raised half-way leaves the block by its exception: rolled back.
        with _large_page_cache(), transaction.atomic():
            try:
                result.summary = write_records(
                    records, owner=owner, problems=problems, columns=columns
                )
            except ValidationError as exc:  # from a service the writer calls
                problems.add(None, None, " ".join(exc.messages))
            if problems:
                transaction.set_rollback(True)
            else:
                result.written = True
    except RecursionError:  # json's decoder on absurdly nested arrays or objects
        problems.add(None, None, "The JSON is nested too deeply to be an export.")
    except fatebook.NeedsName as exc:
        result.fatebook_names = exc.names
        problems.add(None, None, str(exc))
    except FileProblem as exc:
        problems.add(None, None, str(exc))


__all__ = [
    "FORMATS",
    "FORMAT_CHOICES",
    "FORMAT_LABELS",
    "FileProblem",
    "ImportOptions",
    "ImportResult",
    "Problems",
    "detect_format",
    "run_import",
]
