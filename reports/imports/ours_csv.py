"""Our own CSV export read back: one row per forecast (per option, per quantile).

Rows are grouped by `prediction_id` and `forecast_id`. The export writes a prediction's
rows one after the other, and the file is read so: a prediction is handed on as soon
as the next one starts, so only one is ever held (rows of one prediction found apart
are refused as the same prediction twice). The leading apostrophe the
export puts before formula-like text is removed. What the CSV does not carry (the
resolution history beyond the current state, evidence, edits, phrases, visibility) is
not restored: the JSON export is the lossless one. Import keys are those of our JSON
import, so a prediction imported from either file is not imported again from the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from predictions.models import Prediction
from reports.file_format import CSV_IMPORT_REQUIRED
from reports.imports.common import (
    Cells,
    CsvReader,
    EventIn,
    FileProblem,
    ForecastIn,
    PredictionIn,
    Problems,
    header_index,
    others_question_note,
    parse_day,
    parse_int,
    parse_probability,
    parse_time,
    unescape_cell,
    whole_number,
)
from reports.imports.ours_json import forecast_key, parse_uid, prediction_key

KINDS = frozenset(Prediction.Kind.values)
STATUSES = frozenset(Prediction.Status.values)


def parse(binary: IO[bytes], *, problems: Problems, options=None) -> Iterator[PredictionIn]:
    rows = iter(CsvReader(binary))
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    index = header_index(
        header, required=CSV_IMPORT_REQUIRED, known="this is not a Falsifiable CSV export"
    )
    group: dict | None = None
    at_id = index["prediction_id"]
    for row, cells in rows:
        c = Cells(row, cells, index, problems)
        before = problems.count
        try:  # the common case without the parser's pattern: plain digits
            text = cells[at_id]
            pid = whole_number(int(text), text) if text.isascii() and text.isdigit() else None
        except (IndexError, ValueError):
            pid = None
        if pid is None:
            pid = c.parse("prediction_id", parse_int)  # records the problem
        if pid is None:
            continue
        if group is None or group["id"] != pid:
            if group is not None and (record := _finish(group, problems)) is not None:
                yield record
            group = _start(c, pid)
        if problems.count == before:
            _add_row(group, c)
    if group is not None and (record := _finish(group, problems)) is not None:
        yield record


def _start(c: Cells, pid: int) -> dict:
    """A prediction's fields from its first row (later rows repeat them)."""
    kind = c.get("kind")
    if kind not in KINDS:
        c.error("kind", f"expected one of {', '.join(Prediction.Kind.values)}, got “{kind}”")
    status = c.get("status")
    if status not in STATUSES:
        c.error("status", f"expected open, resolved or annulled, got “{status}”")
    resolution = unescape_cell(c.get("resolution"))
    if status == "resolved":
        if kind == Prediction.Kind.DATE:
            resolution = c.parse("resolution", parse_day)
        elif kind == Prediction.Kind.BINARY:
            resolution = resolution.lower()
    return {
        "row": c.row,
        "id": pid,
        "kind": kind,
        "question": unescape_cell(c.get("question")),
        "created_at": c.parse("created_at", parse_time, required=False)
        or c.parse("forecast_at", parse_time, required=False),
        "resolve_by": c.parse("resolve_by", parse_day, required=False),
        "status": status,
        "resolution": resolution,
        "known_at": c.parse("known_at", parse_time, required=status in ("resolved", "annulled")),
        "resolved_at": c.parse("resolved_at", parse_time, required=False),
        "tags": [t.strip() for t in unescape_cell(c.get("tags")).split(";") if t.strip()],
        "uid": c.parse("prediction_uid", parse_uid, required=False),
        "owner": unescape_cell(c.get("owner")),
        "options": [],
        "forecasts": {},
    }


def _add_row(group: dict, c: Cells) -> None:
    """One row: a forecast (yes/no), or one option or quantile of a forecast."""
    fid = c.parse("forecast_id", parse_int, required=False)
    if fid is None:
        return  # a prediction without forecasts
    forecast = group["forecasts"].get(fid)
    if forecast is None:
        at = c.parse("forecast_at", parse_time)
        if at is None:
            return
        forecast = group["forecasts"][fid] = ForecastIn(
            row=c.row,
            key=forecast_key(fid),
            created_at=at,
            rationale=unescape_cell(c.get("rationale")),
            original_id=fid,
        )
    probability = c.parse("probability", parse_probability, "unit", exact=True)
    kind = group["kind"]
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        label = unescape_cell(c.get("option"))
        if not label:
            c.error("option", "expected the option's label")
            return
        if label.lower() not in (o.lower() for o in group["options"]):
            group["options"].append(label)
        if forecast.option_probabilities is None:
            forecast.option_probabilities = {}  # label -> probability until _finish
        forecast.option_probabilities[label.lower()] = probability
    elif kind == Prediction.Kind.DATE:
        day = c.parse("value", parse_day)
        if forecast.quantiles is None:
            forecast.quantiles = {}
        if probability is not None and day is not None:
            forecast.quantiles[probability] = day
    else:
        forecast.probability = probability


def _finish(group: dict, problems: Problems) -> PredictionIn | None:
    if group["owner"]:
        problems.note(group["row"], others_question_note(group["owner"]))
        return None
    created = group["created_at"]
    if created is None:
        problems.add(group["row"], "created_at", "expected the time the prediction was made")
        return None
    kind = group["kind"]
    record = PredictionIn(
        row=group["row"],
        key=prediction_key(group["id"], created, group["uid"]),
        question=group["question"],
        created_at=created,
        resolve_by=group["resolve_by"] or (group["known_at"] or created).date(),
        kind=kind,
        tags=group["tags"],
        options=group["options"],
        uid=group["uid"],
    )
    for forecast in group["forecasts"].values():
        if kind == Prediction.Kind.MULTIPLE_CHOICE:
            given = forecast.option_probabilities or {}
            forecast.option_probabilities = [given.get(label.lower()) for label in record.options]
            if None in forecast.option_probabilities:
                problems.add(forecast.row, "option", "expected a row for every option")
                continue
        record.forecasts.append(forecast)
    status = group["status"]
    if status in ("resolved", "annulled"):
        known = group["known_at"]
        record.events.append(
            EventIn(
                row=group["row"],
                action="resolve" if status == "resolved" else "annul",
                created_at=group["resolved_at"] or known,
                outcome=group["resolution"] if status == "resolved" else None,
                known_at=known,
            )
        )
    return record
