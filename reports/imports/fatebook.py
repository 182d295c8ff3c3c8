"""Fatebook's CSV export (fatebook.io → "Export all your forecasts").

One row per forecast, by anyone, on questions the person can see. A question is
identified by its title and creation time (Fatebook's export has no id). Only rows
whose forecast was made by the importing person (`fatebook_name`, needed when the file
has several forecasters) become forecasts; a question is imported when that person
forecast on it or created it.

Times look like `2024-03-05 14:07:5` (seconds not zero-padded) and are UTC. Resolution
is YES, NO, AMBIGUOUS (imported as annulled) or empty (open). A multiple-choice question
has one row per option: Fatebook forecasts and resolves every option separately, so each
option becomes a yes/no prediction "Title: option". Probabilities are rounded to 0.1%.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO

from reports.imports.common import (
    Cells,
    CsvReader,
    EventIn,
    FileProblem,
    ForecastIn,
    PredictionIn,
    Problems,
    fit_question,
    header_index,
    others_forecasts_note,
    parse_day,
    parse_probability,
    parse_time,
    stable_key,
)
from reports.imports.grouping import MSG_TOO_FAR_APART, OpenGroups

TITLE = "Question title"
OPTION = "Multiple choice option"
FORECASTER = "Forecast created by"
FORECAST = "Forecast (scale = 0-1)"
FORECAST_AT = "Forecast created at"
CREATOR = "Question created by"
CREATED = "Question created at"
RESOLVE_BY = "Question resolve by"
RESOLUTION = "Resolution"
RESOLVED_AT = "Resolved at"
NOTES = "Question notes"
TAGS = "Question tags"
REQUIRED = [TITLE, FORECASTER, FORECAST, FORECAST_AT, CREATED, RESOLVE_BY, RESOLUTION, RESOLVED_AT]
COLUMNS = {  # model field -> this file's column, for messages
    "question": TITLE,
    "resolve_by": RESOLVE_BY,
    "created_at": CREATED,
    "probability": FORECAST,
    "resolution": RESOLUTION,
    "notes": NOTES,
    "tags": TAGS,
}
OUTCOMES = {"YES": "yes", "NO": "no", "AMBIGUOUS": "annulled", "": None}
MAX_NAMES = 1000  # forecasters listed to choose from


class NeedsName(FileProblem):
    """Several people forecast in the file; `names` lists them to choose from."""

    def __init__(self, names: list[str]):
        self.names = names
        listed = ", ".join(f"“{n}”" for n in names[:10]) + (" …" if len(names) > 10 else "")
        super().__init__(
            f"Several people forecast in this Fatebook file ({listed}); choose whose "
            "forecasts are yours (--fatebook-name on the command line)."
        )


def forecasters(binary: IO[bytes]) -> list[str]:
    """The distinct "Forecast created by" names, in the order they appear (the first
    MAX_NAMES)."""
    rows = iter(CsvReader(binary))
    try:
        _, header = next(rows)
    except StopIteration:
        return []
    index = header_index(header, required=[FORECASTER])
    names: dict[str, None] = {}
    for _, cells in rows:
        position = index[FORECASTER]
        if position < len(cells) and cells[position].strip():
            names.setdefault(cells[position].strip())
            if len(names) >= MAX_NAMES:
                break  # enough to choose from; a longer list is no export of one person
    binary.seek(0)
    return list(names)


def parse(binary: IO[bytes], *, problems: Problems, options=None) -> Iterator[PredictionIn]:
    """The file's questions as records, grouped in bounded memory (grouping.py)."""
    name = (getattr(options, "fatebook_name", "") or "").strip()
    if not name:
        names = forecasters(binary)
        if len(names) > 1:
            raise NeedsName(names)
        name = names[0] if names else ""
    rows = iter(CsvReader(binary))
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    index = header_index(header, required=REQUIRED, known="this is not a Fatebook export")
    questions = OpenGroups(_record)
    own_rows = others_rows = 0
    any_rows = False
    for row, cells in rows:
        any_rows = True
        c = Cells(row, cells, index, problems)
        title, option = c.get(TITLE), c.get(OPTION)
        created_text = c.get(CREATED)
        identity = (title, created_text, option)
        q = questions.get(identity)
        if q is None:
            if questions.was_closed(identity):
                c.error(TITLE, MSG_TOO_FAR_APART.format(limit=questions.limit))
                continue
            q = _question(c, title, option, created_text)
            yield from questions.add(identity, q)
        mine = c.get(FORECASTER) == name
        if c.get(CREATOR) == name:
            q["created_by_me"] = True
        if not mine:
            others_rows += 1
            continue
        own_rows += 1
        at = c.parse(FORECAST_AT, parse_time)
        probability = c.parse(FORECAST, parse_probability)
        if at is None or probability is None:
            continue
        key = stable_key("fatebook", title, created_text, option, name, c.get(FORECAST_AT))
        if key in q["keys"]:
            continue  # the same forecast listed twice
        q["keys"].add(key)
        q["forecasts"].append(ForecastIn(row=row, key=key, created_at=at, probability=probability))
    yield from questions.close()
    if name and not own_rows and any_rows:
        raise FileProblem(f"No forecast in this file was made by “{name}”.")
    if others_rows:
        problems.note(None, others_forecasts_note(others_rows, name))


def _question(c: Cells, title: str, option: str, created_text: str) -> dict:
    resolution = c.get(RESOLUTION).upper()
    if resolution not in OUTCOMES:
        c.error(RESOLUTION, f"expected YES, NO, AMBIGUOUS or nothing, got “{c.get(RESOLUTION)}”")
        resolution = ""
    return {
        "row": c.row,
        "identity": (title, created_text, option),
        "created_at": c.parse(CREATED, parse_time),
        "resolve_by": c.parse(RESOLVE_BY, parse_day),
        "outcome": OUTCOMES[resolution],
        "resolved_at": c.parse(RESOLVED_AT, parse_time, required=False),
        "notes": c.get(NOTES),
        "tags": [t.strip() for t in c.get(TAGS).replace(";", ",").split(",") if t.strip()],
        "created_by_me": False,
        "forecasts": [],
        "keys": set(),
    }


def _record(q: dict) -> PredictionIn | None:
    """The question's record: when it has its dates, and the person forecast on it or
    created it."""
    if q["created_at"] is None or q["resolve_by"] is None:
        return None
    if not q["forecasts"] and not q["created_by_me"]:
        return None
    title, created_text, option = q["identity"]
    question, notes = fit_question(f"{title}: {option}" if option else title, q["notes"])
    record = PredictionIn(
        row=q["row"],
        key=stable_key("fatebook", title, created_text, option),
        question=question,
        created_at=q["created_at"],
        resolve_by=q["resolve_by"],
        notes=notes,
        tags=q["tags"],
        forecasts=sorted(q["forecasts"], key=lambda f: f.created_at),
    )
    if q["outcome"] is not None:
        times = [q["created_at"], *(f.created_at for f in record.forecasts)]
        # Without "Resolved at", the latest known moment: no forecast is made late by it.
        resolved_at = q["resolved_at"] or min(max(times), datetime.now(UTC))
        record.events.append(
            EventIn(
                row=q["row"],
                action="annul" if q["outcome"] == "annulled" else "resolve",
                created_at=resolved_at,
                outcome=q["outcome"] if q["outcome"] != "annulled" else None,
                known_at=resolved_at,
            )
        )
    return record
