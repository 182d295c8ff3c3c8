"""The dashboard's figures, arranged for the page from `reports.scoring`.

`compute_numbers` turns the selector's frames into the rows and sections the page shows;
every statistic comes from `reports.scoring` (means, buckets, CORP, Spiegelhalter,
coverage, group means), this module only picks, converts to percentages and orders.

Every kind counts (docs/design.md §4): the Brier and log-loss figures average yes/no and
multiple-choice predictions (multiple-choice Brier ½ Σ (p − o)² is on the same 0–1
scale); calibration pools one point per yes/no prediction, one per option of a
multiple-choice prediction (one-vs-rest) and one per quantile of a date forecast;
release dates get their own section (pinball loss and weighted interval score divided
by the horizon, and how often the actual date fell inside the forecast intervals).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from predictions.models import Prediction
from reports.dashboard.sections import (
    MIN_CALIBRATION,
    BucketRow,
    Calibration,
    CoverageRow,
    DashboardNumbers,
    DateSection,
    GroupRow,
    Headline,
)
from reports.dashboard.words import word_rows
from reports.scoring import calibration, summaries
from reports.selectors.scored import ScoredPredictions

MAX_MONTHS = 24  # most recent resolution months shown (chart and table alike)
ROLLING = 20  # predictions in each point of the rolling Brier line
MAX_ROLLING = 200  # its most recent points drawn
CORP_DRAWS = 100  # refits of the consistency band, drawn with the reliability diagram
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


def _brier_frame(data: ScoredPredictions) -> pd.DataFrame:
    """The Brier-scored predictions (yes/no and multiple choice) with the columns the
    headline, months and tags need."""
    columns = ["resolved_at", "brier_final", "brier_time_avg", "log_loss_final"]
    frames = [f[columns] for f in (data.predictions, data.choices) if len(f)]
    if not frames:
        return data.predictions.reindex(columns=columns)
    return pd.concat(frames) if len(frames) > 1 else frames[0]


def _headline(binary: pd.DataFrame, briers: pd.DataFrame) -> Headline | None:
    """Means over `briers` (yes/no and multiple choice); the base rate, skill and the
    comparisons with always saying 50% and with the base rate over `binary`."""
    if briers.empty:
        return None
    s = summaries.summarise(
        binary["brier_final"],
        binary["brier_time_avg"],
        binary["log_loss_final"],
        binary["outcome"],
        binary["final_probability"],
    )
    pooled = summaries.means(briers)
    vs_half, vs_base = summaries.compare_simple(binary["brier_final"], binary["outcome"])
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
        n_choice=pooled.n - len(binary),
        vs_half=vs_half if len(binary) else None,
        vs_base=vs_base if len(binary) and s.skill is not None else None,
    )


def _since(frame: pd.DataFrame, start: pd.Timestamp | None) -> pd.DataFrame:
    """The rows of `frame` resolved at or after `start` (all of them when None)."""
    return frame if start is None else frame[frame["resolved_at"] >= start]


def _rolling(briers: pd.DataFrame) -> list[float]:
    """The rolling mean Brier of the last ROLLING resolved predictions, in order of
    resolution, the most recent MAX_ROLLING points only."""
    ordered = briers.sort_values("resolved_at", kind="stable")["brier_final"]
    return summaries.rolling_mean(ordered, ROLLING)[-MAX_ROLLING:].tolist()


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
    """The buckets from the first scored prediction on; the CORP diagram and the
    Spiegelhalter test from MIN_CALIBRATION on."""
    if points.empty:
        return None
    p = points["probability"].to_numpy(dtype=float)
    y = points["outcome"].to_numpy(dtype=float)
    kinds = points["kind"].value_counts()
    table = calibration.buckets(p, y)
    findings = calibration.bucket_findings(table)
    directions = {round(100 * f.centre): f.direction for f in findings}
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
            direction=directions.get(round(100 * r.centre), ""),
        )
        for r in table.itertuples()
    ]
    enough = n_scored >= MIN_CALIBRATION
    test = calibration.spiegelhalter(p, y) if enough else None
    return Calibration(
        # The band is drawn only with the reliability diagram (reports.dashboard.charts),
        # in a section that starts collapsed: the page does not wait for its draws.
        reliability=calibration.corp(p, y, n_boot=0) if enough else None,
        buckets=rows,
        findings=[f.sentence for f in findings],
        z=_number(test.z) if test else None,
        p_value=_number(test.p_value) if test else None,
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


def compute_numbers(
    data: ScoredPredictions, tz, recent_from: pd.Timestamp | None = None
) -> DashboardNumbers:
    """The dashboard's figures from the selector's output; `tz` groups months, and
    `recent` is the headline of the predictions resolved from `recent_from` on."""
    briers = _brier_frame(data)
    months, months_hidden = _months(briers, tz)
    n_binary, n_choice, n_date = len(data.predictions), len(data.choices), len(data.dates)
    n_scored = n_binary + n_choice + n_date
    recent = None
    if recent_from is not None:
        recent = _headline(_since(data.predictions, recent_from), _since(briers, recent_from))
    return DashboardNumbers(
        n_scored=n_scored,
        n_unscorable=data.unscorable,
        headline=_headline(data.predictions, briers),
        recent=recent,
        calibration=_calibration(_points(data), n_scored),
        months=months,
        months_hidden=months_hidden,
        tags=_tags(briers, data.tags),
        dates=_dates(data.dates),
        words=word_rows(data.predictions),
        rolling=_rolling(briers),
        n_binary=n_binary,
        n_choice=n_choice,
        n_date=n_date,
    )
