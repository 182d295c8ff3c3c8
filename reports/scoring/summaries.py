"""Means over scored predictions (docs/design.md §4): a user's summary, means per group
(month of resolution, tag, phrase) and the release-date means.

Means are over predictions, not forecasts; each prediction contributes its final and
time-averaged scores as computed by `kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.scoring.calibration import wilson_interval
from reports.scoring.rules import check_outcomes, check_probabilities


@dataclass(frozen=True)
class Summary:
    """Means over scored predictions (not forecasts). Means are NaN when n is 0.

    `brier_base_rate` is the Brier of always forecasting the user's own base rate,
    ȳ(1 − ȳ); `skill` = 1 − brier / brier_base_rate is None when that is 0 (all outcomes
    alike, so there is nothing to beat) or n is 0.
    """

    n: int
    brier: float
    brier_time_avg: float
    log_loss: float
    base_rate: float
    mean_forecast: float
    brier_base_rate: float
    skill: float | None


def summarise(brier_final, brier_time_avg, log_loss_final, outcomes, probs) -> Summary:
    """Aggregate per-prediction scores, outcomes and final YES-probabilities of one user.

    `mean_forecast` beside `base_rate` shows calibration-in-the-large at a glance.
    """
    arrays = [np.asarray(a, dtype=float) for a in (brier_final, brier_time_avg, log_loss_final)]
    y, p = check_outcomes(outcomes), check_probabilities(probs)
    n = len(y)
    if any(len(a) != n for a in [*arrays, p]):
        raise ValueError("all inputs must have one entry per prediction")
    if n == 0:
        nan = float("nan")
        return Summary(0, nan, nan, nan, nan, nan, nan, None)
    brier_mean, time_avg_mean, log_loss_mean = (float(a.mean()) for a in arrays)
    base_rate = float(y.mean())
    brier_base = base_rate * (1 - base_rate)
    return Summary(
        n=n,
        brier=brier_mean,
        brier_time_avg=time_avg_mean,
        log_loss=log_loss_mean,
        base_rate=base_rate,
        mean_forecast=float(p.mean()),
        brier_base_rate=brier_base,
        skill=1 - brier_mean / brier_base if brier_base > 0 else None,
    )


@dataclass(frozen=True)
class Means:
    """Mean final Brier, time-averaged Brier and final log loss over `n` predictions."""

    n: int
    brier: float
    brier_time_avg: float
    log_loss: float


def means(frame: pd.DataFrame) -> Means:
    """The means of a frame with columns brier_final, brier_time_avg, log_loss_final
    (any mix of yes/no and multiple-choice predictions: both Briers are on 0–1)."""
    return Means(
        n=len(frame),
        brier=float(frame["brier_final"].mean()),
        brier_time_avg=float(frame["brier_time_avg"].mean()),
        log_loss=float(frame["log_loss_final"].mean()),
    )


@dataclass(frozen=True)
class GroupMeans:
    """Count and mean Briers (final, time-averaged) of the predictions of one group."""

    key: object
    count: int
    brier: float
    brier_time_avg: float


def group_means(keys, brier_final, brier_time_avg) -> list[GroupMeans]:
    """Count and mean scores per key, in key order; one entry of each argument per
    prediction (a prediction in several groups, such as tags, appears once per group)."""
    codes, uniques = pd.factorize(np.asarray(keys), sort=True)
    count = np.bincount(codes, minlength=len(uniques))
    sums = [
        np.bincount(codes, weights=np.asarray(values, dtype=float), minlength=len(uniques))
        for values in (brier_final, brier_time_avg)
    ]
    return [
        GroupMeans(key, int(n), float(b / n), float(t / n))
        for key, n, b, t in zip(uniques, count, *sums, strict=True)
    ]


def month_keys(times: pd.Series, tz) -> pd.Series:
    """Months of tz-aware `times` in the time zone `tz` as year × 12 + month − 1, so that
    they sort in time order."""
    local = times.dt.tz_convert(tz)
    return pd.Series(local.dt.year * 12 + local.dt.month - 1, index=times.index)


@dataclass(frozen=True)
class HitRate:
    """How often the predictions of one group came true: `hits` of `n`, with a Wilson
    95% interval (`low`, `high`)."""

    key: object
    n: int
    hits: int
    low: float
    high: float


def hit_rates(keys, outcomes) -> list[HitRate]:
    """Per key (in key order): how many predictions, how many came true (outcomes 0/1),
    and the Wilson interval of that share."""
    frame = pd.DataFrame({"key": np.asarray(keys), "outcome": check_outcomes(outcomes)})
    grouped = frame.groupby("key", sort=True)["outcome"].agg(["size", "sum"])
    low, high = wilson_interval(grouped["sum"], grouped["size"])
    return [
        HitRate(key, int(n), int(hits), float(lo), float(hi))
        for key, n, hits, lo, hi in zip(
            grouped.index, grouped["size"], grouped["sum"], low, high, strict=True
        )
    ]


@dataclass(frozen=True)
class DateMeans:
    """Means over scored release-date predictions of the final forecast's pinball loss
    and weighted interval score divided by its horizon, the time-averaged WIS likewise,
    the mean WIS in days, and the median horizon in days."""

    n: int
    pinball_norm: float
    wis_norm: float
    wis_norm_time_avg: float
    wis_days: float
    horizon_days: float


def date_means(dates: pd.DataFrame) -> DateMeans:
    """The means of a frame of `kinds.DATE_COLUMNS`."""
    return DateMeans(
        n=len(dates),
        pinball_norm=float(dates["pinball_norm"].mean()),
        wis_norm=float(dates["wis_norm"].mean()),
        wis_norm_time_avg=float(dates["wis_norm_time_avg"].mean()),
        wis_days=float(dates["wis"].mean()),
        horizon_days=float(dates["horizon_days"].median()),
    )


# --- Comparisons with simple forecasters and the rolling mean -------------------------

BRIER_ALWAYS_HALF = 0.25  # the yes/no Brier of always saying 50%, whatever happens
COMPARE_Z = 1.959964  # two-sided 95%


@dataclass(frozen=True)
class Comparison:
    """A user's mean Brier against a reference forecaster's on the same predictions:
    `difference` is the mean of (user − reference) per prediction, negative when the user
    did better, with a normal 95% interval (`low`, `high`; NaN with fewer than two)."""

    n: int
    reference: float
    difference: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        """'better' or 'worse' when the interval excludes 0, else 'too close to call'."""
        if self.high < 0:
            return "better"
        if self.low > 0:
            return "worse"
        return "too close to call"


def compare(brier, reference) -> Comparison:
    """Compare per-prediction Brier scores with a reference forecaster's, paired."""
    brier, reference = np.asarray(brier, dtype=float), np.asarray(reference, dtype=float)
    if brier.shape != reference.shape:
        raise ValueError("one reference score per prediction")
    n = len(brier)
    nan = float("nan")
    if n == 0:
        return Comparison(0, nan, nan, nan, nan)
    d = brier - reference
    mean = float(d.mean())
    half = COMPARE_Z * float(d.std(ddof=1)) / np.sqrt(n) if n > 1 else nan
    return Comparison(n, float(reference.mean()), mean, mean - half, mean + half)


def compare_simple(brier, outcomes) -> tuple[Comparison, Comparison]:
    """Yes/no Brier scores against always saying 50% and against always forecasting the
    user's own base rate ȳ (whose Brier on each prediction is (ȳ − y)²)."""
    y = check_outcomes(outcomes)
    half = np.full(len(y), BRIER_ALWAYS_HALF)
    base = (y.mean() - y) ** 2 if len(y) else np.array([])
    return compare(brier, half), compare(brier, base)


def rolling_mean(values, window: int) -> np.ndarray:
    """The mean of each run of `window` consecutive values (the last `window` up to and
    including each one); empty when there are fewer than `window` values."""
    values = np.asarray(values, dtype=float)
    if len(values) < window:
        return np.array([])
    sums = np.cumsum(np.concatenate([[0.0], values]))
    return (sums[window:] - sums[:-window]) / window
