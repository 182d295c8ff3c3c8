"""PredictionBook: its CSV of one's own predictions and its API JSON (`my_predictions`).

Confidence is 0–100 (per cent that the statement comes true). The judgement "right"
means the statement came true (YES), "wrong" that it did not (NO), "unknown" or none
that it is open; the API gives the same as `outcome` true / false / null. A withdrawn
prediction that was never judged is imported as annulled.

CSV columns (names compared case-insensitively, a few spellings accepted): id,
description, created_at, deadline, confidence, judgement; optional judged_at, tags. A
row is one forecast; rows sharing an id are one prediction's forecasts.

API JSON: {"user": {"user_id": ...}, "predictions": [{id, description, deadline,
created_at, updated_at, creator_id, withdrawn, outcome, responses: [{id, confidence,
created_at, user_id, comment}]}]} (or the list alone). Only the importing user's
responses with a confidence become forecasts, each with its comment as rationale.

PredictionBook records no judgement time in its exports; the outcome counts as known
at `judged_at` when given, otherwise at the later of the deadline (or last update, if
earlier) and the last own forecast, never in the future, so no PredictionBook forecast
becomes late by our choice of time.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from reports.imports.common import (
    Cells,
    CsvReader,
    EventIn,
    FileProblem,
    ForecastIn,
    JsonNumbers,
    PredictionIn,
    Problems,
    fit_question,
    header_index,
    parse_int,
    parse_probability,
    parse_time,
    read_value,
    stable_key,
)
from reports.imports.grouping import MSG_TOO_FAR_APART, OpenGroups

ALIASES = {
    "id": ("id", "prediction_id"),
    "description": ("description", "statement", "prediction", "title"),
    "created_at": ("created_at", "created", "created at", "made at"),
    "deadline": ("deadline", "known at", "due"),
    "confidence": ("confidence", "your confidence", "probability"),
    "judgement": ("judgement", "judgment", "outcome", "judged", "result"),
    "judged_at": ("judged_at", "judged at", "judgement at", "judgement_at"),
    "tags": ("tags",),
}
REQUIRED = ["id", "description", "created_at", "deadline", "confidence"]
JUDGEMENTS = {
    "right": "yes",
    "true": "yes",
    "wrong": "no",
    "false": "no",
    "unknown": None,
    "": None,
    "withdrawn": "annulled",
}
# A JSON `outcome`: true or false once judged.
BOOLEAN_OUTCOMES: dict[object, str] = {True: "yes", False: "no"}


def parse(binary: IO[bytes], *, problems: Problems, options=None) -> Iterator[PredictionIn]:
    head = binary.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    binary.seek(0)
    if head.startswith((b"{", b"[")):
        return _parse_json(binary, problems)
    return _parse_csv(binary, problems)


def _known_at(deadline: datetime, forecasts: list[ForecastIn], *extra) -> datetime:
    candidates = [t for t in extra if t is not None]
    known = min([deadline, *candidates])
    if forecasts:
        known = max(known, max(f.created_at for f in forecasts))
    return min(known, datetime.now(UTC))


def _resolution(record: PredictionIn, outcome: str | None, known_at: datetime) -> None:
    if outcome is None:
        return
    record.events.append(
        EventIn(
            row=record.row,
            action="annul" if outcome == "annulled" else "resolve",
            created_at=known_at,
            outcome=None if outcome == "annulled" else outcome,
            known_at=known_at,
        )
    )


# --- CSV ------------------------------------------------------------------------------


def _csv_index(header: list[str]) -> dict[str, int]:
    by_lower = {cell.strip().lower(): i for i, cell in enumerate(header)}
    header_index(header, required=[])  # duplicated names
    index = {}
    for role, names in ALIASES.items():
        for name in names:
            if name in by_lower:
                index[role] = by_lower[name]
                break
    missing = [role for role in REQUIRED if role not in index]
    if missing:
        raise FileProblem(
            "row 1: missing column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(f"“{m}”" for m in missing)
            + " (this is not a PredictionBook export)."
        )
    return index


def _parse_csv(binary: IO[bytes], problems: Problems) -> Iterator[PredictionIn]:
    rows = iter(CsvReader(binary))
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    index = _csv_index(header)
    groups = OpenGroups(_finish_csv)
    for row, cells in rows:
        c = Cells(row, cells, index, problems)
        pid = c.parse("id", parse_int)
        created = c.parse("created_at", parse_time)
        deadline = c.parse("deadline", parse_time)
        confidence = c.parse("confidence", parse_probability, "percent")
        judgement = c.get("judgement").lower()
        if judgement not in JUDGEMENTS:
            c.error("judgement", f"expected right, wrong or unknown, got “{c.get('judgement')}”")
        if None in (pid, created, deadline, confidence) or judgement not in JUDGEMENTS:
            continue
        group = groups.get(pid)
        if group is None:
            if groups.was_closed(pid):
                c.error("id", MSG_TOO_FAR_APART.format(limit=groups.limit))
                continue
            question, notes = fit_question(c.get("description"))
            group = {
                "record": PredictionIn(
                    row=row,
                    key=f"predictionbook:{pid}",
                    question=question,
                    notes=notes,
                    created_at=created,
                    resolve_by=deadline.date(),
                    tags=[t.strip() for t in c.get("tags").split(",") if t.strip()],
                ),
                "deadline": deadline,
                "outcome": JUDGEMENTS[judgement],
                "judged_at": c.parse("judged_at", parse_time, required=False),
                "keys": set(),
            }
            yield from groups.add(pid, group)
        record = group["record"]
        record.created_at = min(record.created_at, created)
        key = stable_key("predictionbook", pid, c.get("created_at"), c.get("confidence"))
        if key in group["keys"]:
            continue  # the same row twice
        group["keys"].add(key)
        record.forecasts.append(
            ForecastIn(row=row, key=key, created_at=created, probability=confidence)
        )
    yield from groups.close()


def _finish_csv(group: dict) -> PredictionIn:
    record = group["record"]
    record.forecasts.sort(key=lambda f: f.created_at)
    known = group["judged_at"] or _known_at(group["deadline"], record.forecasts)
    _resolution(record, group["outcome"], known)
    return record


# --- API JSON -------------------------------------------------------------------------


def _parse_json(binary: IO[bytes], problems: Problems) -> Iterator[PredictionIn]:
    """The API's JSON is one array, read whole by `json.load` (an upload is capped in
    size); its records are then handed on one at a time."""
    try:
        data = json.load(io.TextIOWrapper(binary, encoding="utf-8-sig"), cls=JsonNumbers)
    except UnicodeDecodeError as exc:
        raise FileProblem("The file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"The file is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from exc
    user_id = None
    if isinstance(data, dict):
        user = data.get("user")
        user_id = user.get("user_id") if isinstance(user, dict) else None
        data = data.get("predictions")
    if not isinstance(data, list):
        raise FileProblem("This JSON is not a PredictionBook export (no list of predictions).")
    for number, obj in enumerate(data, start=1):
        record = _json_prediction(number, obj, user_id, problems)
        if record is not None:
            yield record


def _field(obj: dict, name: str, parser, number: int, problems: Problems, required=True, path=""):
    """obj[name] read by `parser`, or None with a problem at `path` (default: name)."""
    raw = obj.get(name)
    if raw is None or raw == "":
        if required:
            problems.add(number, path or name, "expected a value, got nothing", unit="prediction")
        return None
    try:
        return read_value(parser, raw if isinstance(raw, str) else str(raw))
    except ValueError as exc:
        problems.add(number, path or name, str(exc), unit="prediction")
        return None


def _json_prediction(number: int, obj: Any, user_id, problems: Problems) -> PredictionIn | None:
    if not isinstance(obj, dict):
        problems.add(number, None, "expected an object", unit="prediction")
        return None
    before = problems.count
    pid = _field(obj, "id", parse_int, number, problems)
    created = _field(obj, "created_at", parse_time, number, problems)
    deadline = _field(obj, "deadline", parse_time, number, problems)
    updated = _field(obj, "updated_at", parse_time, number, problems, required=False)
    description = obj.get("description")
    if not isinstance(description, str) or not description.strip():
        problems.add(number, "description", "expected the statement", unit="prediction")
    owner = user_id if user_id is not None else obj.get("creator_id")
    forecasts = []
    responses = obj.get("responses") or []
    for i, response in enumerate(responses if isinstance(responses, list) else []):
        if not isinstance(response, dict) or response.get("confidence") is None:
            continue  # a comment without a wager
        if owner is not None and response.get("user_id") != owner:
            continue
        path = f"responses[{i}]"
        confidence = response.get("confidence")
        at = _field(response, "created_at", parse_time, number, problems, path=f"{path}.created_at")
        try:
            probability = read_value(parse_probability, str(confidence), "percent")
        except ValueError as exc:
            problems.add(number, f"{path}.confidence", str(exc), unit="prediction")
            continue
        if at is None:
            continue
        rid = response.get("id")
        key = f"predictionbook:r{rid}" if rid is not None else stable_key("pb", pid, at, confidence)
        comment = response.get("comment")
        forecasts.append(
            ForecastIn(
                row=number,
                key=key,
                created_at=at,
                probability=probability,
                rationale=comment if isinstance(comment, str) else "",
            )
        )
    if problems.count != before:
        return None
    assert isinstance(description, str)  # a missing statement was counted as a problem above
    question, notes = fit_question(description)
    record = PredictionIn(
        row=number,
        key=f"predictionbook:{pid}",
        question=question,
        notes=notes,
        created_at=created,
        resolve_by=deadline.date(),
        forecasts=sorted(forecasts, key=lambda f: f.created_at),
        unit="prediction",
    )
    outcome: str | None
    if "judgement" in obj and isinstance(obj["judgement"], str):
        outcome = JUDGEMENTS.get(obj["judgement"].lower())
    else:
        given = obj.get("outcome")
        outcome = BOOLEAN_OUTCOMES[given] if isinstance(given, bool) else None
        if given is not None and not isinstance(given, bool):
            problems.add(number, "outcome", "expected true, false or null", unit="prediction")
    if outcome is None and obj.get("withdrawn"):
        outcome = "annulled"
    judged = obj.get("judged_at")
    known = (
        _field(obj, "judged_at", parse_time, number, problems, required=False) if judged else None
    )
    _resolution(record, outcome, known or _known_at(deadline, record.forecasts, updated))
    return record
