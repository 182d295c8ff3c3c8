"""What an import will do, before it does it: the counts and the first rows."""

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from predictions.models import Prediction
from predictions.services.bulk import BulkPrediction
from predictions.services.bulk_rows import Row
from reports.imports.common import ForecastIn
from reports.scoring.histories import NOT_KNOWN, forecast_flags

PREVIEW_ROWS = 20
Kind = Prediction.Kind
Status = Prediction.Status


@dataclass(frozen=True)
class PreviewRow:
    """A prediction as it will be imported, for the preview table."""

    row: int
    question: str
    kind: str
    created_at: object
    forecasts: int
    final: str  # the forecast that will count (docs/design.md §4)
    late: int  # forecasts made after the outcome was known: imported, never scored
    resolution: str
    tags: str
    action: str  # "new", "already imported", "adds 2 forecasts"


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class Summary:
    predictions: int = 0
    predictions_existing: int = 0
    forecasts: int = 0
    forecasts_existing: int = 0
    resolved: int = 0
    evidence: int = 0
    preview: list[PreviewRow] = field(default_factory=list)

    def sentence(self, *, dry_run: bool = False) -> str:
        verb = "Will import" if dry_run else "Imported"
        text = (
            f"{verb} {count(self.predictions, 'prediction')} with "
            f"{count(self.forecasts, 'forecast')}"
        )
        if self.resolved:
            text += f" ({self.resolved} resolved or annulled)"
        if self.evidence:
            text += f" and {count(self.evidence, 'evidence link')}"
        text += "."
        if self.predictions_existing or self.forecasts_existing:
            text += (
                f" Already there from an earlier import: "
                f"{count(self.predictions_existing, 'prediction')}, "
                f"{count(self.forecasts_existing, 'forecast')}."
            )
        return text

    def add(self, item: BulkPrediction) -> None:
        """Counts a checked prediction and, among the first PREVIEW_ROWS, shows it."""
        new_forecasts = len(item.forecasts)
        self.forecasts += new_forecasts
        if item.events and item.prediction.status != Status.OPEN:
            self.resolved += 1
        if not item.existing:
            self.predictions += 1
            self.evidence += len(item.evidence)
        if len(self.preview) < PREVIEW_ROWS:
            self.preview.append(_row(item, new_forecasts))


def _final_and_late(rec, prediction: Prediction | Row) -> tuple[ForecastIn | None, int]:
    """The forecast that will count and how many are late, by the scoring rule itself
    (reports.scoring.histories), so the preview says what the dashboard will score."""
    if not rec.forecasts:
        return None, 0
    times = pd.DatetimeIndex([f.created_at for f in rec.forecasts], tz="UTC").as_unit("ns").asi8
    known = NOT_KNOWN if prediction.known_at is None else pd.Timestamp(prediction.known_at).value
    ids = np.arange(len(rec.forecasts))  # file order is the order they were made
    late, final = forecast_flags([0], np.array([known]), np.zeros(len(ids), dtype=int), ids, times)
    chosen = np.flatnonzero(final)
    return (rec.forecasts[int(chosen[0])] if len(chosen) else None), int(late.sum())


def _describe(rec, forecast: ForecastIn | None) -> str:
    if forecast is None:
        return ""
    if forecast.probability is not None:
        return f"{forecast.probability * 100:.1f}%".replace(".0%", "%")
    if forecast.option_probabilities:
        pairs = zip(rec.options, forecast.option_probabilities, strict=False)
        return ", ".join(f"{label} {p * 100:.1f}%" for label, p in pairs).replace(".0%", "%")
    if forecast.quantiles:
        median = forecast.quantiles.get(Decimal("0.5")) or forecast.quantiles.get(Decimal("0.500"))
        return f"median {median}" if median else ""
    return ""


def _row(item: BulkPrediction, new_forecasts: int) -> PreviewRow:
    rec, prediction = item.record, item.prediction
    resolution = ""
    if prediction.status == Status.ANNULLED:
        resolution = "annulled"
    elif prediction.status == Status.RESOLVED:
        resolution = (
            ("yes" if prediction.outcome else "no")
            if rec.kind == Kind.BINARY
            else str(item.winner_label or prediction.outcome_date or "")
        )
    if item.existing:
        action = f"adds {count(new_forecasts, 'forecast')}" if new_forecasts else "already imported"
    else:
        action = "new"
    final, late = _final_and_late(rec, prediction)
    return PreviewRow(
        row=rec.row,
        question=prediction.question,
        kind=rec.kind,
        created_at=rec.created_at,
        forecasts=len(rec.forecasts),
        final=_describe(rec, final),
        late=late,
        resolution=resolution,
        tags=", ".join(rec.tags),
        action=action,
    )
