"""A scalar reference implementation of the scoring rule, for the tests only.

docs/decisions/0001-one-scoring-rule.md: production scores every prediction at once
with `reports.scoring.histories`; this independent, one-prediction-at-a-time version is
the oracle the equivalence tests compare it with on random histories. It shares nothing
with the vectorised code but the elementwise Brier and log loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reports.scoring.rules import brier, check_probabilities, log_loss_binary


@dataclass(frozen=True)
class PredictionScore:
    """Scores of one binary prediction; indices refer to the caller's arrays."""

    final_probability: float
    final_index: int
    brier_final: float
    brier_time_avg: float
    log_loss_final: float
    n_late: int


def time_weights(times, known_at, start=None) -> np.ndarray:
    """Weight of each forecast in a time-averaged score, in the caller's order.

    Returns non-negative weights summing to 1: each forecast made at or before `known_at`
    is weighted by how long it stood (until the next forecast, or `known_at`); late
    forecasts get 0. The span starts at the first forecast, or at `start` if that is
    later (forecasts replaced before `start` then get 0). When the span is empty (all
    forecasts at one instant, or the only one made at `known_at`) the final forecast
    gets weight 1, so the time average falls back to the final score. Forecasts at the
    same instant keep their given order: the later-listed one is the one that stands.

    `times` are datetime64 (UTC); multiply the weights by any per-forecast scores
    (binary, multiple-choice or date) and sum. Raises ValueError if every forecast is late.
    """
    t = np.asarray(times, dtype="datetime64[ns]").astype(np.int64)
    k = np.datetime64(known_at, "ns").astype(np.int64)
    on_time = t <= k
    if not on_time.any():
        raise ValueError("every forecast was made after known_at")
    order = np.argsort(t, kind="stable")
    ts = t[order]
    # A forecast stands until the next one (or known_at); late ones end before they start.
    ends = np.minimum(np.append(ts[1:], k), k)
    begins = ts if start is None else np.maximum(ts, np.datetime64(start, "ns").astype(np.int64))
    stood = np.clip(ends - begins, 0, None).astype(float)
    weights = np.zeros(len(t))
    if stood.sum() > 0:
        weights[order] = stood / stood.sum()
    else:
        weights[order[np.flatnonzero(on_time[order])[-1]]] = 1.0
    return weights


def score_forecast_history(
    times, probs, outcome, known_at, first_time=None
) -> PredictionScore | None:
    """Final and time-averaged scores of one binary prediction's forecast history.

    `times` (datetime64, UTC) and `probs` (probability of YES) describe the forecasts,
    `outcome` is 1 if YES happened. Forecasts after `known_at` are late and never count;
    one made exactly at `known_at` counts. The final forecast is the last one not late;
    the time average weights forecasts as in `time_weights` (`first_time` is its `start`).
    Returns None when every forecast is late: the prediction is then unscorable, which
    is an ordinary state rather than an error.
    """
    t, probs = np.asarray(times, dtype="datetime64[ns]"), check_probabilities(probs)
    if t.shape != probs.shape:
        raise ValueError("times and probs differ in shape")
    late = t > np.datetime64(known_at, "ns")
    if late.all():
        return None
    # Last non-late in time; among equal times the later-listed one (stable sort).
    order = np.argsort(t, kind="stable")
    final = int(order[~late[order]][-1])
    scores = brier(probs, np.full(len(probs), outcome))
    return PredictionScore(
        final_probability=float(probs[final]),
        final_index=final,
        brier_final=float(scores[final]),
        brier_time_avg=float(time_weights(t, known_at, first_time) @ scores),
        log_loss_final=float(log_loss_binary(probs[final], outcome)),
        n_late=int(late.sum()),
    )
