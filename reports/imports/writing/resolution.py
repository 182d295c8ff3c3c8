"""A file's resolution history, replayed by the rules as the resolve services apply it."""

from predictions import rules
from predictions.services.bulk import BulkPrediction, check_history
from reports.imports.common import PredictionIn

MSG_UNKNOWN_EVIDENCE = "expected the id of one of its evidence links"


def _column(name: str | None) -> str:
    # The outcome and the step itself are the file's "resolution"; other fields by name.
    return "resolution" if name in (None, "outcome", "resolution") else f"resolution.{name}"


def check_events(
    writer, rec: PredictionIn, item: BulkPrediction, labels: list[str], with_evidence=True
) -> None:
    """Replays the record's history onto the (unsaved or existing) prediction."""
    if not rec.events:
        return
    refs = {e.ref for e in rec.evidence} if with_evidence else set()
    steps = []
    for ev in rec.events:
        ref = ev.evidence_ref if ev.evidence_ref in refs else None
        if ev.evidence_ref is not None and with_evidence and ref is None:
            writer.error(rec, "evidence", MSG_UNKNOWN_EVIDENCE, ev.row)
        step = rules.Step(
            action=ev.action, created_at=ev.created_at, outcome=ev.outcome, known_at=ev.known_at
        )
        steps.append((step, ev.note.strip(), ref))
    problems = check_history(item, steps, labels=labels, today=writer.today)
    for index, pairs in problems:
        for name, message in pairs:
            writer.error(rec, _column(name), message, rec.events[index].row)
