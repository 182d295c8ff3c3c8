"""The dashboard's sections as the page shows them: plain rows of numbers and the
sentences that go with them. Percentages are 0–100 and undefined figures None, never
NaN, so templates need no arithmetic and never print "nan"."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reports.dashboard.words import WordRow
from reports.scoring.calibration import HISTOGRAM_EDGES, Reliability

MIN_CALIBRATION = 5  # scored predictions before the reliability section is shown


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
