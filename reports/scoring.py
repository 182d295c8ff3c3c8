"""Scoring rules and calibration statistics (DESIGN §4), on plain arrays.

Everything here is numpy/scipy/pandas only, so it can be tested and reused without
Django: the services pass in arrays pulled from the database and render what comes back.

Conventions: probabilities are floats in [0, 1]; outcomes are 0/1; Brier is the 0–1
convention; log loss is in nats with probabilities clipped to [0.001, 0.999]; date
forecasts are in days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression
from scipy.stats import norm

LOG_LOSS_CLIP = (0.001, 0.999)
WILSON_Z = 1.959964  # two-sided 95%

# Bucket edges in integer per-mille: [0, 50), [50, 150), ..., [850, 950), [950, 1000].
BUCKET_CENTRES = np.arange(0, 1001, 100)
BUCKET_LOWER = np.maximum(BUCKET_CENTRES - 50, 0)
BUCKET_UPPER = np.minimum(BUCKET_CENTRES + 50, 1000)


def _probs(p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if not np.all((p >= 0) & (p <= 1)):  # also rejects NaN
        raise ValueError("probabilities must lie in [0, 1]")
    return p


def _outcomes(y) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("outcomes must be 0 or 1")
    return y


# --- Scoring rules -------------------------------------------------------------------


def brier(p, y) -> np.ndarray:
    """Elementwise binary Brier score (p − y)², 0 perfect, 0.25 for always saying 50%."""
    return (_probs(p) - _outcomes(y)) ** 2


def brier_multi(probs, outcomes) -> np.ndarray:
    """Multiple-choice Brier per row: ½ Σₖ (pₖ − oₖ)², rows being predictions and
    columns options (outcomes one-hot).

    The ½ keeps it on the 0–1 scale, so two options give exactly the binary Brier.
    """
    return 0.5 * np.sum((_probs(probs) - _outcomes(outcomes)) ** 2, axis=-1)


def log_loss(p_true) -> np.ndarray:
    """Elementwise −ln(p) in nats, p being the probability given to what happened.

    Clipping to [0.001, 0.999] caps the penalty for a confident miss at ln(1000) ≈ 6.9,
    so one 0% forecast cannot make a user's mean infinite.
    """
    return -np.log(np.clip(_probs(p_true), *LOG_LOSS_CLIP))


def log_loss_binary(p, y) -> np.ndarray:
    """Elementwise log loss of YES-probabilities p against outcomes y."""
    p, y = _probs(p), _outcomes(y)
    return log_loss(np.where(y == 1, p, 1 - p))


# --- Which forecast counts -----------------------------------------------------------


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
    t, probs = np.asarray(times, dtype="datetime64[ns]"), _probs(probs)
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


# --- Per-user summary ----------------------------------------------------------------


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
    y, p = _outcomes(outcomes), _probs(probs)
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


# --- CORP reliability diagram --------------------------------------------------------


@dataclass(frozen=True, eq=False)  # eq=False: comparing array fields would be ambiguous
class Reliability:
    """CORP reliability diagram and Brier decomposition S = MCB − DSC + UNC.

    Arrays have one entry per distinct forecast value `x` (sorted): `recalibrated` is
    the isotonic (PAV) fit of outcomes on forecasts, `lower`/`upper` the consistency band
    (where recalibrated values of a calibrated forecaster would fall). Empty input gives
    empty arrays and NaN scores.
    """

    x: np.ndarray
    recalibrated: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    score: float
    mcb: float
    dsc: float
    unc: float


def _pav(hits, counts) -> np.ndarray:
    # Pool tied forecasts first, then fit on the per-value means weighted by counts; this
    # is the CORP definition and what reliabilitydiag publishes.
    return isotonic_regression(hits / counts, weights=counts, increasing=True).x


def corp(p, y, n_boot=100, seed=0, alpha=0.1) -> Reliability:
    """CORP reliability (Dimitriadis, Gneiting & Jordan 2021) for forecasts p, outcomes y.

    S is the mean Brier score, MCB = S − S_recal, DSC = UNC − S_recal, UNC = ȳ(1 − ȳ).
    The (1 − alpha) band resamples y* ~ Bernoulli(p) `n_boot` times and takes the
    alpha/2 and 1 − alpha/2 quantiles of the refitted values at each x. Resampling is
    done per distinct value as a Binomial(count, x) number of hits, which has the same
    distribution as summing the Bernoulli draws and costs O(distinct values).
    """
    p, y = _probs(p), _outcomes(y)
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError("p and y must be 1-D arrays of equal length")
    if len(p) == 0:
        empty, nan = np.array([]), float("nan")
        return Reliability(empty, empty, empty, empty, nan, nan, nan, nan)
    x, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    hits = np.bincount(inverse, weights=y, minlength=len(x))
    recal = _pav(hits, counts)

    score = float(np.mean((p - y) ** 2))
    score_recal = float(np.mean((recal[inverse] - y) ** 2))
    unc = float(y.mean() * (1 - y.mean()))

    rng = np.random.default_rng(seed)
    boot_hits = rng.binomial(counts, x, size=(n_boot, len(x)))
    boot = np.array([_pav(h, counts) for h in boot_hits])
    lower, upper = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
    return Reliability(
        x=x,
        recalibrated=recal,
        lower=lower,
        upper=upper,
        score=score,
        mcb=score - score_recal,
        dsc=unc - score_recal,
        unc=unc,
    )


# --- Bucket table and findings -------------------------------------------------------


def wilson_interval(hits, n, z=WILSON_Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (low, high) for hits out of n; NaN where n is 0.

    Wilson rather than the normal approximation because buckets are often small and
    near 0 or 1, where the normal interval leaves [0, 1] or collapses to a point.
    """
    hits, n = np.asarray(hits, dtype=float), np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)  # avoids 0/0 warnings; masked below
    z2 = z * z
    centre = (hits + z2 / 2) / (safe_n + z2)
    half = z / (safe_n + z2) * np.sqrt(hits * (safe_n - hits) / safe_n + z2 / 4)
    # Clip: rounding can put an endpoint a hair outside [0, 1] when hits is 0 or n.
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n == 0, np.nan, low), np.where(n == 0, np.nan, high)


def buckets(p, y) -> pd.DataFrame:
    """Calibration table with one row per bucket centred on 0%, 10%, …, 100%.

    Columns (probabilities on the 0–1 scale): centre, lower, upper (edges: [lower, upper)
    except the last, [0.95, 1.0]), count, hits, mean_forecast, observed (hits/count),
    wilson_low, wilson_high; the last four are NaN for empty buckets. Probabilities are
    classified as integer per-mille so that 0.15 goes to 20% however it was computed.
    """
    p, y = _probs(p), _outcomes(y)
    if p.shape != y.shape:
        raise ValueError("p and y differ in shape")
    per_mille = np.rint(p * 1000).astype(int)
    index = (per_mille + 50) // 100  # 950–1000 → 10, so the last bucket is closed
    size = len(BUCKET_CENTRES)
    count = np.bincount(index, minlength=size)
    hits = np.bincount(index, weights=y, minlength=size).astype(int)
    total_p = np.bincount(index, weights=p, minlength=size)
    some = count > 0
    safe = np.where(some, count, 1)
    low, high = wilson_interval(hits, count)
    return pd.DataFrame(
        {
            "centre": BUCKET_CENTRES / 1000,
            "lower": BUCKET_LOWER / 1000,
            "upper": BUCKET_UPPER / 1000,
            "count": count,
            "hits": hits,
            "mean_forecast": np.where(some, total_p / safe, np.nan),
            "observed": np.where(some, hits / safe, np.nan),
            "wilson_low": low,
            "wilson_high": high,
        }
    )


@dataclass(frozen=True)
class Finding:
    """A bucket whose outcomes are clearly out of line with what was forecast.

    `direction` is 'overconfident' when the forecasts were more extreme than the outcomes
    bore out (further from 50%, or on the wrong side of it), 'underconfident' otherwise.
    """

    centre: float
    count: int
    hits: int
    mean_forecast: float
    observed: float
    low: float
    high: float
    direction: str

    @property
    def sentence(self) -> str:
        times = "time" if self.count == 1 else "times"
        return (
            f"Your {self.centre:.0%} predictions came true {self.hits} of {self.count} "
            f"{times} ({self.observed:.0%}; 95% CI {self.low * 100:.0f}–{self.high:.0%}): "
            f"you are {self.direction} there."
        )


def bucket_findings(table: pd.DataFrame) -> list[Finding]:
    """Findings for the buckets of `buckets()` whose Wilson interval excludes the mean
    forecast in the bucket.

    The mean forecast rather than the centre is the test value because it is what was
    actually said: a 10% bucket holding only 14% forecasts should be judged against 14%.
    """
    findings = []
    for row in table[table["count"] > 0].itertuples():
        if row.wilson_low <= row.mean_forecast <= row.wilson_high:
            continue
        said, seen = row.mean_forecast - 0.5, row.observed - 0.5
        overconfident = said * seen < 0 or abs(said) > abs(seen)
        findings.append(
            Finding(
                centre=float(row.centre),
                count=int(row.count),
                hits=int(row.hits),
                mean_forecast=float(row.mean_forecast),
                observed=float(row.observed),
                low=float(row.wilson_low),
                high=float(row.wilson_high),
                direction="overconfident" if overconfident else "underconfident",
            )
        )
    return findings


# --- Spiegelhalter test --------------------------------------------------------------


@dataclass(frozen=True)
class SpiegelhalterResult:
    """z statistic and two-sided p-value; both NaN when the variance is zero (every
    forecast is 0, 50% or 100%, where the test carries no information)."""

    z: float
    p_value: float


def spiegelhalter(p, y) -> SpiegelhalterResult:
    """Spiegelhalter's z-test of overall calibration: z = Σ(y − p)(1 − 2p) /
    √Σ(1 − 2p)² p(1 − p), standard normal when the forecasts are calibrated."""
    p, y = _probs(p), _outcomes(y)
    variance = np.sum((1 - 2 * p) ** 2 * p * (1 - p))
    if variance <= 0:
        return SpiegelhalterResult(float("nan"), float("nan"))
    z = float(np.sum((y - p) * (1 - 2 * p)) / np.sqrt(variance))
    return SpiegelhalterResult(z, float(2 * norm.sf(abs(z))))


# --- Date quantile forecasts (days) --------------------------------------------------


def pinball_loss(q_values, levels, outcome) -> np.ndarray:
    """Pinball (quantile) loss per quantile: (1{y < q} − τ)(q − y), in days."""
    q, tau = np.asarray(q_values, dtype=float), np.asarray(levels, dtype=float)
    return ((outcome < q) - tau) * (q - outcome)


def interval_score(lower, upper, alpha, y) -> np.ndarray:
    """Interval score of a central (1 − alpha) interval: its width plus 2/alpha times
    any distance by which y falls outside it."""
    lower, upper, y = (np.asarray(a, dtype=float) for a in (lower, upper, y))
    return (
        (upper - lower)
        + 2 / alpha * np.clip(lower - y, 0, None)
        + 2 / alpha * np.clip(y - upper, 0, None)
    )


def interval_hit(lower, upper, y) -> np.ndarray:
    """Whether y falls inside [lower, upper] (both ends included)."""
    return (np.asarray(lower) <= y) & (y <= np.asarray(upper))


def weighted_interval_score(levels, q_values, y) -> float:
    """Weighted interval score (Bracher et al. 2021) of one quantile forecast.

    WIS = (0.5 |y − m| + Σₖ (αₖ/2) IS_αₖ) / (K + 0.5) over the median m and the K
    central intervals formed by levels τ and 1 − τ that are both present; levels with
    no partner are ignored. Raises ValueError without a 0.5 level.
    """
    # Integer per-million levels make τ + (1 − τ) == 1 exact for pairing.
    micro = np.rint(np.asarray(levels, dtype=float) * 1_000_000).astype(int)
    q = dict(zip(micro.tolist(), np.asarray(q_values, dtype=float).tolist(), strict=True))
    if 500_000 not in q:
        raise ValueError("weighted interval score needs the median (level 0.5)")
    pairs = [t for t in q if t < 500_000 and 1_000_000 - t in q]
    total = 0.5 * abs(y - q[500_000])
    for t in pairs:
        alpha = 2 * t / 1_000_000
        total += alpha / 2 * float(interval_score(q[t], q[1_000_000 - t], alpha, y))
    return total / (len(pairs) + 0.5)
