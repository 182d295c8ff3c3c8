"""The dashboard's figures, arranged for the page from `reports.scoring`.

`compute_numbers` turns the selector's frames into the rows and sections the page shows;
every statistic comes from `reports.scoring` (means, buckets, CORP, Spiegelhalter,
coverage, group means), this module only picks, converts to percentages and orders.
Undefined figures are None, never NaN, so templates need no arithmetic and never print
"nan".

Every kind counts (docs/design.md §4): the Brier and log-loss figures average yes/no and
multiple-choice predictions (multiple-choice Brier ½ Σ (p − o)² is on the same 0–1
scale); calibration pools one point per yes/no prediction, one per option of a
multiple-choice prediction (one-vs-rest) and one per quantile of a date forecast;
release dates get their own section (pinball loss and weighted interval score divided
by the horizon, and how often the actual date fell inside the forecast intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from predictions.models import Prediction
from reports.dashboard.words import WordRow, word_rows
from reports.scoring import calibration, summaries
from reports.scoring.calibration import HISTOGRAM_EDGES, Reliability
from reports.selectors.scored import ScoredPredictions

MIN_CALIBRATION = 5  # scored predictions before the reliability section is shown
MAX_MONTHS = 24  # most recent resolution months shown (chart and table alike)
CORP_DRAWS = 100
# (column of the date frame, nominal coverage, lower level), the 80% interval first.
COVERAGE = (("hit_80", 0.8, 0.1), ("hit_50", 0.5, 0.25), ("hit_90", 0.9, 0.05))


def _number(value) -> float | None:
    """A float for the page, or None where the figure is undefined."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _pct(value) -> float | None:
    value = _number(value)
    return None if value is None else 100 * value


@dataclass(frozen=True)
class Headline:
    """Means over scored yes/no and multiple-choice predictions (Brier 0–1 convention,
    log loss in nats). The base rate, mean forecast and skill are those of the yes/no
    predictions (`n_binary` of them; None without any)."""

    n: int
    brier: float
    brier_time_avg: float
    log_loss: float
    base_rate_pct: float | None
    mean_forecast_pct: float | None
    brier_base_rate: float | None
    skill: float | None  # None when every outcome was the same, or no yes/no prediction
    n_binary: int = 0
    n_choice: int = 0


@dataclass(frozen=True)
class BucketRow:
    """One row of the bucket table; percentages 0–100, None for an empty bucket."""

    centre_pct: float
    lower_pct: float
    upper_pct: float
    closed: bool  # the last bucket includes its upper edge
    count: int
    hits: int
    mean_forecast_pct: float | None
    observed_pct: float | None
    low_pct: float | None
    high_pct: float | None


@dataclass(frozen=True)
class GroupRow:
    """Mean scores of one group of predictions (a month or a tag)."""

    label: str
    count: int
    brier: float
    brier_time_avg: float


@dataclass(frozen=True, eq=False)
class Calibration:
    """The reliability section: CORP fit and band, decomposition, buckets, findings,
    Spiegelhalter test (z and p None when uninformative) and the forecast histogram."""

    reliability: Reliability
    buckets: list[BucketRow]
    findings: list[str]
    z: float | None
    p_value: float | None
    histogram: np.ndarray
    histogram_edges: np.ndarray = field(default_factory=lambda: HISTOGRAM_EDGES)
    n_points: int = 0
    n_binary_points: int = 0
    n_choice_points: int = 0
    n_date_points: int = 0
    base_rate_pct: float | None = None  # how often the points' claims came true

    @property
    def mixed(self) -> bool:
        """Whether points other than yes/no predictions are pooled in."""
        return self.n_points != self.n_binary_points

    @property
    def verdict(self) -> str | None:
        """'overconfident' or 'underconfident' when the test rejects calibration at the
        5% level (z > 0: outcomes less extreme than the forecasts), 'consistent' when it
        does not, None when the test is uninformative."""
        if self.z is None or self.p_value is None:
            return None
        if self.p_value >= 0.05:
            return "consistent"
        return "overconfident" if self.z > 0 else "underconfident"

    @property
    def p_display(self) -> str:
        """ "= 0.431" or "< 0.001", to follow "p"."""
        return "" if self.p_value is None else _p_display(self.p_value)


def _p_display(p_value: float) -> str:
    """ "= 0.431" or "< 0.001", to follow "p"."""
    return "< 0.001" if p_value < 0.001 else f"= {p_value:.3f}"


@dataclass(frozen=True)
class CoverageRow:
    """How often the actual dates fell inside one kind of central interval (80% is the
    10–90% interval), with a Wilson interval and a two-sided binomial test of the
    nominal coverage."""

    nominal_pct: float
    lower_level_pct: float
    upper_level_pct: float
    n: int
    hits: int
    share_pct: float
    low_pct: float
    high_pct: float
    p_value: float

    @property
    def p_display(self) -> str:
        return _p_display(self.p_value)

    @property
    def verdict(self) -> str:
        """'too narrow', 'too wide' (at the 5% level) or 'consistent'."""
        if self.p_value >= 0.05:
            return "consistent"
        return "too narrow" if self.share_pct < self.nominal_pct else "too wide"

    @property
    def sentence(self) -> str:
        times = "time" if self.n == 1 else "times"
        said = (
            f"Your {self.nominal_pct:.0f}% intervals held the actual date {self.hits} of "
            f"{self.n} {times} ({self.share_pct:.0f}%; 95% CI {self.low_pct:.0f}–"
            f"{self.high_pct:.0f}%). A calibrated forecaster's would hold it "
            f"{self.nominal_pct:.0f}% of the time; the two-sided binomial test gives "
            f"p {self.p_display}"
        )
        if self.verdict == "consistent":
            return f"{said}, so there is no clear evidence that your intervals are off."
        direction = "overconfident" if self.verdict == "too narrow" else "underconfident"
        return f"{said}: your intervals look {self.verdict} (you are {direction} about dates)."


@dataclass(frozen=True)
class DateSection:
    """Release-date scores: means over scored date predictions of the final forecast's
    pinball loss and weighted interval score divided by its horizon (days from the
    forecast to its median), the time-averaged WIS likewise, the mean WIS in days, and
    interval coverage (the 80% row first)."""

    n: int
    pinball_norm: float
    wis_norm: float
    wis_norm_time_avg: float
    wis_days: float
    horizon_days: float  # median horizon
    coverage: list[CoverageRow]


@dataclass(frozen=True, eq=False)
class DashboardNumbers:
    """Everything the dashboard shows that depends on the scored data."""

    n_scored: int
    n_unscorable: int
    headline: Headline | None
    calibration: Calibration | None
    months: list[GroupRow]
    months_hidden: int
    tags: list[GroupRow]
    dates: DateSection | None = None
    words: list[WordRow] = field(default_factory=list)
    n_binary: int = 0
    n_choice: int = 0
    n_date: int = 0

    @property
    def words_flagged(self) -> list[WordRow]:
        """The phrases whose outcomes clearly differ from what they usually mean."""
        return [w for w in self.words if w.verdict]

    @property
    def calibration_needed(self) -> int:
        """How many more scored predictions the reliability section needs."""
        return max(0, MIN_CALIBRATION - self.n_scored)


def _brier_frame(data: ScoredPredictions) -> pd.DataFrame:
    """The Brier-scored predictions (yes/no and multiple choice) with the columns the
    headline, months and tags need."""
    columns = ["resolved_at", "brier_final", "brier_time_avg", "log_loss_final"]
    frames = [f[columns] for f in (data.predictions, data.choices) if len(f)]
    if not frames:
        return data.predictions.reindex(columns=columns)
    return pd.concat(frames) if len(frames) > 1 else frames[0]


def _headline(data: ScoredPredictions, briers: pd.DataFrame) -> Headline | None:
    if briers.empty:
        return None
    binary = data.predictions
    s = summaries.summarise(
        binary["brier_final"],
        binary["brier_time_avg"],
        binary["log_loss_final"],
        binary["outcome"],
        binary["final_probability"],
    )
    pooled = summaries.means(briers)
    return Headline(
        n=pooled.n,
        brier=pooled.brier,
        brier_time_avg=pooled.brier_time_avg,
        log_loss=pooled.log_loss,
        base_rate_pct=_pct(s.base_rate),
        mean_forecast_pct=_pct(s.mean_forecast),
        brier_base_rate=_number(s.brier_base_rate),
        skill=s.skill,
        n_binary=len(binary),
        n_choice=len(data.choices),
    )


def _points(data: ScoredPredictions) -> pd.DataFrame:
    """Calibration points of every kind; from the yes/no frame when the selector was
    asked for yes/no predictions only."""
    if len(data.points) or data.predictions.empty:
        return data.points
    return pd.DataFrame(
        {
            "prediction_id": data.predictions.index.to_numpy(),
            "probability": data.predictions["final_probability"].to_numpy(dtype=float),
            "outcome": data.predictions["outcome"].to_numpy(dtype=np.int8),
            "kind": Prediction.Kind.BINARY.value,
        }
    )


def _calibration(points: pd.DataFrame, n_scored: int) -> Calibration | None:
    if n_scored < MIN_CALIBRATION or points.empty:
        return None
    p = points["probability"].to_numpy(dtype=float)
    y = points["outcome"].to_numpy(dtype=float)
    kinds = points["kind"].value_counts()
    table = calibration.buckets(p, y)
    rows = [
        BucketRow(
            centre_pct=100 * r.centre,
            lower_pct=100 * r.lower,
            upper_pct=100 * r.upper,
            closed=r.upper >= 1,
            count=int(r.count),
            hits=int(r.hits),
            mean_forecast_pct=_pct(r.mean_forecast),
            observed_pct=_pct(r.observed),
            low_pct=_pct(r.wilson_low),
            high_pct=_pct(r.wilson_high),
        )
        for r in table.itertuples()
    ]
    test = calibration.spiegelhalter(p, y)
    return Calibration(
        reliability=calibration.corp(p, y, n_boot=CORP_DRAWS, seed=0),
        buckets=rows,
        findings=[f.sentence for f in calibration.bucket_findings(table)],
        z=_number(test.z),
        p_value=_number(test.p_value),
        histogram=calibration.forecast_histogram(p),
        n_points=len(p),
        n_binary_points=int(kinds.get(Prediction.Kind.BINARY.value, 0)),
        n_choice_points=int(kinds.get(Prediction.Kind.MULTIPLE_CHOICE.value, 0)),
        n_date_points=int(kinds.get(Prediction.Kind.DATE.value, 0)),
        base_rate_pct=_pct(y.mean()),
    )


def _coverage_row(hit: pd.Series, nominal: float, low_level: float) -> CoverageRow | None:
    """Coverage of one interval from per-prediction hits (NaN: no such interval)."""
    c = calibration.coverage(hit.to_numpy(dtype=float), nominal)
    if c is None:
        return None
    return CoverageRow(
        nominal_pct=100 * nominal,
        lower_level_pct=100 * low_level,
        upper_level_pct=100 * (1 - low_level),
        n=c.n,
        hits=c.hits,
        share_pct=100 * c.hits / c.n,
        low_pct=100 * c.low,
        high_pct=100 * c.high,
        p_value=c.p_value,
    )


def _dates(dates: pd.DataFrame) -> DateSection | None:
    if dates.empty:
        return None
    m = summaries.date_means(dates)
    rows = [_coverage_row(dates[column], nominal, low) for column, nominal, low in COVERAGE]
    return DateSection(
        n=m.n,
        pinball_norm=m.pinball_norm,
        wis_norm=m.wis_norm,
        wis_norm_time_avg=m.wis_norm_time_avg,
        wis_days=m.wis_days,
        horizon_days=m.horizon_days,
        coverage=[row for row in rows if row is not None],
    )


def _group_rows(groups: list[summaries.GroupMeans], label) -> list[GroupRow]:
    return [GroupRow(label(g.key), g.count, g.brier, g.brier_time_avg) for g in groups]


def _months(frame: pd.DataFrame, tz) -> tuple[list[GroupRow], int]:
    """Mean scores per month of resolution (in the owner's time zone), oldest first,
    the most recent MAX_MONTHS only; also how many older months were left out."""
    if frame.empty:
        return [], 0
    keys = summaries.month_keys(frame["resolved_at"], tz)

    def label(k: int) -> str:
        return date(int(k) // 12, int(k) % 12 + 1, 1).strftime("%b %Y")

    groups = summaries.group_means(keys, frame["brier_final"], frame["brier_time_avg"])
    rows = _group_rows(groups, label)
    return rows[-MAX_MONTHS:], max(0, len(rows) - MAX_MONTHS)


def _tags(frame: pd.DataFrame, tags: pd.DataFrame) -> list[GroupRow]:
    """Mean scores per tag, most-used first (a prediction counts under each of its
    tags); predictions without a Brier score (release dates) are left out."""
    tags = tags[tags["prediction_id"].isin(frame.index)]
    if tags.empty:
        return []
    joined = tags.join(frame[["brier_final", "brier_time_avg"]], on="prediction_id")
    groups = summaries.group_means(joined["tag"], joined["brier_final"], joined["brier_time_avg"])
    rows = _group_rows(groups, str)
    return sorted(rows, key=lambda r: (-r.count, r.label.casefold()))


def compute_numbers(data: ScoredPredictions, tz) -> DashboardNumbers:
    """The dashboard's figures from the selector's output; `tz` groups months."""
    briers = _brier_frame(data)
    months, months_hidden = _months(briers, tz)
    n_binary, n_choice, n_date = len(data.predictions), len(data.choices), len(data.dates)
    n_scored = n_binary + n_choice + n_date
    return DashboardNumbers(
        n_scored=n_scored,
        n_unscorable=data.unscorable,
        headline=_headline(data, briers),
        calibration=_calibration(_points(data), n_scored),
        months=months,
        months_hidden=months_hidden,
        tags=_tags(briers, data.tags),
        dates=_dates(data.dates),
        words=word_rows(data.predictions),
        n_binary=n_binary,
        n_choice=n_choice,
        n_date=n_date,
    )
