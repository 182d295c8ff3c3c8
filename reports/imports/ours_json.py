"""Our own JSON export (format_version 1), read back losslessly.

The export writes its head on the first line and one prediction per line, so a large
file is read a prediction at a time; any other layout of the same JSON (pretty-printed,
re-saved by a tool) is read whole with `json.load`.

Import keys: a prediction's key derives from its `uid` (globally unique; files written
before it existed: from its id and creation time in the exporting account), a
forecast's from its id, so the same file (or its CSV twin) imports once. A file
exported from the importing account itself is recognised by the uid
(docs/decisions/0013-import-matching-by-key.md).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any
from uuid import UUID

from predictions.models import Prediction, ResolutionEvent
from reports.file_format import FORMAT_VERSION
from reports.imports.common import (
    EditIn,
    EventIn,
    EvidenceIn,
    FileProblem,
    ForecastIn,
    JsonNumbers,
    PredictionIn,
    Problems,
    UnreadableNumber,
    others_question_note,
    parse_day,
    parse_probability,
    parse_time,
    read_value,
    shown,
    stable_key,
    whole_number,
)

KEY_SOURCE = "falsifiable"
SOURCE_FIELDS = (
    "title",
    "publisher",
    "author",
    "published_date",
    "language",
    "accessed_date",
    "archive_url",
    "notes",
)
KINDS = frozenset(Prediction.Kind.values)  # built once: `.values` makes a new list per call
ACTIONS = frozenset(ResolutionEvent.Action.values)
MSG_NOT_OURS = "This JSON is not a Falsifiable export (it has no format_version)."


def prediction_key(original_id: int | None, created_at, uid: UUID | None) -> str:
    """Shared with our CSV: the same prediction gets the same key from either file. By
    its uid when the file has it; an older file's id and time are unique only within
    the account that exported it."""
    if uid is not None:
        return f"{KEY_SOURCE}:uid:{uid}"
    return stable_key(KEY_SOURCE, original_id, created_at.isoformat())


def parse_uid(text: str) -> UUID:
    """A prediction's uid as the exports write it (8-4-4-4-12 hexadecimal digits)."""
    try:
        return UUID(text)
    except ValueError:
        raise ValueError(
            f"expected a uid like 0f8fad5b-d9cb-469f-a165-70867728950e, got “{text[:40]}”"
        ) from None


def forecast_key(original_id: int) -> str:
    return f"{KEY_SOURCE}:f{original_id}"


def _check_head(head: Any) -> None:
    if not isinstance(head, dict) or "format_version" not in head:
        raise FileProblem(MSG_NOT_OURS)
    if head["format_version"] != FORMAT_VERSION:
        raise FileProblem(
            f"format_version {head['format_version']!r} is not supported "
            f"(expected {FORMAT_VERSION})."
        )


def _objects(binary: IO[bytes]):
    """(number, object) per prediction; numbers start at 1."""
    first = binary.readline()
    try:
        line = first.decode("utf-8").removeprefix("\ufeff").rstrip()
    except UnicodeDecodeError as exc:
        raise FileProblem("The file is not UTF-8 text.") from exc
    if line.startswith("{") and line.endswith('"predictions": ['):
        try:
            _check_head(json.loads(line + "]}", cls=JsonNumbers))
        except json.JSONDecodeError as exc:
            raise FileProblem(f"The first line is not valid JSON ({exc.msg}).") from exc
        number, ended = 0, False
        decode = JsonNumbers().decode  # one decoder for every line: json.loads makes one per call
        for raw in binary:
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise FileProblem(f"prediction {number + 1}: the file is not UTF-8 text.") from exc
            if not text:
                continue
            if ended:
                raise FileProblem("There is text after the end of the JSON.")
            if text == "]}":
                ended = True
                continue
            number += 1
            try:
                yield number, decode(text.removesuffix(","))
            except json.JSONDecodeError as exc:
                raise FileProblem(
                    f"prediction {number}: not valid JSON ({exc.msg} at character {exc.pos})."
                ) from exc
        if not ended:
            raise FileProblem("The file is not valid JSON: it ends too early (cut off?).")
        return
    binary.seek(0)
    try:
        data = json.load(io.TextIOWrapper(binary, encoding="utf-8-sig"), cls=JsonNumbers)
    except UnicodeDecodeError as exc:
        raise FileProblem("The file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"The file is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from exc
    _check_head(data)
    predictions = data.get("predictions")
    if not isinstance(predictions, list):
        raise FileProblem("field predictions: expected a list of predictions.")
    yield from enumerate(predictions, start=1)


class _Fields:
    """Typed access to one prediction object, recording problems by field path."""

    def __init__(self, number: int, problems: Problems):
        self.number, self.problems = number, problems

    def error(self, path: str, message: str) -> None:
        self.problems.add(self.number, path, message, unit="prediction")

    def value(self, obj: dict, name: str, parser, path: str, *, required=True, default=None):
        raw = obj.get(name) if isinstance(obj, dict) else None
        if raw is None or raw == "":
            if required:
                self.error(path, "expected a value, got nothing")
            return default
        try:
            return read_value(parser, raw)
        except ValueError as exc:
            self.error(path, str(exc))
            return default

    def text(self, obj: dict, name: str, path: str, *, required=False) -> str:
        raw = obj.get(name) if isinstance(obj, dict) else None
        if type(raw) is str and raw:  # the common case, without the general path's calls
            return raw
        return self.value(obj, name, _text, path, required=required, default="")

    def items(self, obj: dict, name: str, path: str) -> list:
        raw = obj.get(name) if isinstance(obj, dict) else None
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.error(path, "expected a list")
            return []
        return raw


def _type_name(raw: Any) -> str:
    if isinstance(raw, (int, Decimal, UnreadableNumber)) and not isinstance(raw, bool):
        return "a number"
    return {bool: "true or false", list: "a list", dict: "an object"}.get(type(raw), "null")


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"expected text, got {_type_name(raw)}")
    return raw


def _int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"expected a whole number, got {shown(repr(raw))}")
    return whole_number(raw, raw)


def _probability(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, str, UnreadableNumber)):
        raise ValueError(f"expected a probability like 0.7, got {_type_name(raw)}")
    return parse_probability(str(raw), exact=True)


def _ref(raw: Any) -> int | str:
    """An evidence link's id within the file, as links and citations name it."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ValueError(f"expected the id of an evidence link, got {_type_name(raw)}")
    return raw


def _uid(raw: Any) -> UUID:
    return parse_uid(_text(raw))


def _time(raw: Any):
    return parse_time(_text(raw))


def _day(raw: Any):
    return parse_day(_text(raw))


def _any_day(raw: Any):
    return parse_day(_text(raw), bounded=False)


def parse(binary: IO[bytes], *, problems: Problems, options=None) -> Iterator[PredictionIn]:
    """The file's predictions, one at a time as they are read (a line-per-prediction
    file is never held whole; any other layout is, by `json.load`)."""
    for number, obj in _objects(binary):
        record = _prediction(number, obj, problems)
        if record is not None:
            yield record


def _prediction(number: int, obj: Any, problems: Problems) -> PredictionIn | None:
    f = _Fields(number, problems)
    if not isinstance(obj, dict):
        f.error("", "expected an object")
        return None
    if isinstance(owner := obj.get("owner"), str) and owner:
        problems.note(number, others_question_note(owner), unit="prediction")
        return None
    before = problems.count
    original_id = f.value(obj, "id", _int, "id")
    uid = f.value(obj, "uid", _uid, "uid", required=False)
    created_at = f.value(obj, "created_at", _time, "created_at")
    kind = f.text(obj, "kind", "kind", required=True)
    if kind and kind not in KINDS:
        f.error("kind", f"expected one of {', '.join(Prediction.Kind.values)}, got “{kind}”")
    options = sorted(
        (o for o in f.items(obj, "options", "options") if isinstance(o, dict)),
        key=lambda o: o.get("position", 0) if isinstance(o.get("position"), int) else 0,
    )
    labels = [
        f.text(o, "label", f"options[{i}].label", required=True) for i, o in enumerate(options)
    ]
    record = PredictionIn(
        row=number,
        key="",
        question=f.text(obj, "question", "question", required=True),
        created_at=created_at,
        resolve_by=f.value(obj, "resolve_by", _day, "resolve_by"),
        kind=kind,
        resolution_criteria=f.text(obj, "resolution_criteria", "resolution_criteria"),
        notes=f.text(obj, "notes", "notes"),
        visibility=f.text(obj, "visibility", "visibility") or Prediction.Visibility.PRIVATE,
        tags=_tags(f, obj),
        options=labels,
        uid=uid,
        unit="prediction",
    )
    for i, raw in enumerate(f.items(obj, "forecasts", "forecasts")):
        forecast = _forecast(f, i, raw, kind, labels)
        if forecast is not None:
            record.forecasts.append(forecast)
    for i, raw in enumerate(f.items(obj, "evidence", "evidence")):
        evidence = _evidence(f, i, raw)
        if evidence is not None:
            record.evidence.append(evidence)
    history = f.items(obj, "resolution_history", "resolution_history")
    for i, raw in enumerate(history):
        event = _event(f, f"resolution_history[{i}]", raw, kind)
        if event is not None:
            record.events.append(event)
    if not history:
        event = _current_resolution(f, obj.get("resolution"), kind)
        if event is not None:
            record.events.append(event)
    for i, raw in enumerate(f.items(obj, "edits", "edits")):
        path = f"edits[{i}]"
        if not isinstance(raw, dict):
            f.error(path, "expected an object")
            continue
        record.edits.append(
            EditIn(
                row=number,
                field=f.text(raw, "field", f"{path}.field", required=True),
                old_value=f.text(raw, "old_value", f"{path}.old_value"),
                new_value=f.text(raw, "new_value", f"{path}.new_value"),
                created_at=f.value(raw, "created_at", _time, f"{path}.created_at"),
            )
        )
    if problems.count != before:
        return None
    record.key = prediction_key(original_id, created_at, uid)
    return record


def _tags(f: _Fields, obj: dict) -> list[str]:
    tags = []
    for i, tag in enumerate(f.items(obj, "tags", "tags")):
        if isinstance(tag, str):
            tags.append(tag)
        else:
            f.error(f"tags[{i}]", "expected text")
    return tags


def _forecast(f: _Fields, i: int, raw: Any, kind: str, labels: list[str]) -> ForecastIn | None:
    path = f"forecasts[{i}]"
    if not isinstance(raw, dict):
        f.error(path, "expected an object")
        return None
    original_id = f.value(raw, "id", _int, f"{path}.id")
    forecast = ForecastIn(
        row=f.number,
        key=forecast_key(original_id) if original_id is not None else "",
        created_at=f.value(raw, "created_at", _time, f"{path}.created_at"),
        phrase=f.text(raw, "phrase", f"{path}.phrase"),
        rationale=f.text(raw, "rationale", f"{path}.rationale"),
        evidence_ref=f.value(raw, "evidence_id", _ref, f"{path}.evidence_id", required=False),
        original_id=original_id,
    )
    if kind == Prediction.Kind.BINARY or raw.get("probability") is not None:
        forecast.probability = f.value(raw, "probability", _probability, f"{path}.probability")
    if kind == Prediction.Kind.MULTIPLE_CHOICE or "option_probabilities" in raw:
        given = {}
        for j, item in enumerate(
            f.items(raw, "option_probabilities", f"{path}.option_probabilities")
        ):
            item_path = f"{path}.option_probabilities[{j}]"
            label = f.text(item, "option", f"{item_path}.option", required=True)
            given[label.lower()] = f.value(
                item, "probability", _probability, f"{item_path}.probability"
            )
        probabilities = [given.get(label.lower()) for label in labels]
        forecast.option_probabilities = [p for p in probabilities if p is not None]
        if None in probabilities or len(given) != len(labels):
            f.error(f"{path}.option_probabilities", "expected one probability per option")
    if kind == Prediction.Kind.DATE or "quantiles" in raw:
        forecast.quantiles = {}
        for j, item in enumerate(f.items(raw, "quantiles", f"{path}.quantiles")):
            item_path = f"{path}.quantiles[{j}]"
            level = f.value(item, "level", _probability, f"{item_path}.level")
            day = f.value(item, "value", _day, f"{item_path}.value")
            if level is not None and day is not None:
                forecast.quantiles[level] = day
    return forecast


def _evidence(f: _Fields, i: int, raw: Any) -> EvidenceIn | None:
    path = f"evidence[{i}]"
    if not isinstance(raw, dict):
        f.error(path, "expected an object")
        return None
    source = raw.get("source")
    if not isinstance(source, dict):
        source = {}
    fields = {}
    for name in SOURCE_FIELDS:
        if name in ("published_date", "accessed_date"):
            # Any real date, as the source forms take it (an old document, a typo).
            fields[name] = f.value(source, name, _any_day, f"{path}.source.{name}", required=False)
        else:
            fields[name] = f.text(source, name, f"{path}.source.{name}")
    return EvidenceIn(
        row=f.number,
        ref=f.value(raw, "id", _ref, f"{path}.id", required=False),
        url=f.text(source, "url", f"{path}.source.url", required=True),
        stance=f.text(raw, "stance", f"{path}.stance", required=True),
        quote=f.text(raw, "quote", f"{path}.quote"),
        note=f.text(raw, "note", f"{path}.note"),
        created_at=f.value(raw, "created_at", _time, f"{path}.created_at", required=False),
        source=fields,
        source_created_at=f.value(
            source, "created_at", _time, f"{path}.source.created_at", required=False
        ),
    )


def _outcome(f: _Fields, raw: dict, path: str, kind: str):
    if kind == Prediction.Kind.DATE:
        return f.value(raw, "outcome", _day, f"{path}.outcome")
    return f.text(raw, "outcome", f"{path}.outcome", required=True)


def _event(f: _Fields, path: str, raw: Any, kind: str) -> EventIn | None:
    if not isinstance(raw, dict):
        f.error(path, "expected an object")
        return None
    action = f.text(raw, "action", f"{path}.action", required=True)
    if action and action not in ACTIONS:
        f.error(f"{path}.action", f"expected resolve, annul or undo, got “{action}”")
    return EventIn(
        row=f.number,
        action=action,
        created_at=f.value(raw, "created_at", _time, f"{path}.created_at"),
        outcome=_outcome(f, raw, path, kind) if action == ResolutionEvent.Action.RESOLVE else None,
        known_at=f.value(raw, "known_at", _time, f"{path}.known_at", required=action != "undo"),
        note=f.text(raw, "note", f"{path}.note"),
        evidence_ref=f.value(raw, "evidence_id", _ref, f"{path}.evidence_id", required=False),
    )


def _current_resolution(f: _Fields, raw: Any, kind: str) -> EventIn | None:
    """A file without history but with a closed resolution: one event for it."""
    if not isinstance(raw, dict) or raw.get("status") in (None, "", "open"):
        return None
    status = raw["status"]
    if status not in ("resolved", "annulled"):
        f.error("resolution.status", f"expected open, resolved or annulled, got “{status}”")
        return None
    resolved_at = f.value(raw, "resolved_at", _time, "resolution.resolved_at")
    return EventIn(
        row=f.number,
        action="resolve" if status == "resolved" else "annul",
        created_at=resolved_at,
        outcome=_outcome(f, raw, "resolution", kind) if status == "resolved" else None,
        known_at=f.value(raw, "known_at", _time, "resolution.known_at"),
        note=f.text(raw, "note", "resolution.note"),
        evidence_ref=f.value(raw, "evidence_id", _ref, "resolution.evidence_id", required=False),
    )
