"""The JSON export (docs/design.md §5): one object per prediction with its options,
forecasts, evidence (with sources), resolution history and edits. Each prediction is
on a line of its own so that the importer can read a large file a prediction at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from predictions.models import Prediction
from reports.exports.loading import iter_predictions
from reports.exports.records import PredictionData
from reports.exports.scope import ExportScope
from reports.exports.values import json_number, probability_text, url_maker, utc_text
from reports.file_format import JSON_HEAD


def _probability(value: float) -> float:
    """A stored probability as the JSON number its CSV text reads as."""
    return float(probability_text(value))


def _prediction_json(p: PredictionData, url) -> dict:
    x = p.extra
    forecasts = []
    for f in p.forecasts:
        item = {
            "id": f.id,
            "created_at": utc_text(f.at),
            "probability": None if f.probability is None else _probability(f.probability),
            "phrase": f.phrase,
            "rationale": f.rationale,
            "evidence_id": f.evidence_id,
            "is_late": f.late,
            "is_final": f.final,
            "author": f.author,
            "brier": json_number(f.brier),
            "log_loss": json_number(f.log_loss),
        }
        if p.kind == Prediction.Kind.MULTIPLE_CHOICE:
            item["option_probabilities"] = [
                {"option": label, "probability": _probability(f.options[i])}
                for i, (_, label, _) in enumerate(p.options)
            ]
        if p.kind == Prediction.Kind.DATE:
            item["quantiles"] = [
                {"level": _probability(level), "value": day} for level, day in f.quantiles
            ]
            item["wis"] = json_number(f.wis)
        forecasts.append(item)
    closed = p.status != Prediction.Status.OPEN
    return {
        "id": p.id,
        "uid": p.uid,
        "owner": p.owner,
        "question": p.question,
        "kind": p.kind,
        "resolution_criteria": x["resolution_criteria"],
        "resolve_by": p.resolve_by,
        "created_at": utc_text(p.created_at),
        "notes": x["notes"],
        "visibility": x["visibility"],
        "url": url(p.id),
        "tags": p.tags,
        "options": [{"id": pk, "label": label, "position": pos} for pk, label, pos in p.options],
        "forecasts": forecasts,
        "evidence": x["evidence"],
        "resolution": {
            "status": p.status,
            "outcome": p.resolution if p.status == Prediction.Status.RESOLVED else None,
            "known_at": utc_text(p.known_at) if closed else None,
            "resolved_at": utc_text(p.resolved_at) if closed else None,
            "note": x["resolution_note"],
            "evidence_id": x["resolution_evidence_id"],
        },
        "resolution_history": x["history"],
        "edits": x["edits"],
        "scores": {
            "brier": json_number(p.brier),
            "brier_time_avg": json_number(p.brier_time_avg),
            "log_loss": json_number(p.log_loss),
            "wis": json_number(p.wis),
        },
    }


def json_stream(qs: QuerySet, scope: ExportScope, *, base_url: str = "") -> Iterator[str]:
    """The JSON export in pieces: a head line, then one line per prediction."""
    head = json.dumps(JSON_HEAD, ensure_ascii=False)
    yield head[:-1] + ', "predictions": [\n'
    url = url_maker(base_url)
    separator = ""
    for p in iter_predictions(qs, scope, full=True):
        item = _prediction_json(p, url)
        yield separator + json.dumps(item, ensure_ascii=False, allow_nan=False)
        separator = ",\n"
    yield "\n]}\n"
