"""Per-kind scores of many predictions' forecast histories (docs/design.md §4): yes/no,
multiple choice and release dates, each through the one rule of `histories`.

Inputs are DataFrames with tz-aware times; each function returns the scorable
predictions with their score columns, and the multiple-choice and date ones also the
calibration points of their final forecasts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.scoring import rules
from reports.scoring.histories import Histories, histories

PREDICTION_COLUMNS = [
    "kind",
    "created_at",
    "resolved_at",
    "known_at",
    "outcome",
    "n_forecasts",
    "n_late",
    "first_forecast_at",
    "final_forecast_at",
    "final_probability",
    "brier_final",
    "brier_time_avg",
    "log_loss_final",
]
CHOICE_COLUMNS = [
    "kind",
    "created_at",
    "resolved_at",
    "known_at",
    "outcome_option_id",
    "n_forecasts",
    "n_late",
    "first_forecast_at",
    "final_forecast_at",
    "final_forecast_id",
    "final_probability",  # what the final forecast gave the option that won
    "brier_final",
    "brier_time_avg",
    "log_loss_final",
]
DATE_COLUMNS = [
    "kind",
    "created_at",
    "resolved_at",
    "known_at",
    "outcome_day",  # the actual date, as days since 1970-01-01
    "n_forecasts",
    "n_late",
    "first_forecast_at",
    "final_forecast_at",
    "final_forecast_id",
    "n_quantiles",
    "median_day",
    "horizon_days",  # days from the final forecast to its median, at least 1
    "pinball_mean",  # days, mean over the final forecast's quantiles
    "wis",  # days
    "pinball_norm",  # the two above divided by the horizon
    "wis_norm",
    "pinball_norm_time_avg",
    "wis_norm_time_avg",
    "lower_80_day",
    "upper_80_day",
    "interval_score_80",
    "hit_50",  # 1.0 inside, 0.0 outside, NaN when the forecast lacks that interval
    "hit_80",
    "hit_90",
]
POINT_COLUMNS = ["prediction_id", "probability", "outcome"]
# Central intervals (lower, upper level in per-mille) whose hits are reported.
INTERVALS = {"hit_50": (250, 750), "hit_80": (100, 900), "hit_90": (50, 950)}
DAY_NS = 86_400 * 10**9


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """A frame with these columns and no rows."""
    return pd.DataFrame(np.empty((0, len(columns))), columns=columns)


def score_binary_histories(
    predictions: pd.DataFrame, forecasts: pd.DataFrame
) -> tuple[pd.DataFrame, Histories]:
    """`score_histories` and the Histories it used (to pick more final-forecast columns)."""
    h = histories(predictions, forecasts)
    p = forecasts["probability"].to_numpy(dtype=float)[h.rows]
    y = predictions["outcome"].to_numpy(dtype=float)
    squared = (p - y[h.group]) ** 2
    fin = h.final[h.keep]
    scored = h.frame(predictions, forecasts["forecast_id"].to_numpy()[h.rows])
    scored["final_probability"] = p[fin]
    scored["brier_final"] = squared[fin]
    scored["brier_time_avg"] = h.time_average(squared)
    scored["log_loss_final"] = rules.log_loss_binary(p[fin], y[h.keep])
    return scored, h


def score_histories(predictions: pd.DataFrame, forecasts: pd.DataFrame) -> pd.DataFrame:
    """Yes/no predictions: Brier and log loss of every prediction at once.

    `predictions`: index prediction_id, columns `outcome` (0/1) and `known_at`.
    `forecasts`: columns prediction_id, forecast_id, created_at, probability; one row per
    binary forecast, any order. Returns `predictions` with the score columns added and
    only the scorable rows kept (at least one forecast at or before `known_at`).

    The final forecast and the time-averaged Brier follow `histories` (the module
    docstring states the rule).
    """
    return score_binary_histories(predictions, forecasts)[0]


def score_choice_histories(
    predictions: pd.DataFrame, forecasts: pd.DataFrame, options: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Multiple-choice predictions: returns (scored, points).

    `predictions`: index prediction_id, columns `outcome_option_id` and `known_at`;
    `forecasts` as for `score_histories` without `probability`; `options`: columns
    forecast_id, option_id, position, probability (one row per option of a forecast).
    Each forecast's Brier is `rules.brier_multi` (½ Σ (pₖ − oₖ)², 0–1 scale) and its log
    loss `rules.log_loss` of the winner's probability; the final and time-averaged
    scores follow the same rule as yes/no predictions. `points` has one row per option
    of each final forecast: its probability and 1 for the winner, 0 for the others.
    """
    h = histories(predictions, forecasts)
    forecast_ids = forecasts["forecast_id"].to_numpy()[h.rows]
    at = pd.Index(forecast_ids).get_indexer(options["forecast_id"].to_numpy())
    rows = options[at >= 0]
    at = at[at >= 0]
    winner = predictions["outcome_option_id"].to_numpy()[h.group][at]
    won = rows["option_id"].to_numpy() == winner
    p = rows["probability"].to_numpy(dtype=float)
    # One matrix row per forecast, options in position order, plus a last column that
    # holds the winner (o = 1, p = 0) when a forecast somehow lacks its row.
    order = np.lexsort((rows["position"].to_numpy(), at))
    column = np.empty(len(at), dtype=int)
    sorted_at = at[order]
    starts = np.ones(len(at), dtype=bool)
    starts[1:] = sorted_at[1:] != sorted_at[:-1]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(at)), 0))
    column[order] = np.arange(len(at)) - run_start
    width = int(column.max()) + 2 if len(at) else 1
    probs = np.zeros((len(h.rows), width))
    onehot = np.zeros((len(h.rows), width))
    probs[at, column] = p
    onehot[at, column] = won
    onehot[:, -1] = onehot.sum(axis=1) == 0
    briers = rules.brier_multi(probs, onehot)
    p_winner = (probs * onehot).sum(axis=1)
    losses = rules.log_loss(p_winner)

    fin = h.final[h.keep]
    scored = h.frame(predictions, forecast_ids)
    scored["final_probability"] = p_winner[fin]
    scored["brier_final"] = briers[fin]
    scored["brier_time_avg"] = h.time_average(briers)
    scored["log_loss_final"] = losses[fin]

    chosen = h.is_final[at]
    points = pd.DataFrame(
        {
            "prediction_id": predictions.index.to_numpy()[h.group[at[chosen]]],
            "probability": p[chosen],
            "outcome": won[chosen].astype(np.int8),
        }
    )
    return scored, points


def score_date_histories(
    predictions: pd.DataFrame, forecasts: pd.DataFrame, quantiles: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Release-date predictions: returns (scored, points).

    `predictions`: index prediction_id, columns `outcome_day` (the actual date as days
    since 1970-01-01) and `known_at`; `forecasts` as for `score_histories` without
    `probability`; `quantiles`: columns forecast_id, level (0–1), day (days since
    1970-01-01). Per forecast: `rules.pinball_loss` per quantile (its mean), the
    weighted interval score over the median and the central intervals whose two ends
    are present (the sum of their pinball losses ÷ (K + ½), which equals
    `rules.weighted_interval_score`), the horizon (days from the forecast's UTC date
    to its median, at least 1), and `rules.interval_hit` for the 50/80/90% intervals.
    Final forecast and time averages as for yes/no predictions. `points`: one per
    quantile of each final forecast, probability τ and 1 if the actual date fell on or
    before q_τ, and its pinball loss (days).
    """
    h = histories(predictions, forecasts)
    forecast_ids = forecasts["forecast_id"].to_numpy()[h.rows]
    n_fc = len(h.rows)
    at = pd.Index(forecast_ids).get_indexer(quantiles["forecast_id"].to_numpy())
    rows = quantiles[at >= 0]
    at = at[at >= 0]
    tau = rows["level"].to_numpy(dtype=float)
    q = rows["day"].to_numpy(dtype=float)
    actual_by_forecast = predictions["outcome_day"].to_numpy(dtype=float)[h.group]
    y = actual_by_forecast[at]
    loss = rules.pinball_loss(q, tau, y)
    per_mille = np.rint(tau * 1000).astype(np.int64)
    key = at * 1001 + per_mille
    paired = np.isin(at * 1001 + (1000 - per_mille), key)

    def per_forecast(values, where=None) -> np.ndarray:
        weights = values if where is None else np.where(where, values, 0.0)
        return np.bincount(at, weights=weights, minlength=n_fc)

    def level_day(level: int) -> np.ndarray:
        day = np.full(n_fc, np.nan)
        chosen = per_mille == level
        day[at[chosen]] = q[chosen]
        return day

    count = np.bincount(at, minlength=n_fc)
    n_paired = np.bincount(at, weights=paired, minlength=n_fc)
    median = level_day(500)
    with np.errstate(invalid="ignore", divide="ignore"):
        pinball_mean = per_forecast(loss) / count
        wis = np.where(np.isnan(median), np.nan, 2 * per_forecast(loss, paired) / n_paired)
    forecast_day = h.t // DAY_NS
    horizon = np.maximum(median - forecast_day, 1)

    fin = h.final[h.keep]
    scored = h.frame(predictions, forecast_ids)
    scored["n_quantiles"] = count[fin]
    scored["median_day"] = median[fin]
    scored["horizon_days"] = horizon[fin]
    scored["pinball_mean"] = pinball_mean[fin]
    scored["wis"] = wis[fin]
    scored["pinball_norm"] = (pinball_mean / horizon)[fin]
    scored["wis_norm"] = (wis / horizon)[fin]
    scored["pinball_norm_time_avg"] = h.time_average(pinball_mean / horizon)
    scored["wis_norm_time_avg"] = h.time_average(wis / horizon)
    lower80, upper80 = level_day(100)[fin], level_day(900)[fin]
    actual = actual_by_forecast[fin]
    scored["lower_80_day"], scored["upper_80_day"] = lower80, upper80
    scored["interval_score_80"] = rules.interval_score(lower80, upper80, 0.2, actual)
    for column, (low, high) in INTERVALS.items():
        lower, upper = level_day(low)[fin], level_day(high)[fin]
        hit = rules.interval_hit(lower, upper, actual).astype(float)
        scored[column] = np.where(np.isnan(lower) | np.isnan(upper), np.nan, hit)

    chosen = h.is_final[at]
    points = pd.DataFrame(
        {
            "prediction_id": predictions.index.to_numpy()[h.group[at[chosen]]],
            "probability": tau[chosen],
            "outcome": (y[chosen] <= q[chosen]).astype(np.int8),
            "pinball": loss[chosen],
        }
    ).sort_values(["prediction_id", "probability"], kind="stable", ignore_index=True)
    return scored, points
