"""Scores of an export's chunk of predictions (docs/design.md §4): the dashboard's.

Which forecasts are late and final comes from the one rule,
`reports.scoring.histories`; each prediction's final and time-averaged scores from
`reports.scoring.kinds`, the functions the dashboard uses; each row's own score (per
option of a multiple-choice forecast, per quantile of a date forecast) from
`reports.scoring.rules`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from predictions.models import Prediction
from reports.exports.records import PredictionData
from reports.scoring import rules
from reports.scoring.histories import NOT_KNOWN, forecast_flags
from reports.scoring.kinds import score_choice_histories, score_date_histories, score_histories
from reports.scoring.timestamps import clamped_ns


def _ns(naive: list[str] | list[str | None]) -> np.ndarray:
    """Naive UTC ISO texts as datetime64[ns] (clamped where pandas' range ends)."""
    return clamped_ns(np.array(naive, dtype="datetime64[us]"))


def _mark_late_and_final(predictions: list[PredictionData]) -> None:
    """Flags every forecast of the chunk late or final by the one rule; a prediction
    still open has no known-at, so none of its forecasts is late and its latest is final."""
    rows = [(p, f) for p in predictions for f in p.forecasts]
    if not rows:
        return
    known = _ns([p.known_at or "1970-01-01" for p in predictions]).view(np.int64)
    known[[p.known_at is None for p in predictions]] = NOT_KNOWN
    late, final = forecast_flags(
        [p.id for p in predictions],
        known,
        np.array([p.id for p, _ in rows]),
        np.array([f.id for _, f in rows]),
        _ns([f.at for _, f in rows]).view(np.int64),
    )
    for (_, f), is_late, is_final in zip(rows, late.tolist(), final.tolist(), strict=True):
        f.late, f.final = is_late, is_final


def _utc_index(values: list[str] | list[str | None]) -> pd.DatetimeIndex:
    return pd.to_datetime(_ns(values), utc=True)


def _history_frames(predictions: list[PredictionData], **columns) -> tuple:
    """The scoring functions' inputs: predictions (index prediction_id, known_at and the
    given outcome columns) and their forecasts (prediction_id, forecast_id, created_at)."""
    frame = pd.DataFrame(
        {"known_at": _utc_index([p.known_at for p in predictions]), **columns},
        index=pd.Index([p.id for p in predictions], name="prediction_id"),
    )
    rows = [(p, f) for p in predictions for f in p.forecasts]
    forecasts = pd.DataFrame(
        {
            "prediction_id": [p.id for p, _ in rows],
            "forecast_id": [f.id for _, f in rows],
            "created_at": _utc_index([f.at for _, f in rows]),
        }
    )
    return frame, forecasts, rows


def _apply(predictions: list[PredictionData], scored: pd.DataFrame, columns: dict) -> None:
    """Copies the prediction scores (`columns`: attribute -> column) onto the predictions."""
    values = [scored[c].tolist() for c in columns.values()]
    by_id = dict(zip(scored.index.tolist(), zip(*values, strict=True), strict=True))
    for p in predictions:
        found = by_id.get(p.id)
        if found is None:
            continue
        for name, value in zip(columns, found, strict=True):
            setattr(p, name, value)


def score_chunk(predictions: list[PredictionData]) -> None:
    """Attaches late and final flags and scores to a chunk's predictions."""
    _mark_late_and_final(predictions)
    by_kind: dict[str, list[PredictionData]] = {kind: [] for kind in Prediction.Kind.values}
    for p in predictions:
        if p.scored and p.has_outcome and p.forecasts:
            by_kind[p.kind].append(p)
    if by_kind[Prediction.Kind.BINARY]:
        _score_binary(by_kind[Prediction.Kind.BINARY])
    if by_kind[Prediction.Kind.MULTIPLE_CHOICE]:
        _score_options(by_kind[Prediction.Kind.MULTIPLE_CHOICE])
    if by_kind[Prediction.Kind.DATE]:
        _score_dates(by_kind[Prediction.Kind.DATE])


def _score_binary(predictions: list[PredictionData]) -> None:
    """Row scores with `rules.brier` / `log_loss_binary` over the whole chunk; the
    prediction scores with `kinds.score_histories`, exactly as the dashboard."""
    outcomes_by_prediction = [int(bool(p.outcome)) for p in predictions]
    frame, forecasts, rows = _history_frames(predictions, outcome=outcomes_by_prediction)
    probs = np.array([f.probability for _, f in rows], dtype=float)
    outcomes = np.array([int(bool(p.outcome)) for p, _ in rows], dtype=float)
    briers = rules.brier(probs, outcomes).tolist()
    losses = rules.log_loss_binary(probs, outcomes).tolist()
    for (_, f), b, loss in zip(rows, briers, losses, strict=True):
        if not f.late:
            f.row_brier, f.row_log_loss = [b], [loss]
            f.brier, f.log_loss = b, loss
    forecasts["probability"] = probs
    scored = score_histories(frame, forecasts)
    columns = {"brier": "brier_final", "brier_time_avg": "brier_time_avg"}
    _apply(predictions, scored, {**columns, "log_loss": "log_loss_final"})


def _score_options(predictions: list[PredictionData]) -> None:
    """Multiple choice: one-vs-rest row scores (`rules.brier`, `log_loss_binary`) and
    each forecast's ½ Σ (p − o)² (`rules.brier_multi`); the prediction's final and
    time-averaged scores from `kinds.score_choice_histories`."""
    frame, forecasts, rows = _history_frames(
        predictions, outcome_option_id=[p.outcome_option_id for p in predictions]
    )
    option_rows: list[tuple[int, int, int, float]] = []
    for p, f in rows:
        winner = [pk for pk, _, _ in p.options].index(p.outcome_option_id)
        onehot = np.zeros(len(p.options))
        onehot[winner] = 1
        probs = np.array(f.options, dtype=float)
        if not f.late:
            f.row_brier = rules.brier(probs, onehot).tolist()
            f.row_log_loss = rules.log_loss_binary(probs, onehot).tolist()
            f.brier = float(rules.brier_multi(probs, onehot))
            f.log_loss = float(rules.log_loss(probs[winner]))
        option_rows.extend(
            (f.id, pk, position, probability)
            for (pk, _, position), probability in zip(p.options, f.options, strict=True)
        )
    options = pd.DataFrame(
        option_rows, columns=["forecast_id", "option_id", "position", "probability"]
    )
    scored, _ = score_choice_histories(frame, forecasts, options)
    columns = {"brier": "brier_final", "brier_time_avg": "brier_time_avg"}
    _apply(predictions, scored, {**columns, "log_loss": "log_loss_final"})


_EPOCH = date(1970, 1, 1).toordinal()


def _days(iso_day: str | None) -> float:
    """A date as days since 1970-01-01, the unit of `reports.scoring.kinds`; NaN for
    none."""
    if iso_day is None:
        return float("nan")
    return float(date.fromisoformat(iso_day).toordinal() - _EPOCH)


def _score_dates(predictions: list[PredictionData]) -> None:
    """Release dates: each quantile is the event "the date falls on or before q" with
    probability τ (row Brier and log loss) and has its pinball loss in days; each
    forecast its weighted interval score (`rules.weighted_interval_score`); the
    prediction's from `kinds.score_date_histories` (the final forecast's WIS)."""
    frame, forecasts, rows = _history_frames(
        predictions, outcome_day=[_days(p.outcome_date) for p in predictions]
    )
    quantile_rows: list[tuple[int, float, float]] = []
    for p, f in rows:
        actual = _days(p.outcome_date)
        levels = np.array([level for level, _ in f.quantiles])
        values = np.array([_days(day) for _, day in f.quantiles])
        quantile_rows.extend(
            zip([f.id] * len(levels), levels.tolist(), values.tolist(), strict=True)
        )
        if f.late or not f.quantiles:
            continue
        happened = (actual <= values).astype(float)
        f.row_brier = rules.brier(levels, happened).tolist()
        f.row_log_loss = rules.log_loss_binary(levels, happened).tolist()
        f.row_pinball = rules.pinball_loss(values, levels, actual).tolist()
        try:
            f.wis = rules.weighted_interval_score(levels, values, actual)
        except ValueError:  # no median: the WIS is undefined
            f.wis = None
    quantiles = pd.DataFrame(quantile_rows, columns=["forecast_id", "level", "day"])
    scored, _ = score_date_histories(frame, forecasts, quantiles)
    _apply(predictions, scored, {"wis": "wis"})
