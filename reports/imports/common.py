"""What every import format shares: the records parsers produce, the error list, and
the readers and value parsers that turn cells into typed values or precise messages.

A parser reads a file a row at a time and appends problems instead of stopping at the
first, so the preview can show every error ("row 12, column probability: expected a
probability between 0 and 1, got 1.7"). Rows are numbered as a spreadsheet shows them:
the header is row 1. JSON files number their predictions from 1 instead.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection

from predictions.models import QUESTION_MAX_LENGTH
from predictions.rules import MSG_DATE_RANGE, date_in_range, one_line

MAX_ERRORS = 500  # kept and shown; the total is still counted
MAX_LINE_BYTES = 1_000_000  # a longer CSV line is not a prediction export
SNIFF_BYTES = 64 * 1024
# The header row (row 1) is bounded on its own: it becomes the mapping form's choices and
# is stored with the upload's summary, so a header of 100,000 columns must stop here.
MAX_COLUMNS = 200
MAX_HEADER_CELL = 200  # characters in one column name
MAX_HEADER_BYTES = 64 * 1024  # the header row's lines together
PROBABILITY_STEP = Decimal("0.001")  # what a Forecast stores (docs/design.md §3)

MSG_EMPTY = "The file is empty."
MSG_BINARY = "This is not a text file (it contains NUL bytes). Upload a CSV or JSON export."
MSG_UTF16 = "The file is UTF-16 text. Save it as “CSV UTF-8” (or JSON in UTF-8) and try again."
MSG_NOT_UTF8 = (
    "the file is not UTF-8 text (byte 0x{byte:02x} cannot be read). Save it as "
    "“CSV UTF-8” and try again."
)
MSG_LINE_TOO_LONG = "a line is longer than {limit:,} bytes; this is not a prediction export."
MSG_CELL_TOO_LONG = "a cell is longer than {limit:,} characters; this is not a prediction export."
MSG_NO_ROWS = "The file has no rows to import."
MSG_HEADER_TOO_LONG = (
    "row 1: the header is longer than {limit:,} bytes; a prediction export has at most "
    "{columns} columns of at most {cell} characters."
)
MSG_TOO_MANY_COLUMNS = "row 1: the header has {count:,} columns; at most {limit} are read."
MSG_HEADER_CELL_TOO_LONG = (
    "row 1, column {position}: the column name is longer than {limit} characters."
)


class FileProblem(Exception):
    """The file cannot be read at all (empty, binary, wrong encoding, bad header...)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: where (row or prediction number, column or field) and what."""

    row: int | None
    column: str | None
    message: str
    unit: str = "row"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if self.column:
            where.append(f"column {self.column}" if self.unit == "row" else f"field {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Problems:
    """Collects RowErrors: the first MAX_ERRORS are kept, all are counted. Also notes:
    records left out on purpose (another owner's question), which block nothing."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.count = 0
        self.notes: list[str] = []

    def note(self, row: int | None, message: str, unit: str = "row") -> None:
        if len(self.notes) < MAX_ERRORS:
            self.notes.append(str(RowError(row, None, message, unit)))

    def add(self, row: int | None, column: str | None, message: str, unit: str = "row") -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message, unit))

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def hidden(self) -> int:
        return self.count - len(self.errors)

    def messages(self) -> list[str]:
        return [str(error) for error in self.errors]


def others_question_note(owner: str) -> str:
    """Why a record of our own format is skipped (decision 0028): a question someone
    else owns, exported with your forecasts on it, is theirs; importing it would copy it."""
    return f"a question owned by {owner}; forecasts on others' questions are not imported"


def others_forecasts_note(count: int, name: str) -> str:
    """Why rows of another tool's export are skipped: forecasts by someone other than
    the person importing (a Fatebook question's other forecasters)."""
    rows = "1 forecast" if count == 1 else f"{count} forecasts"
    return f"{rows} by people other than “{name}” skipped: only your own forecasts are imported"


# --- Records: what a parser hands to the writer --------------------------------------


@dataclass(slots=True)
class ForecastIn:
    row: int
    key: str
    created_at: datetime
    probability: Decimal | None = None
    option_probabilities: list[Decimal] | None = None
    quantiles: dict[Decimal, date] | None = None
    phrase: str = ""
    rationale: str = ""
    evidence_ref: Any = None
    original_id: int | None = None  # our own formats: the id in the exporting account


@dataclass(slots=True)
class EventIn:
    """A step of the resolution history: resolve (with an outcome), annul or undo."""

    row: int
    action: str
    created_at: datetime
    outcome: Any = None  # "yes"/"no", an option label, or a date
    known_at: datetime | None = None
    note: str = ""
    evidence_ref: Any = None


@dataclass(slots=True)
class EvidenceIn:
    row: int
    ref: Any
    url: str
    stance: str
    quote: str = ""
    note: str = ""
    created_at: datetime | None = None
    source: dict = field(default_factory=dict)
    source_created_at: datetime | None = None


@dataclass(slots=True)
class EditIn:
    row: int
    field: str
    old_value: str
    new_value: str
    created_at: datetime


@dataclass(slots=True)
class PredictionIn:
    """One prediction as the file describes it; `row` is where it starts in the file."""

    row: int
    key: str
    question: str
    created_at: datetime
    resolve_by: date
    kind: str = "binary"
    resolution_criteria: str = ""
    notes: str = ""
    visibility: str = "private"
    tags: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    forecasts: list[ForecastIn] = field(default_factory=list)
    events: list[EventIn] = field(default_factory=list)
    evidence: list[EvidenceIn] = field(default_factory=list)
    edits: list[EditIn] = field(default_factory=list)
    uid: UUID | None = None  # our own exports: the prediction's Prediction.uid
    unit: str = "row"


def stable_key(source: str, *parts: object) -> str:
    """An import key that is the same every time the same source row is read."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"{source}:{digest}"


# --- Reading files -------------------------------------------------------------------


def sniff(binary: IO[bytes]) -> str:
    """The start of the file as text, for format detection; raises FileProblem for
    empty, binary and UTF-16 files. Leaves the file at its start."""
    head = binary.read(SNIFF_BYTES)
    binary.seek(0)
    if not head:
        raise FileProblem(MSG_EMPTY)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(MSG_UTF16)
    if b"\x00" in head:
        raise FileProblem(MSG_BINARY)
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        raise FileProblem(MSG_EMPTY)
    return text


class CsvReader:
    """Rows of a UTF-8 CSV file read a line at a time (the file is never held whole).

    Iterating yields (row number, cells), the header being row 1. Undecodable bytes,
    over-long lines and cells, and NUL bytes raise FileProblem naming the row.
    """

    def __init__(self, binary: IO[bytes]) -> None:
        self.binary = binary
        self.row = 0
        self.header_read = False  # the first non-blank row is the header

    def _lines(self) -> Iterator[str]:
        first = True
        header_bytes = 0
        while True:
            in_header = not self.header_read
            limit = MAX_HEADER_BYTES - header_bytes if in_header else MAX_LINE_BYTES
            raw = self.binary.readline(limit + 1)
            if not raw:
                return
            if in_header:
                header_bytes += len(raw)
                if header_bytes > MAX_HEADER_BYTES:
                    raise FileProblem(
                        MSG_HEADER_TOO_LONG.format(
                            limit=MAX_HEADER_BYTES, columns=MAX_COLUMNS, cell=MAX_HEADER_CELL
                        )
                    )
            elif len(raw) > MAX_LINE_BYTES:
                raise FileProblem(
                    f"row {self.row}: " + MSG_LINE_TOO_LONG.format(limit=MAX_LINE_BYTES)
                )
            if first:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
                first = False
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = raw[exc.start]
                raise FileProblem(f"row {self.row}: " + MSG_NOT_UTF8.format(byte=byte)) from exc

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines())
        while True:
            self.row += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                text = str(exc)
                if "field larger than field limit" in text:
                    limit = csv.field_size_limit()
                    raise FileProblem(
                        f"row {self.row}: " + MSG_CELL_TOO_LONG.format(limit=limit)
                    ) from exc
                if "NUL" in text:
                    raise FileProblem(MSG_BINARY) from exc
                raise FileProblem(f"row {self.row}: the CSV cannot be read ({text}).") from exc
            if not cells or (not cells[0].strip() and not any(c.strip() for c in cells)):
                continue  # blank lines, e.g. at the end
            if not self.header_read:
                check_header(cells)
                self.header_read = True
            yield self.row, cells


def check_header(cells: list[str]) -> None:
    """FileProblem unless the header has at most MAX_COLUMNS names of at most
    MAX_HEADER_CELL characters (the mapping form offers each one)."""
    if len(cells) > MAX_COLUMNS:
        raise FileProblem(MSG_TOO_MANY_COLUMNS.format(count=len(cells), limit=MAX_COLUMNS))
    for position, cell in enumerate(cells, start=1):
        if len(cell.strip()) > MAX_HEADER_CELL:
            raise FileProblem(
                MSG_HEADER_CELL_TOO_LONG.format(position=position, limit=MAX_HEADER_CELL)
            )


def header_index(cells: list[str], *, required: list[str], known: str = "") -> dict[str, int]:
    """Column name -> position for a header row; FileProblem if a name appears twice
    or a required one is missing. Names are compared without surrounding spaces."""
    names = [cell.strip() for cell in cells]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            continue
        if name in index:
            raise FileProblem(f"row 1, column {name}: the column “{name}” appears twice.")
        index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        listed = ", ".join(f"“{name}”" for name in missing)
        raise FileProblem(
            f"row 1: missing column{'s' if len(missing) > 1 else ''} {listed}"
            + (f" ({known})" if known else "")
            + "."
        )
    return index


class Cells:
    """One CSV row read by column name, recording problems against its row number."""

    __slots__ = ("cells", "index", "problems", "row")

    def __init__(self, row: int, cells: list[str], index: dict[str, int], problems: Problems):
        self.row, self.cells, self.index, self.problems = row, cells, index, problems

    def get(self, name: str) -> str:
        position = self.index.get(name)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()

    def error(self, column: str, message: str) -> None:
        self.problems.add(self.row, column, message)

    def parse(self, column: str, parser, *args, required: bool = True, **kwargs):
        """parser(text, *args, **kwargs) for the cell, or None (with a problem recorded if the
        cell is required and empty, or if the parser refuses the text)."""
        text = self.get(column)
        if not text:
            if required:
                self.error(column, "expected a value, got an empty cell")
            return None
        try:
            return read_value(parser, text, *args, **kwargs)
        except ValueError as exc:
            self.error(column, str(exc))
            return None


# --- Values --------------------------------------------------------------------------
#
# Each parser turns one cell (or JSON value) into a typed value or raises ValueError
# with the message shown at its row and column; nothing else escapes them, whatever
# the text (year 1 with an offset, 1e999999999%, NaN, a 400-digit id). Dates outside
# the bounds every entry path shares (predictions.rules) are refused here, where the
# file's own column is known, so nothing downstream does arithmetic on year 9999.

_LOOSE_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?$"
)
# A number as files write it: ASCII digits, an optional point and a short exponent
# ("7e-05"). No sign (a probability has none; the forms refuse "-0" too), no NaN or
# infinities, and an exponent of at most 4 digits so no Decimal operation overflows.
_NUMBER = re.compile(r"^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?$")
_WHOLE = re.compile(r"^[+-]?[0-9]{1,64}$")  # no "1_000", no Arabic-Indic digits
MAX_VALUE_LENGTH = 64  # no date or probability is longer; parsers cache what they read


def shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def read_value(parser, raw, *args, **kwargs):
    """parser(raw, ...), any arithmetic or type error it lets through turned into a
    ValueError: the one catch every format's cells and fields go through."""
    try:
        return parser(raw, *args, **kwargs)
    except ValueError:
        raise
    except (ArithmeticError, TypeError) as exc:
        raise ValueError(f"cannot read “{shown(str(raw))}”") from exc


def _in_range(value: date) -> None:
    try:
        date_in_range(value, "value")
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


@lru_cache(maxsize=4096)  # an export repeats its instants (one per forecast and record)
def parse_time(text: str, *, bounded: bool = True) -> datetime:
    """An instant from ISO 8601 text ("2023-03-14T00:00:00Z", any offset; no offset
    means UTC), or from Fatebook's "2024-03-05 14:07:5" (seconds not zero-padded).
    A bare date is midnight UTC. Returns an aware UTC datetime, within the shared date
    bounds unless not `bounded`."""
    value = text.strip().removesuffix(" UTC")  # Rails writes "2012-03-14 10:00:00 UTC"
    if len(value) > MAX_VALUE_LENGTH:
        raise ValueError(f"expected a time like 2023-03-14T00:00:00Z, got “{shown(text)}”")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        match = _LOOSE_TIME.match(value)
        if not match:
            raise ValueError(
                f"expected a time like 2023-03-14T00:00:00Z, got “{shown(text)}”"
            ) from None
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups()[:6])
        micro = int((match.group(7) or "0").ljust(6, "0"))
        try:
            parsed = datetime(year, month, day, hour, minute, second, micro)
        except ValueError as exc:
            raise ValueError(f"expected a real date and time, got “{shown(text)}”") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    else:
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:  # year 1 or 9999 moved past the calendar by its offset
            raise ValueError(MSG_DATE_RANGE) from None
    if bounded:
        _in_range(parsed.date())
    return parsed


@lru_cache(maxsize=4096)
def parse_day(text: str, *, bounded: bool = True) -> date:
    """A calendar date from "2023-03-14" (a time part, if any, is dropped: UTC date),
    within the shared date bounds unless not `bounded`."""
    value = text.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        try:
            day = parse_time(value, bounded=False).date()
        except ValueError as exc:
            if str(exc) == MSG_DATE_RANGE:
                raise
            raise ValueError(f"expected a date like 2023-03-14, got “{shown(text)}”") from None
    if bounded:
        _in_range(day)
    return day


@lru_cache(maxsize=4096)  # files repeat the same few hundred values; Decimals are immutable
def parse_probability(text: str, scale: str = "unit", *, exact: bool = False) -> Decimal:
    """A probability in [0, 1] from "0.7", or from "70%" / "70" when `scale` is
    "percent" (a trailing % always means percent).

    Rounded to the stored 0.1% resolution unless `exact`, when more digits are an error
    (our own exports never have them).
    """
    value = text.strip()
    percent = scale == "percent" or value.endswith("%")
    number = value.removesuffix("%").strip()
    limits = "0% and 100%" if percent else "0 and 1"
    if number.startswith("-") and _NUMBER.match(number[1:]):
        raise ValueError(f"expected a probability between {limits}, got {shown(value)}")
    if len(number) > MAX_VALUE_LENGTH or not _NUMBER.match(number):
        raise ValueError(f"expected a probability like 0.7, got “{shown(text)}”")
    p = Decimal(number)  # the pattern admits only what Decimal reads exactly
    if p.adjusted() > 3:  # above 1000 before the division: 1e9999% is out of range too
        raise ValueError(f"expected a probability between {limits}, got {shown(value)}")
    if percent:
        p = p / 100
    if not 0 <= p <= 1:
        raise ValueError(f"expected a probability between {limits}, got {shown(value)}")
    rounded = p.quantize(PROBABILITY_STEP)
    if exact and rounded != p:
        raise ValueError(f"expected at most 3 decimal places, got {shown(value)}")
    return rounded


@lru_cache(maxsize=1)
def _integer_range() -> tuple[int, int]:
    return connection.ops.integer_field_range("BigIntegerField")  # the same on every backend


def whole_number(number: int, text: object) -> int:
    """`number` if a database integer column holds it (ids are compared with the
    account's own), else ValueError."""
    low, high = _integer_range()
    if isinstance(number, bool) or not low <= number <= high:
        raise ValueError(f"expected a whole number a database can hold, got {shown(str(text))}")
    return number


def parse_int(text: str) -> int:
    value = text.strip()
    plain = value.isascii() and value.isdigit()  # the common case, without the pattern
    if len(value) > MAX_VALUE_LENGTH or not (plain or _WHOLE.match(value)):
        raise ValueError(f"expected a whole number, got “{shown(text)}”")
    return whole_number(int(value), value)


# --- JSON numbers ---


class UnreadableNumber:
    """A JSON number no Decimal or int holds (1e9999999999, a 5,000-digit integer,
    NaN, Infinity): kept as its text, so the field it sits in reports it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return shown(self.text)


def _json_float(text: str) -> Decimal | UnreadableNumber:
    try:
        return Decimal(text)
    except ArithmeticError:
        return UnreadableNumber(text)


def _json_int(text: str) -> int | Decimal | UnreadableNumber:
    if len(text) > MAX_VALUE_LENGTH:  # Python reads no int over 4,300 digits (ValueError)
        return UnreadableNumber(text)
    number = int(text)
    # -0 keeps its sign, as the CSV cell "-0" would: a probability or id has none.
    return Decimal(text) if number == 0 and text.startswith("-") else number


class JsonNumbers(json.JSONDecoder):
    """json.load(s)'s `cls`: numbers read exactly, none raising from the decoder."""

    def __init__(self, **kwargs) -> None:
        kwargs.update(parse_float=_json_float, parse_int=_json_int, parse_constant=UnreadableNumber)
        super().__init__(**kwargs)


def fit_question(question: str, notes: str = "") -> tuple[str, str]:
    """Another tool's question cut to our limit if need be, the full text kept at the
    top of the notes, so a long title does not stop the whole import."""
    question = one_line(question)
    if len(question) <= QUESTION_MAX_LENGTH:
        return question, notes
    short = question[: QUESTION_MAX_LENGTH - 1].rstrip() + "…"
    return short, f"Full question: {question}\n\n{notes}".strip()


def unescape_cell(text: str) -> str:
    """Undoes the export's formula neutralisation: one leading apostrophe goes."""
    return text[1:] if text.startswith("'") else text
