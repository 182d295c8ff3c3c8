"""The calibration dashboard's filters and numbers.

`DashboardFilterForm` parses the query string into `Filters`; `dashboard_numbers` turns
the selector's DataFrames into the figures the page and its charts show (all arithmetic
through `reports.scoring`), cached by the data they come from. Undefined figures are
None, never NaN, so templates need no arithmetic and never print "nan".

Every kind counts (DESIGN §4): the Brier and log-loss figures average yes/no and
multiple-choice predictions (multiple-choice Brier ½ Σ (p − o)² is on the same 0–1
scale); calibration pools one point per yes/no prediction, one per option of a
multiple-choice prediction (one-vs-rest) and one per quantile of a date forecast;
release dates get their own section (pinball loss and weighted interval score divided
by the horizon, and how often the actual date fell inside the forecast intervals).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, fields
from datetime import date
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from django import forms
from django.core.cache import cache
from scipy.stats import binomtest

from predictions.models import Prediction, Tag
from predictions.phrases import lookup_phrase
from predictions.probability import ProbabilityError, parse_probability, phrase_meaning
from predictions.services import profile_for
from reports import charts, scoring
from reports.selectors import ScoredPredictions, scored_predictions
from web.forms import BoundedDateField

MIN_CALIBRATION = 5  # scored predictions before the reliability section is shown
MAX_MONTHS = 24  # most recent resolution months shown (chart and table alike)
MAX_TAG_BARS = 15  # tags with the most predictions drawn in the chart; the table has all
CORP_DRAWS = 100
CACHE_SECONDS = 60 * 60 * 24  # keys carry the data version, so this only bounds memory
HISTOGRAM_EDGES = np.linspace(0, 1, 21)

MSG_RANGE = "The start date must not be after the end date."


# --- Filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Dashboard filters as they live in the URL; empty means "all"."""

    tag: tuple[int, ...] = ()
    created_from: date | None = None
    created_to: date | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    kind: str = ""

    def selector_kwargs(self) -> dict:
        """Keyword arguments for the selectors."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self)}
        kwargs["tags"] = kwargs.pop("tag") or None
        kwargs["kind"] = self.kind or None
        return kwargs

    @property
    def active(self) -> bool:
        return self != Filters()

    def query(self) -> str:
        """The canonical query string (no "?"), for chart URLs and cache keys."""
        pairs: list[tuple[str, str]] = [("tag", str(pk)) for pk in self.tag]
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "tag" and value:
                pairs.append((f.name, value.isoformat() if isinstance(value, date) else value))
        return urlencode(pairs)


class DashboardFilterForm(forms.Form):
    """The filter form; the tag choices are the user's own tags (one query)."""

    tag = forms.TypedMultipleChoiceField(
        label="Tags", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    created_from = BoundedDateField(label="Made from", required=False)
    created_to = BoundedDateField(label="Made until", required=False)
    resolved_from = BoundedDateField(label="Resolved from", required=False)
    resolved_to = BoundedDateField(label="Resolved until", required=False)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *Prediction.Kind.choices]
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["tag"].choices = [
            (str(pk), name) for pk, name in Tag.objects.filter(owner=user).values_list("pk", "name")
        ]

    def clean(self):
        data = super().clean()
        for start, end in (("created_from", "created_to"), ("resolved_from", "resolved_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, MSG_RANGE)
        return data

    def filters(self) -> Filters:
        """The valid part of the input: a field with an error is ignored (and shown)."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            tag=tuple(sorted(set(data.get("tag") or ()))),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            resolved_from=data.get("resolved_from"),
            resolved_to=data.get("resolved_to"),
            kind=data.get("kind") or "",
        )


# --- Numbers -------------------------------------------------------------------------


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

    reliability: scoring.Reliability
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


@dataclass(frozen=True)
class WordRow:
    """One phrase the user typed for final yes/no forecasts: how often those came true
    (Wilson 95% interval) beside what the phrase usually means (None if no reading)."""

    phrase: str
    meaning_pct: float | None
    n: int
    hits: int
    observed_pct: float
    low_pct: float
    high_pct: float

    @property
    def verdict(self) -> str:
        """'more often' or 'less often' than the usual reading when the interval
        excludes it, else ''."""
        if self.meaning_pct is None:
            return ""
        if self.low_pct > self.meaning_pct:
            return "more often"
        if self.high_pct < self.meaning_pct:
            return "less often"
        return ""

    @property
    def sentence(self) -> str:
        times = "time" if self.n == 1 else "times"
        reading = (
            f" (usually read as {self.meaning_pct:.0f}%)" if self.meaning_pct is not None else ""
        )
        said = (
            f"When you said “{self.phrase}”{reading}, it came true {self.hits} of {self.n} "
            f"{times} ({self.observed_pct:.0f}%; 95% CI {self.low_pct:.0f}–{self.high_pct:.0f}%)"
        )
        if self.verdict:
            return f"{said}: {self.verdict} than the phrase usually means."
        return f"{said}."


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
    def months_span(self) -> str:
        """ "Jan 2025 to Mar 2025" (or one month) for the month chart's alt text."""
        if not self.months:
            return ""
        first, last = self.months[0].label, self.months[-1].label
        return first if first == last else f"{first} to {last}"

    @property
    def tags_in_chart(self) -> int:
        return min(len(self.tags), MAX_TAG_BARS)

    @property
    def tag_chart_height(self) -> int:
        """Pixel height of the tag chart, for the <img> (it grows with the bars)."""
        return charts.tag_chart_height(self.tags_in_chart)

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
    s = scoring.summarise(
        binary["brier_final"],
        binary["brier_time_avg"],
        binary["log_loss_final"],
        binary["outcome"],
        binary["final_probability"],
    )
    return Headline(
        n=len(briers),
        brier=float(briers["brier_final"].mean()),
        brier_time_avg=float(briers["brier_time_avg"].mean()),
        log_loss=float(briers["log_loss_final"].mean()),
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
    table = scoring.buckets(p, y)
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
    test = scoring.spiegelhalter(p, y)
    return Calibration(
        reliability=scoring.corp(p, y, n_boot=CORP_DRAWS, seed=0),
        buckets=rows,
        findings=[f.sentence for f in scoring.bucket_findings(table)],
        z=_number(test.z),
        p_value=_number(test.p_value),
        histogram=np.histogram(p, bins=HISTOGRAM_EDGES)[0],
        n_points=len(p),
        n_binary_points=int(kinds.get(Prediction.Kind.BINARY.value, 0)),
        n_choice_points=int(kinds.get(Prediction.Kind.MULTIPLE_CHOICE.value, 0)),
        n_date_points=int(kinds.get(Prediction.Kind.DATE.value, 0)),
        base_rate_pct=_pct(y.mean()),
    )


def _coverage_row(hit: pd.Series, nominal: float, low_level: float) -> CoverageRow | None:
    """Coverage of one interval from per-prediction hits (NaN: no such interval)."""
    known = hit.dropna()
    n = len(known)
    if n == 0:
        return None
    hits = int(known.sum())
    low, high = scoring.wilson_interval(hits, n)
    return CoverageRow(
        nominal_pct=100 * nominal,
        lower_level_pct=100 * low_level,
        upper_level_pct=100 * (1 - low_level),
        n=n,
        hits=hits,
        share_pct=100 * hits / n,
        low_pct=float(100 * low),
        high_pct=float(100 * high),
        p_value=float(binomtest(hits, n, nominal, alternative="two-sided").pvalue),
    )


COVERAGE = (("hit_80", 0.8, 0.1), ("hit_50", 0.5, 0.25), ("hit_90", 0.9, 0.05))


def _dates(dates: pd.DataFrame) -> DateSection | None:
    if dates.empty:
        return None
    rows = [_coverage_row(dates[column], nominal, low) for column, nominal, low in COVERAGE]
    return DateSection(
        n=len(dates),
        pinball_norm=float(dates["pinball_norm"].mean()),
        wis_norm=float(dates["wis_norm"].mean()),
        wis_norm_time_avg=float(dates["wis_norm_time_avg"].mean()),
        wis_days=float(dates["wis"].mean()),
        horizon_days=float(dates["horizon_days"].median()),
        coverage=[row for row in rows if row is not None],
    )


def _phrase_key(text: str) -> str:
    """What groups typed phrases: the table's phrase ("Very  likely!" and "very likely"
    alike), else the text in lower case with single spaces ("1 in 20")."""
    entry = lookup_phrase(text)
    return entry.text if entry is not None else " ".join(str(text).lower().split())


def _is_words(text: str) -> bool:
    """Whether a stored phrase is words or odds ("likely", "1 in 20", "3:1") rather than
    a number kept as typed ("70%", "~5%"); words no longer in the table still count."""
    if not text:
        return False
    try:
        return bool(parse_probability(text).phrase)
    except ProbabilityError:
        return any(c.isalpha() for c in text)


def _words(binary: pd.DataFrame) -> list[WordRow]:
    """ "Your words, calibrated": each phrase of a final yes/no forecast (issue 6)."""
    if binary.empty or "final_phrase" not in binary:
        return []
    phrases = binary["final_phrase"].to_numpy(dtype=object)
    if not (phrases != "").any():
        return []
    typed = binary["final_phrase"].astype(str).str.strip()
    words = typed.map({t: _is_words(t) for t in typed.unique()})
    used = binary.loc[words, ["outcome"]].assign(typed=typed[words])
    if used.empty:
        return []
    used["key"] = [_phrase_key(t) for t in used["typed"]]
    grouped = used.groupby("key", sort=True).agg(
        n=("outcome", "size"), hits=("outcome", "sum"), typed=("typed", "first")
    )
    low, high = scoring.wilson_interval(grouped["hits"], grouped["n"])
    rows = []
    for (key, r), lo, hi in zip(grouped.iterrows(), low, high, strict=True):
        meaning = phrase_meaning(r["typed"])
        rows.append(
            WordRow(
                phrase=str(key),
                meaning_pct=None if meaning is None else float(meaning) * 100,
                n=int(r["n"]),
                hits=int(r["hits"]),
                observed_pct=100 * int(r["hits"]) / int(r["n"]),
                low_pct=float(100 * lo),
                high_pct=float(100 * hi),
            )
        )
    unknown = float("inf")
    return sorted(
        rows, key=lambda w: (unknown if w.meaning_pct is None else w.meaning_pct, w.phrase)
    )


def _group_rows(frame: pd.DataFrame, keys: pd.Series, labels) -> list[GroupRow]:
    """Count and mean scores per key, in key order; `labels` names each key."""
    codes, uniques = pd.factorize(keys.to_numpy(), sort=True)
    count = np.bincount(codes, minlength=len(uniques))
    sums = [
        np.bincount(codes, weights=frame[c].to_numpy(dtype=float), minlength=len(uniques))
        for c in ("brier_final", "brier_time_avg")
    ]
    return [
        GroupRow(labels(key), int(n), float(b / n), float(t / n))
        for key, n, b, t in zip(uniques, count, *sums, strict=True)
    ]


def _months(frame: pd.DataFrame, tz) -> tuple[list[GroupRow], int]:
    """Mean scores per month of resolution (in the owner's time zone), oldest first,
    the most recent MAX_MONTHS only; also how many older months were left out."""
    if frame.empty:
        return [], 0
    local = frame["resolved_at"].dt.tz_convert(tz)
    key = pd.Series(local.dt.year * 12 + local.dt.month - 1, index=frame.index)

    def label(k: int) -> str:
        return date(int(k) // 12, int(k) % 12 + 1, 1).strftime("%b %Y")

    rows = _group_rows(frame, key, label)
    return rows[-MAX_MONTHS:], max(0, len(rows) - MAX_MONTHS)


def _tags(frame: pd.DataFrame, tags: pd.DataFrame) -> list[GroupRow]:
    """Mean scores per tag, most-used first (a prediction counts under each of its
    tags); predictions without a Brier score (release dates) are left out."""
    tags = tags[tags["prediction_id"].isin(frame.index)]
    if tags.empty:
        return []
    joined = tags.join(frame[["brier_final", "brier_time_avg"]], on="prediction_id")
    rows = _group_rows(joined, joined["tag"], str)
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
        words=_words(data.predictions),
        n_binary=n_binary,
        n_choice=n_choice,
        n_date=n_date,
    )


def cache_key(*parts) -> str:
    """A cache key from the given parts (hashed: user text must not reach the key)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"reports:{digest}"


def numbers_key(*, user, filters: Filters, version: str) -> str:
    """The cache key of a user's dashboard numbers under these filters and data
    version; the time zone is part of it because it decides days and months."""
    return cache_key("numbers", user.pk, profile_for(user).timezone, filters.query(), version)


def dashboard_numbers(*, user, filters: Filters, version: str) -> DashboardNumbers:
    """The user's dashboard numbers, computed once per data version and filters."""
    key = numbers_key(user=user, filters=filters, version=version)
    numbers = cache.get(key)
    if numbers is None:
        data = scored_predictions(user=user, every_kind=True, **filters.selector_kwargs())
        numbers = compute_numbers(data, profile_for(user).tzinfo)
        cache.set(key, numbers, CACHE_SECONDS)
    return numbers


# --- Charts --------------------------------------------------------------------------

CHART_NAMES = ("reliability", "months", "tags")


def chart_query(filters: Filters, version: str) -> str:
    """The query string of the page's chart URLs: the filters and the data version."""
    return "&".join(part for part in (filters.query(), urlencode({"v": version})) if part)


def chart_svg(name: str, numbers: DashboardNumbers) -> bytes:
    """The SVG of one dashboard chart (see CHART_NAMES), or a placeholder saying what
    is missing; the numbers drawn are those of the table beside the chart."""
    if name == "reliability":
        cal = numbers.calibration
        if cal is None:
            return charts.placeholder_svg(
                f"Resolve at least {MIN_CALIBRATION} predictions to see the reliability diagram"
            )
        rel = cal.reliability
        return charts.reliability_svg(
            x=rel.x,
            recalibrated=rel.recalibrated,
            lower=rel.lower,
            upper=rel.upper,
            buckets=[
                {
                    "count": b.count,
                    "mean_forecast": (b.mean_forecast_pct or 0) / 100,
                    "observed": (b.observed_pct or 0) / 100,
                    "low": (b.low_pct or 0) / 100,
                    "high": (b.high_pct or 0) / 100,
                }
                for b in cal.buckets
            ],
            histogram=cal.histogram,
            histogram_edges=cal.histogram_edges,
        )
    rows = numbers.months if name == "months" else numbers.tags[:MAX_TAG_BARS]
    draw = charts.month_svg if name == "months" else charts.tag_svg
    return draw(
        labels=[r.label for r in rows],
        counts=[r.count for r in rows],
        briers=[r.brier for r in rows],
    )
