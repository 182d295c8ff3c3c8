"""Resolving, annulling and reopening a prediction; every call is kept in its history."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions import rules
from predictions.models import Option, Prediction, ResolutionEvent
from predictions.services.forecast import MSG_EVIDENCE_ELSEWHERE
from predictions.services.profiles import question_changed

RESOLVES = "resolves"  # sources.EvidenceLink.Stance.RESOLVES, named here to keep imports one-way


def known_at_problem(prediction: Prediction, known_at: datetime) -> str | None:
    """Why `known_at` cannot be when the prediction's outcome became known, or None."""
    return rules.known_at_problem(known_at, created_at=prediction.created_at, now=timezone.now())


def evidence_mark_resolving(evidence) -> None:
    """The evidence a resolution cites is the prediction's resolving evidence: its
    stance becomes "resolves" (docs/decisions/0002-resolves-stance-set-by-one-service.md). The one
    place that sets it, for the resolve service and for imported histories alike. The
    link arrives through the prediction's reverse relation, so predictions never import
    the sources app."""
    if evidence.stance != RESOLVES:
        evidence.stance = RESOLVES
        evidence.save(update_fields=["stance"])


@transaction.atomic
def prediction_resolve(
    *,
    prediction: Prediction,
    outcome: "str | Option | date",
    known_at: datetime | None = None,
    note: str = "",
    evidence=None,
    resolved_at: datetime | None = None,
) -> Prediction:
    """Resolves (or re-resolves) a prediction. `outcome` is "annulled", or by kind:
    "yes"/"no", the winning Option, or the actual date (never in the future).

    `known_at` is when the outcome became knowable (default now); forecasts after it are
    late and never count. Every call is recorded in the resolution history.
    """
    annulled = outcome == "annulled"
    winner = outcome if isinstance(outcome, Option) else None
    if winner is not None and winner.prediction_id != prediction.pk:
        raise ValidationError({"outcome": rules.MSG_WRONG_OUTCOME})
    now = resolved_at or timezone.now()
    # The same step the bulk service replays for an imported history.
    state = rules.resolution_step(
        rules.State(status=prediction.status),
        0,
        rules.Step(
            action=ResolutionEvent.Action.ANNUL if annulled else ResolutionEvent.Action.RESOLVE,
            created_at=now,
            outcome=winner.label if winner else outcome,
            known_at=known_at,
        ),
        kind=prediction.kind,
        labels=[winner.label] if winner else [],
        today=timezone.localdate(),
    )
    result, known_at = state.result, state.known_at or now
    # Backdated resolutions (the demo, imports) skip the not-in-the-future check.
    if resolved_at is None and (problem := known_at_problem(prediction, known_at)):
        raise ValidationError({"known_at": problem})
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    if evidence is not None:
        evidence_mark_resolving(evidence)
    prediction.status = state.status
    prediction.outcome = result.outcome
    prediction.outcome_option = winner
    prediction.outcome_date = result.outcome_date
    prediction.known_at = known_at
    prediction.resolved_at = now
    prediction.resolution_note = note.strip()
    prediction.resolution_evidence = evidence
    prediction.full_clean()
    prediction.save()
    ResolutionEvent.objects.create(
        prediction=prediction,
        action=ResolutionEvent.Action.ANNUL if annulled else ResolutionEvent.Action.RESOLVE,
        outcome=prediction.outcome,
        outcome_option=winner,
        outcome_date=result.outcome_date,
        known_at=known_at,
        note=prediction.resolution_note,
        evidence=evidence,
        created_at=now,
    )
    question_changed(prediction)  # every forecaster's scores change
    return prediction


@transaction.atomic
def prediction_reopen(*, prediction: Prediction, note: str = "") -> Prediction:
    """Undoes the current resolution; the history keeps what it was."""
    now = timezone.now()
    step = rules.Step(action=ResolutionEvent.Action.UNDO, created_at=now)
    rules.resolution_step(
        rules.State(status=prediction.status),
        0,
        step,
        kind=prediction.kind,
        labels=[],
        today=now.date(),
    )
    prediction.status = Prediction.Status.OPEN
    prediction.outcome = None
    prediction.outcome_option = None
    prediction.outcome_date = None
    prediction.known_at = None
    prediction.resolved_at = None
    prediction.resolution_note = ""
    prediction.resolution_evidence = None
    prediction.full_clean()
    prediction.save()
    ResolutionEvent.objects.create(
        prediction=prediction, action=ResolutionEvent.Action.UNDO, note=note.strip(), created_at=now
    )
    question_changed(prediction)  # every forecaster's scores change
    return prediction
