"""Any CSV of yes/no predictions: a question and a probability per row, optionally
when it was made, the resolve-by date, the outcome, when it was resolved, tags, notes.

Which column holds what is chosen on the upload page or by command options; otherwise
it is guessed from the header (ROLE_NAMES). Rows with the same question are one
prediction's forecasts, in time order (grouped in bounded memory: grouping.py).

- probability: 0–1, or per cent ("70%", or "70" when any value in the file is above 1
  or ends in %; `probability_scale` can say "unit" or "percent" instead of "auto");
- created: a time or date (UTC); without the column, the time of the import;
- resolve_by: a date; without it, the date the prediction was made;
- outcome: yes/no, true/false, 1/0, right/wrong, happened/… (YES/NO); annulled,
  ambiguous, void, n/a (annulled); empty, open, unknown, pending (open);
- resolved: when the outcome became known; without it, the end of the resolve-by day
  or the last forecast, whichever is later, and never in the future.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import IO

from predictions.rules import one_line
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
    parse_day,
    parse_probability,
    parse_time,
    stable_key,
)
from reports.imports.grouping import MSG_TOO_FAR_APART, OpenGroups

ROLES = ["question", "probability", "created", "resolve_by", "outcome", "resolved", "tags", "notes"]
ROLE_LABELS = {
    "question": "Question",
    "probability": "Probability",
    "created": "Made at",
    "resolve_by": "Resolve by",
    "outcome": "Outcome",
    "resolved": "Resolved at",
    "tags": "Tags",
    "notes": "Notes",
}
ROLE_NAMES = {
    "question": ("question", "claim", "prediction", "statement", "title", "description"),
    "probability": ("probability", "confidence", "forecast", "credence", "chance", "p"),
    "created": ("created", "created_at", "made", "made_at", "date", "forecast_at", "timestamp"),
    "resolve_by": ("resolve_by", "deadline", "resolve_date", "due", "due_date", "closes"),
    "outcome": ("outcome", "resolution", "result", "happened", "correct", "judgement"),
    "resolved": ("resolved", "resolved_at", "known_at", "resolution_date", "judged_at"),
    "tags": ("tags", "tag", "category", "categories"),
    "notes": ("notes", "note", "comment", "comments", "rationale"),
}
REQUIRED_ROLES = ("question", "probability")
OUTCOMES = {
    **dict.fromkeys(("yes", "y", "true", "1", "right", "correct", "happened"), "yes"),
    **dict.fromkeys(("no", "n", "false", "0", "wrong", "incorrect", "didn't happen"), "no"),
    **dict.fromkeys(
        ("annulled", "annul", "ambiguous", "void", "n/a", "na", "cancelled"), "annulled"
    ),
    **dict.fromkeys(("", "open", "unknown", "pending", "unresolved", "?"), None),
}


def _normal(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def guess_columns(header: list[str]) -> dict[str, str]:
    """role -> header name, guessed from the header's names."""
    by_normal = {_normal(h): h.strip() for h in header if h.strip()}
    guessed: dict[str, str] = {}
    for role in ROLES:
        for name in ROLE_NAMES[role]:
            if name in by_normal and by_normal[name] not in guessed.values():
                guessed[role] = by_normal[name]
                break
    return guessed


def read_header(binary: IO[bytes]) -> list[str]:
    """The header row (for the mapping form); leaves the file at its start."""
    try:
        _, header = next(iter(CsvReader(binary)))
    except StopIteration:
        header = []
    binary.seek(0)
    return [h.strip() for h in header]


def parse(binary: IO[bytes], *, problems: Problems, options=None) -> Iterator[PredictionIn]:
    """The file's questions as records, grouped in bounded memory (grouping.py)."""
    rows = iter(CsvReader(binary))
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    index = header_index(header, required=[])
    columns = guess_columns(header)
    chosen = {k: v for k, v in (getattr(options, "columns", None) or {}).items() if v}
    unknown = [name for name in chosen.values() if name not in index]
    if unknown:
        raise FileProblem(f"row 1: there is no column “{unknown[0]}” in this file.")
    columns.update(chosen)
    missing = [ROLE_LABELS[r].lower() for r in REQUIRED_ROLES if r not in columns]
    if missing:
        raise FileProblem(
            f"row 1: choose which column holds the {' and the '.join(missing)} "
            "(no column name suggests it)."
        )
    chosen_scale = getattr(options, "probability_scale", "auto") or "auto"
    read = _Reading(col=columns.get, scale=chosen_scale, now=datetime.now(UTC), problems=problems)
    groups = OpenGroups(read.finish)

    def col(role: str) -> str:
        """The column chosen for a role, or "" (a cell that reads as empty) for none."""
        return columns.get(role, "")

    for row, cells in rows:
        c = Cells(row, cells, index, problems)
        question = one_line(c.get(col("question")))
        if not question:
            c.error(col("question"), "expected the question, got an empty cell")
            continue
        created = c.parse(col("created"), parse_time) if col("created") else None
        p_text = c.get(col("probability"))
        if not p_text:
            c.error(col("probability"), "expected a probability, got an empty cell")
            continue
        group = groups.get(question)
        if group is None:
            if groups.was_closed(question):
                c.error(col("question"), MSG_TOO_FAR_APART.format(limit=groups.limit))
                continue
            group = {"question": question, "row": row, "forecasts": [], "keys": set()}
            group["outcome"] = None
            group["resolve_by"] = (
                c.parse(col("resolve_by"), parse_day, required=False) if col("resolve_by") else None
            )
            group["tags"] = [
                t.strip()
                for t in c.get(col("tags") or "").replace(";", ",").split(",")
                if t.strip()
            ]
            group["notes"] = c.get(col("notes") or "")
            group["resolved"] = None
            yield from groups.add(question, group)
        if col("outcome"):
            text = c.get(col("outcome"))
            if text.lower() not in OUTCOMES:
                c.error(col("outcome"), f"expected yes, no, annulled or nothing, got “{text}”")
            elif OUTCOMES[text.lower()] is not None:
                outcome = OUTCOMES[text.lower()]
                if group["outcome"] not in (None, outcome):
                    c.error(
                        col("outcome"), "expected the same outcome as the question's other rows"
                    )
                group["outcome"] = outcome
        if col("resolved") and c.get(col("resolved")):
            group["resolved"] = c.parse(col("resolved"), parse_time)
        key = stable_key("generic", question, c.get(col("created") or ""), p_text)
        if key in group["keys"]:
            continue  # the same row twice
        group["keys"].add(key)
        # The probability is read once the scale is known (when the first group is done).
        group["forecasts"].append(
            (ForecastIn(row=row, key=key, created_at=created or read.now), p_text)
        )
        read.percent_seen = read.percent_seen or _looks_percent(p_text)
    yield from groups.close()


class _Reading:
    """What finishing a question needs: the columns, the time of the import, and the
    probability scale. With `auto`, the scale is per cent when any value read so far
    looks like one (above 1, or ending in %), decided when the first question is
    finished: at the end of a file that fits in memory (grouping.MAX_OPEN_GROUPS), so
    by every value of the file; earlier in a larger one, by the values read until then
    (a later value that disagrees is then refused at its row, never misread silently
    as out of range)."""

    def __init__(self, *, col, scale: str, now: datetime, problems: Problems) -> None:
        self.col = lambda role: col(role, "")
        self.scale = scale
        self.now = now
        self.problems = problems
        self.percent_seen = False

    def finish(self, group: dict) -> PredictionIn | None:
        if self.scale == "auto":
            self.scale = "percent" if self.percent_seen else "unit"
        forecasts = []
        for forecast, text in group["forecasts"]:
            try:
                forecast.probability = parse_probability(text, self.scale)
            except ValueError as exc:
                self.problems.add(forecast.row, self.col("probability"), str(exc))
                continue
            forecasts.append(forecast)
        if not forecasts:
            return None
        forecasts.sort(key=lambda f: f.created_at)
        created = forecasts[0].created_at
        resolve_by = group["resolve_by"] or created.date()
        text, notes = fit_question(group["question"], group["notes"])
        record = PredictionIn(
            row=group["row"],
            key=stable_key("generic", group["question"]),
            question=text,
            created_at=created,
            resolve_by=resolve_by,
            notes=notes,
            tags=group["tags"],
            forecasts=forecasts,
        )
        if group["outcome"] is not None:
            end_of_day = datetime.combine(resolve_by + timedelta(days=1), time.min, tzinfo=UTC)
            known = group["resolved"] or min(max(end_of_day, forecasts[-1].created_at), self.now)
            record.events.append(
                EventIn(
                    row=group["row"],
                    action="annul" if group["outcome"] == "annulled" else "resolve",
                    created_at=known,
                    outcome=None if group["outcome"] == "annulled" else group["outcome"],
                    known_at=known,
                )
            )
        return record


def _looks_percent(text: str) -> bool:
    text = text.strip()
    if text.endswith("%"):
        return True
    try:
        return Decimal(text) > 1
    except ArithmeticError:
        return False
