"""The dashboard's sections as the page shows them: plain rows of numbers and the
sentences that go with them. Percentages are 0–100 and undefined figures None, never
NaN, so templates need no arithmetic and never print "nan"."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reports.dashboard.words import WordRow
from reports.scoring.calibration import HISTOGRAM_EDGES, Reliability
from reports.scoring.summaries import Comparison

MIN_CALIBRATION = 5  # scored predictions before the CORP diagram and the test are shown
# Scored predictions after which the calibration chart stops saying it is early days:
# about five in each bucket a forecaster typically uses, where a Wilson interval is
# still about ±35 points wide but a badly calibrated bucket starts to stand out.
MEANINGFUL = 50


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
    vs_half: Comparison | None = None  # against always saying 50% (yes/no)
    vs_base: Comparison | None = None  # against always forecasting the base rate (yes/no)

    @property
    def verdicts(self) -> list[str]:
        """The Brier score against always saying 50% and against always forecasting the
        base rate, each as "Better than …: 0.250" (the reference's Brier), where the
        paired 95% interval of the difference excludes 0, else "Not clearly …"."""
        lines = []
        base = f"your base rate ({self.base_rate_pct:.0f}%)" if self.base_rate_pct else ""
        for name, c in (("always saying 50%", self.vs_half), (base, self.vs_base)):
            if c is None:
                continue
            word = {"better": "Better than", "worse": "Worse than"}.get(
                c.verdict, "Not clearly better than"
            )
            lines.append(f"{word} {name}: {c.reference:.3f}")
        return lines


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
    direction: str = ""  # 'overconfident' or 'underconfident' where clearly off

    @property
    def query(self) -> str:
        """The prediction list's `p` for this bucket ("90")."""
        return f"{self.centre_pct:.0f}"

    @property
    def sentence(self) -> str:
        """ "Your 90% predictions came true 7 of 9 times: about right." """
        times = "time" if self.count == 1 else "times"
        said = (
            f"Your {self.centre_pct:.0f}% predictions came true {self.hits} of {self.count} {times}"
        )
        if self.direction:
            return f"{said} ({self.observed_pct:.0f}%): you are {self.direction} there."
        return f"{said} ({self.observed_pct:.0f}%): about right."


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

    reliability: Reliability | None  # None below MIN_CALIBRATION scored predictions
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
    def sentence(self) -> str:
        """What the chart says about the user, in one sentence: the most-used bucket that
        is clearly off, else the most-used bucket."""
        used = [b for b in self.buckets if b.count]
        off = [b for b in used if b.direction]
        return max(off or used, key=lambda b: b.count).sentence if used else ""

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
    recent: Headline | None = None  # the last RECENT_MONTHS, beside the chosen period
    rolling: list[float] = field(default_factory=list)  # rolling mean Brier, oldest first
    n_binary: int = 0
    n_choice: int = 0
    n_date: int = 0

    @property
    def words_flagged(self) -> list[WordRow]:
        """The phrases whose outcomes clearly differ from what they usually mean."""
        return [w for w in self.words if w.verdict]

    @property
    def calibration_needed(self) -> int:
        """How many more scored predictions the CORP diagram and the test need."""
        return max(0, MIN_CALIBRATION - self.n_scored)

    @property
    def meaningful_needed(self) -> int:
        """How many more scored predictions make the calibration chart meaningful."""
        return max(0, MEANINGFUL - self.n_scored)
