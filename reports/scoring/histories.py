"""Which forecasts count, for many predictions at once (docs/design.md §4 and
docs/decisions/0001-one-scoring-rule.md).

The rule, for every kind: a prediction's forecasts are ordered by time, then id (the
order in which forecasts at one instant were made); a forecast made after `known_at` is
late and never counts; the final forecast is the last one not late; each forecast
stands from its time until the next forecast or `known_at`, and a time-averaged score
weights each forecast's score by how long it stood, falling back to the final forecast's
score when no time passed. This module is the only implementation: the dashboard, the
per-prediction score, the exports and the imports' preview all call it.

Times are int64 nanoseconds since the epoch (UTC) or tz-aware pandas columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The known-at of a prediction whose outcome is not known yet: no forecast is late and
# the latest one is final.
NOT_KNOWN = np.iinfo(np.int64).max


def utc_ns(values: pd.Series) -> np.ndarray:
    """Aware datetimes as int64 nanoseconds since the epoch (UTC)."""
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[ns]").view(np.int64)


@dataclass(frozen=True, eq=False)
class Histories:
    """The rule applied to many predictions' forecasts.

    Forecasts are sorted by prediction, time, then id; `rows` are their positions in
    the caller's forecasts, `group` the row of each one's prediction. Per prediction,
    `final` and `first` index the sorted forecasts (-1 when there is none); `stood` is
    how long each forecast stood before the next one or `known_at` (0 for late ones).
    """

    rows: np.ndarray
    group: np.ndarray
    t: np.ndarray
    late: np.ndarray
    stood: np.ndarray
    final: np.ndarray
    first: np.ndarray

    @property
    def keep(self) -> np.ndarray:
        """Predictions with a forecast at or before `known_at` (the scorable ones)."""
        return self.final >= 0

    @property
    def is_final(self) -> np.ndarray:
        """Per sorted forecast: whether it is the final forecast of its prediction."""
        final = np.zeros(len(self.rows), dtype=bool)
        final[self.final[self.keep]] = True
        return final

    def time_average(self, scores: np.ndarray) -> np.ndarray:
        """Per kept prediction: `scores` (one per sorted forecast) weighted by how long
        each stood, or the final forecast's score when no time passed."""
        n, keep = len(self.final), self.keep
        weight = np.bincount(self.group, weights=self.stood, minlength=n)[keep]
        weighted = np.bincount(self.group, weights=self.stood * scores, minlength=n)[keep]
        final = scores[self.final[keep]]
        return np.where(weight > 0, weighted / np.where(weight > 0, weight, 1), final)

    def frame(self, predictions: pd.DataFrame, forecast_ids: np.ndarray) -> pd.DataFrame:
        """The kept predictions with the columns every kind shares; `forecast_ids` are
        the sorted forecasts' ids."""
        n, keep = len(self.final), self.keep
        fin = self.final[keep]
        scored = predictions[keep].copy()
        scored["n_forecasts"] = np.bincount(self.group, minlength=n)[keep]
        scored["n_late"] = np.bincount(self.group, weights=self.late, minlength=n).astype(int)[keep]
        scored["first_forecast_at"] = pd.to_datetime(self.t[self.first[keep]], utc=True)
        scored["final_forecast_at"] = pd.to_datetime(self.t[fin], utc=True)
        scored["final_forecast_id"] = forecast_ids[fin]
        return scored


def order_histories(
    prediction_ids: pd.Index,
    known_at: np.ndarray,
    forecast_prediction_ids: np.ndarray,
    forecast_ids: np.ndarray,
    forecast_times: np.ndarray,
) -> Histories:
    """The rule on plain arrays: `known_at` (ns) per prediction of `prediction_ids`;
    per forecast its prediction, id and time (ns), in any order. Forecasts of other
    predictions are ignored."""
    all_groups = prediction_ids.get_indexer(forecast_prediction_ids)
    mask = all_groups >= 0
    pid = np.asarray(forecast_prediction_ids)[mask]
    t = np.asarray(forecast_times, dtype=np.int64)[mask]
    order = np.lexsort((np.asarray(forecast_ids)[mask], t, pid))
    pid, t = pid[order], t[order]
    n = len(prediction_ids)
    group = all_groups[mask][order]  # row of each forecast's prediction
    k = np.asarray(known_at, dtype=np.int64)[group]

    late = t > k
    last_of_group = np.ones(len(pid), dtype=bool)
    last_of_group[:-1] = pid[1:] != pid[:-1]
    next_t = np.empty_like(t)
    next_t[:-1] = t[1:]
    ends = np.where(last_of_group, k, np.minimum(next_t, k))
    stood = np.clip(ends - t, 0, None).astype(float)

    on_time = np.flatnonzero(~late)
    on_group = group[on_time]
    last_on_time = np.ones(len(on_time), dtype=bool)
    last_on_time[:-1] = on_group[1:] != on_group[:-1]
    final = np.full(n, -1)
    final[on_group[last_on_time]] = on_time[last_on_time]
    first = np.full(n, -1)
    first_of_group = np.ones(len(pid), dtype=bool)
    first_of_group[1:] = pid[1:] != pid[:-1]
    first[group[first_of_group]] = np.flatnonzero(first_of_group)
    return Histories(np.flatnonzero(mask)[order], group, t, late, stood, final, first)


def histories(predictions: pd.DataFrame, forecasts: pd.DataFrame) -> Histories:
    """The rule for `forecasts` (columns prediction_id, forecast_id, created_at) of
    `predictions` (index prediction_id, column known_at), times tz-aware."""
    return order_histories(
        predictions.index,
        utc_ns(predictions["known_at"]),
        forecasts["prediction_id"].to_numpy(),
        forecasts["forecast_id"].to_numpy(),
        utc_ns(forecasts["created_at"]),
    )


def forecast_flags(
    prediction_ids, known_at, forecast_prediction_ids, forecast_ids, forecast_times
) -> tuple[np.ndarray, np.ndarray]:
    """(late, final) booleans per forecast, in the caller's order: the rule's flags for
    a file or page that lists forecasts (the exports, an import's preview).

    Arguments as for `order_histories`; a prediction whose outcome is not known yet
    has `known_at` NOT_KNOWN, so none of its forecasts is late and its latest is final.
    """
    h = order_histories(
        pd.Index(prediction_ids), known_at, forecast_prediction_ids, forecast_ids, forecast_times
    )
    n = len(forecast_ids)
    late, final = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    late[h.rows] = h.late
    final[h.rows] = h.is_final
    return late, final
