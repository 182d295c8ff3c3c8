"""Calibration statistics on plain arrays (docs/design.md §4): the bucket table with
Wilson intervals and its findings, the CORP reliability diagram and Brier decomposition,
Spiegelhalter's test, the forecast histogram and interval coverage of date forecasts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression
from scipy.stats import binomtest, norm

from predictions import buckets as edges
from reports.scoring.rules import check_outcomes, check_probabilities

WILSON_Z = 1.959964  # two-sided 95%

# Bucket edges in integer per-mille: [0, 50), [50, 150), ..., [850, 950), [950, 1000];
# defined in predictions/buckets.py, which the prediction list filters by as well.
BUCKET_CENTRES = np.array(edges.CENTRES)
BUCKET_LOWER = np.array(edges.LOWER)
BUCKET_UPPER = np.array(edges.UPPER)
HISTOGRAM_EDGES = np.linspace(0, 1, 21)  # 5% wide bins of the forecasts made


# --- CORP reliability diagram --------------------------------------------------------


@dataclass(frozen=True, eq=False)  # eq=False: comparing array fields would be ambiguous
class Reliability:
    """CORP reliability diagram and Brier decomposition S = MCB − DSC + UNC.

    Arrays have one entry per distinct forecast value `x` (sorted): `recalibrated` is
    the isotonic (PAV) fit of outcomes on forecasts, `counts` how many forecasts have
    each value, `lower`/`upper` the consistency band (where recalibrated values of a
    calibrated forecaster would fall; empty when no draws were asked for). Empty input
    gives empty arrays and NaN scores.
    """

    x: np.ndarray
    recalibrated: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    score: float
    mcb: float
    dsc: float
    unc: float
    counts: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))


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
    distribution as summing the Bernoulli draws and costs O(distinct values). With
    `n_boot=0` the band is left empty: `consistency_band` draws it later from `x` and
    `counts` alone, for a caller that shows the band less often than the scores.
    """
    p, y = check_probabilities(p), check_outcomes(y)
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

    if n_boot:
        lower, upper = consistency_band(x, counts, n_boot=n_boot, seed=seed, alpha=alpha)
    else:
        lower = upper = np.array([])
    return Reliability(
        x=x,
        recalibrated=recal,
        lower=lower,
        upper=upper,
        score=score,
        mcb=score - score_recal,
        dsc=unc - score_recal,
        unc=unc,
        counts=counts,
    )


def consistency_band(x, counts, n_boot=100, seed=0, alpha=0.1) -> tuple[np.ndarray, np.ndarray]:
    """The (1 − alpha) consistency band of `corp` at the distinct forecasts `x` made
    `counts` times each: it depends on nothing else, since the outcomes are drawn."""
    rng = np.random.default_rng(seed)
    boot_hits = rng.binomial(counts, x, size=(n_boot, len(x)))
    boot = np.array([_pav(h, counts) for h in boot_hits])
    lower, upper = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
    return lower, upper


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
    p, y = check_probabilities(p), check_outcomes(y)
    if p.shape != y.shape:
        raise ValueError("p and y differ in shape")
    per_mille = np.rint(p * 1000).astype(int)
    index = edges.bucket_index(per_mille)  # 950–1000 → 10, so the last bucket is closed
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
    p, y = check_probabilities(p), check_outcomes(y)
    variance = np.sum((1 - 2 * p) ** 2 * p * (1 - p))
    if variance <= 0:
        return SpiegelhalterResult(float("nan"), float("nan"))
    z = float(np.sum((y - p) * (1 - 2 * p)) / np.sqrt(variance))
    return SpiegelhalterResult(z, float(2 * norm.sf(abs(z))))


# --- Forecast histogram and interval coverage ----------------------------------------


def forecast_histogram(p) -> np.ndarray:
    """How many forecasts fall in each 5% bin of HISTOGRAM_EDGES (the last bin closed)."""
    return np.histogram(check_probabilities(p), bins=HISTOGRAM_EDGES)[0]


@dataclass(frozen=True)
class Coverage:
    """How often the actual values fell inside one kind of central interval: `hits` of
    `n`, their share, its Wilson 95% interval (`low`, `high`) and the two-sided binomial
    test's p-value against the interval's nominal coverage."""

    n: int
    hits: int
    share: float
    low: float
    high: float
    p_value: float


def coverage(hit, nominal: float) -> Coverage | None:
    """Coverage from per-prediction hits (1 inside, 0 outside, NaN where the forecast
    lacks that interval); None when no prediction has the interval."""
    hit = np.asarray(hit, dtype=float)
    known = hit[~np.isnan(hit)]
    n = len(known)
    if n == 0:
        return None
    hits = int(known.sum())
    low, high = wilson_interval(hits, n)
    return Coverage(
        n=n,
        hits=hits,
        share=hits / n,
        low=float(low),
        high=float(high),
        p_value=float(binomtest(hits, n, nominal, alternative="two-sided").pvalue),
    )
