"""What the exports hold per prediction and forecast, as loaded and scored."""

from __future__ import annotations

from dataclasses import dataclass, field

from predictions.models import Prediction


@dataclass(slots=True)
class ForecastData:
    id: int
    at: str  # naive UTC ISO
    probability: float | None
    rationale: str
    author_id: int | None = None
    author: str = ""  # member_name of the author, where the export names authors
    phrase: str = ""
    evidence_id: int | None = None
    options: list[float] = field(default_factory=list)  # in option order
    quantiles: list[tuple[float, str]] = field(default_factory=list)  # (level, date)
    late: bool = False
    final: bool = False
    row_brier: list[float | None] = field(default_factory=list)  # per option/quantile
    row_log_loss: list[float | None] = field(default_factory=list)
    row_pinball: list[float | None] = field(default_factory=list)
    brier: float | None = None  # the forecast's own score (multi-option Brier)
    log_loss: float | None = None
    wis: float | None = None


@dataclass(slots=True)
class PredictionData:
    id: int
    question: str
    kind: str
    status: str
    outcome: bool | None
    outcome_option_id: int | None
    outcome_date: str | None
    known_at: str | None
    resolved_at: str | None
    created_at: str
    resolve_by: str
    uid: str = ""  # Prediction.uid as text (8-4-4-4-12)
    owner_id: int | None = None
    owner: str = ""  # member_name of the owner; empty for the exporter's own questions
    extra: dict = field(default_factory=dict)  # JSON-only fields
    options: list[tuple[int, str, int]] = field(default_factory=list)  # (id, label, pos)
    forecasts: list[ForecastData] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    brier: float | None = None
    brier_time_avg: float | None = None
    log_loss: float | None = None
    wis: float | None = None

    @property
    def scored(self) -> bool:
        return self.status == Prediction.Status.RESOLVED

    @property
    def has_outcome(self) -> bool:
        """Whether the resolution names what happened (a resolution without its winner
        or date cannot be scored, as on the dashboard; the services never make one)."""
        if self.kind == Prediction.Kind.MULTIPLE_CHOICE:
            return self.outcome_option_id is not None
        if self.kind == Prediction.Kind.DATE:
            return self.outcome_date is not None
        return self.outcome is not None

    @property
    def resolution(self) -> str:
        if self.status == Prediction.Status.ANNULLED:
            return "annulled"
        if self.status != Prediction.Status.RESOLVED:
            return ""
        if self.kind == Prediction.Kind.BINARY:
            return "yes" if self.outcome else "no"
        if self.kind == Prediction.Kind.MULTIPLE_CHOICE:
            winner = self.outcome_option_id
            return next((label for pk, label, _ in self.options if pk == winner), "")
        return self.outcome_date or ""
