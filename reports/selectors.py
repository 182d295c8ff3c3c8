"""Reads for the reports: a user's predictions and forecasts as pandas DataFrames.

Three queries load a user's scored predictions whatever their number (predictions,
their forecasts, their tags); DESIGN §4's choice of forecasts is then applied with
numpy over all predictions at once. The rule equals `scoring.score_forecast_history`
per prediction, which the tests check on random histories.

Rows are read from the cursor of each `values_list` query's own SQL and converted a
column at a time: the ORM's per-value converters (making each datetime aware, building
a Decimal per probability) would cost more than the fetch itself, and reports must stay
fast at 100,000 predictions. Probabilities are cast to float in SQL; 0.700 stays 0.7.

With `every_kind=True` the same entry point also scores multiple-choice predictions
(½ Σ (p − o)², log loss on the winner) and release-date predictions (pinball loss, the
weighted interval score and interval hits, in days and normalised by the horizon), with
one more query for the option probabilities and one for the quantiles, each made only
when such predictions are among the rows. `prediction_score` applies the same functions
to a single prediction for its page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat

from predictions.models import (
    DateQuantile,
    Forecast,
    OptionProbability,
    Prediction,
    ResolutionEvent,
)
from predictions.services import profile_for
from reports import scoring

# Kinds the frame scores today. Multiple-choice and date predictions get their own
# per-kind scoring later; until then their rows are left out (never mis-scored as binary).
SCORED_KINDS = (Prediction.Kind.BINARY,)

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
TagLinks = Prediction.tags.through


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(np.empty((0, len(columns))), columns=columns)


@dataclass(frozen=True)
class ScoredPredictions:
    """What the dashboard is computed from.

    `predictions`: one row per scored prediction, indexed by `prediction_id`, with the
    columns in PREDICTION_COLUMNS (times are UTC datetime64, `outcome` 0/1, scores per
    DESIGN §4). `tags`: (prediction_id, tag) pairs for those predictions, long format
    because one prediction has any number of tags. `unscorable`: resolved predictions
    matching the filters that have no forecast made before the outcome was known.

    With `every_kind=True` (all empty otherwise): `predictions` gains `final_phrase`,
    what the user typed for the final forecast ("likely", "1 in 20"; "" for a number);
    `choices` has one row per scored multiple-choice prediction (CHOICE_COLUMNS, Brier on
    the same 0–1 scale); `dates` one per scored release-date prediction (DATE_COLUMNS);
    `points` the calibration points of DESIGN §4 for the final forecasts of all three
    kinds (POINT_COLUMNS plus `kind`): one per yes/no prediction, one per option of a
    multiple-choice prediction (one-vs-rest), one per quantile of a date forecast ("the
    date falls on or before q_τ", probability τ). `tags` covers every scored kind.
    """

    predictions: pd.DataFrame
    tags: pd.DataFrame
    unscorable: int
    choices: pd.DataFrame = field(default_factory=lambda: _empty(CHOICE_COLUMNS))
    dates: pd.DataFrame = field(default_factory=lambda: _empty(DATE_COLUMNS))
    points: pd.DataFrame = field(default_factory=lambda: _empty([*POINT_COLUMNS, "kind"]))


@dataclass(frozen=True)
class PredictionCounts:
    """How many of the user's predictions (matching the filters) are in each state;
    `due` are open ones whose resolve-by date is before the owner's local today."""

    resolved: int
    annulled: int
    open: int
    due: int


def _day_start(profile, day: date):
    """The UTC instant at which `day` begins in the owner's time zone."""
    return profile.end_of_day(day - timedelta(days=1))


def filtered_predictions(
    *,
    user,
    tags=None,
    created_from: date | None = None,
    created_to: date | None = None,
    resolved_from: date | None = None,
    resolved_to: date | None = None,
    kind: str | None = None,
) -> QuerySet:
    """The user's predictions matching the dashboard filters, as an unordered QuerySet.

    `tags` are Tag ids (or Tags); a prediction matches if it has any of them. Dates are
    whole days in the owner's time zone, both ends included. A resolved-date range
    leaves out open predictions, which have no resolution date.
    """
    qs = Prediction.objects.owned_by(user).order_by()
    if tags:
        qs = qs.filter(pk__in=TagLinks.objects.filter(tag__in=list(tags)).values("prediction_id"))
    if kind:
        qs = qs.filter(kind=kind)
    if any(d is not None for d in (created_from, created_to, resolved_from, resolved_to)):
        profile = profile_for(user)
        if created_from is not None:
            qs = qs.filter(created_at__gte=_day_start(profile, created_from))
        if created_to is not None:
            qs = qs.filter(created_at__lt=profile.end_of_day(created_to))
        if resolved_from is not None:
            qs = qs.filter(resolved_at__gte=_day_start(profile, resolved_from))
        if resolved_to is not None:
            qs = qs.filter(resolved_at__lt=profile.end_of_day(resolved_to))
    return qs


def _read(qs: QuerySet, columns: list[str]) -> pd.DataFrame:
    """Runs a values_list QuerySet's SQL and returns its raw rows as a DataFrame."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=columns, nrows=len(rows))


def _raw(name: str):
    """A date or datetime column as stored: on SQLite its ISO text (no decltype, so the
    driver's per-value converter is skipped and pandas parses the column at once);
    elsewhere the column itself, which the driver converts in C."""
    if connections[Prediction.objects.db].vendor == "sqlite":
        return Cast(name, CharField())
    return name


def _utc(values: pd.Series) -> pd.Series:
    """Datetimes as UTC datetime64[ns] from what the driver returned: naive UTC
    datetimes on SQLite (Django registers a converter), aware ones on PostgreSQL, ISO
    strings from SQLite when the column was read as text (`_raw`) or through a bare
    connection. NULL becomes NaT."""
    known = values.dropna()
    if len(known) and isinstance(known.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    return pd.to_datetime(values, utc=True).astype("datetime64[ns, UTC]")


def _ns(values: pd.Series) -> np.ndarray:
    """Aware datetimes as int64 nanoseconds since the epoch (UTC)."""
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return naive.to_numpy(dtype="datetime64[ns]").view(np.int64)


@dataclass(frozen=True, eq=False)
class _Histories:
    """DESIGN §4's choice of forecasts for many predictions at once.

    Forecasts are sorted by prediction, time, then id; `rows` are their positions in
    the caller's frame, `group` the row of each one's prediction. Per prediction,
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

    def time_average(self, scores: np.ndarray) -> np.ndarray:
        """Per kept prediction: `scores` (one per sorted forecast) weighted by how long
        each stood, or the final forecast's score when no time passed."""
        n, keep = len(self.final), self.keep
        weight = np.bincount(self.group, weights=self.stood, minlength=n)[keep]
        weighted = np.bincount(self.group, weights=self.stood * scores, minlength=n)[keep]
        final = scores[self.final[keep]]
        return np.where(weight > 0, weighted / np.where(weight > 0, weight, 1), final)

    def frame(self, predictions: pd.DataFrame, forecast_ids: np.ndarray) -> pd.DataFrame:
        """The kept predictions with the columns every kind shares."""
        n, keep = len(self.final), self.keep
        fin = self.final[keep]
        scored = predictions[keep].copy()
        scored["n_forecasts"] = np.bincount(self.group, minlength=n)[keep]
        scored["n_late"] = np.bincount(self.group, weights=self.late, minlength=n).astype(int)[keep]
        scored["first_forecast_at"] = pd.to_datetime(self.t[self.first[keep]], utc=True)
        scored["final_forecast_at"] = pd.to_datetime(self.t[fin], utc=True)
        scored["final_forecast_id"] = forecast_ids[fin]
        return scored


def _histories(predictions: pd.DataFrame, forecasts: pd.DataFrame) -> _Histories:
    """Sorts `forecasts` (prediction_id, forecast_id, created_at) of `predictions`
    (index prediction_id, column known_at) and applies DESIGN §4's rule."""
    mask = forecasts["prediction_id"].isin(predictions.index).to_numpy()
    fc = forecasts[mask]
    pid = fc["prediction_id"].to_numpy()
    t = _ns(fc["created_at"])
    order = np.lexsort((fc["forecast_id"].to_numpy(), t, pid))
    pid, t = pid[order], t[order]
    n = len(predictions)
    group = predictions.index.get_indexer(pid)  # row of each forecast's prediction
    k = _ns(predictions["known_at"])[group]

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
    return _Histories(np.flatnonzero(mask)[order], group, t, late, stood, final, first)


def _score_binary(
    predictions: pd.DataFrame, forecasts: pd.DataFrame
) -> tuple[pd.DataFrame, _Histories]:
    h = _histories(predictions, forecasts)
    p = forecasts["probability"].to_numpy(dtype=float)[h.rows]
    y = predictions["outcome"].to_numpy(dtype=float)
    squared = (p - y[h.group]) ** 2
    fin = h.final[h.keep]
    scored = h.frame(predictions, forecasts["forecast_id"].to_numpy()[h.rows])
    scored["final_probability"] = p[fin]
    scored["brier_final"] = squared[fin]
    scored["brier_time_avg"] = h.time_average(squared)
    scored["log_loss_final"] = scoring.log_loss_binary(p[fin], y[h.keep])
    return scored, h


def score_histories(predictions: pd.DataFrame, forecasts: pd.DataFrame) -> pd.DataFrame:
    """Applies DESIGN §4 to every prediction at once.

    `predictions`: index prediction_id, columns `outcome` (0/1) and `known_at`.
    `forecasts`: columns prediction_id, forecast_id, created_at, probability; one row per
    binary forecast, any order. Returns `predictions` with the score columns added and
    only the scorable rows kept (at least one forecast at or before `known_at`).

    Per prediction the forecasts are ordered by time, then id (the order in which
    forecasts at one instant were made); the final forecast is the last one not late;
    each non-late forecast stands from its time until the next forecast or `known_at`,
    and the time-averaged Brier weights by that duration (the final Brier when every
    duration is zero), as `scoring.time_weights` does.
    """
    return _score_binary(predictions, forecasts)[0]


def _final_mask(h: _Histories) -> np.ndarray:
    """Per sorted forecast: whether it is the final forecast of a scorable prediction."""
    final = np.zeros(len(h.rows), dtype=bool)
    final[h.final[h.keep]] = True
    return final


def score_choice_histories(
    predictions: pd.DataFrame, forecasts: pd.DataFrame, options: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Multiple-choice predictions, DESIGN §4: returns (scored, points).

    `predictions`: index prediction_id, columns `outcome_option_id` and `known_at`;
    `forecasts` as for `score_histories` without `probability`; `options`: columns
    forecast_id, option_id, position, probability (one row per option of a forecast).
    Each forecast's Brier is `scoring.brier_multi` (½ Σ (pₖ − oₖ)², 0–1 scale) and its log
    loss `scoring.log_loss` of the winner's probability; the final and time-averaged
    scores follow the same rule as yes/no predictions. `points` has one row per option
    of each final forecast: its probability and 1 for the winner, 0 for the others.
    """
    h = _histories(predictions, forecasts)
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
    briers = scoring.brier_multi(probs, onehot)
    p_winner = (probs * onehot).sum(axis=1)
    losses = scoring.log_loss(p_winner)

    fin = h.final[h.keep]
    scored = h.frame(predictions, forecast_ids)
    scored["final_probability"] = p_winner[fin]
    scored["brier_final"] = briers[fin]
    scored["brier_time_avg"] = h.time_average(briers)
    scored["log_loss_final"] = losses[fin]

    chosen = _final_mask(h)[at]
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
    """Release-date predictions, DESIGN §4: returns (scored, points).

    `predictions`: index prediction_id, columns `outcome_day` (the actual date as days
    since 1970-01-01) and `known_at`; `forecasts` as for `score_histories` without
    `probability`; `quantiles`: columns forecast_id, level (0–1), day (days since
    1970-01-01). Per forecast: `scoring.pinball_loss` per quantile (its mean), the
    weighted interval score over the median and the central intervals whose two ends
    are present (the sum of their pinball losses ÷ (K + ½), which equals
    `scoring.weighted_interval_score`), the horizon (days from the forecast's UTC date
    to its median, at least 1), and `scoring.interval_hit` for the 50/80/90% intervals.
    Final forecast and time averages as for yes/no predictions. `points`: one per
    quantile of each final forecast, probability τ and 1 if the actual date fell on or
    before q_τ, and its pinball loss (days).
    """
    h = _histories(predictions, forecasts)
    forecast_ids = forecasts["forecast_id"].to_numpy()[h.rows]
    n_fc = len(h.rows)
    at = pd.Index(forecast_ids).get_indexer(quantiles["forecast_id"].to_numpy())
    rows = quantiles[at >= 0]
    at = at[at >= 0]
    tau = rows["level"].to_numpy(dtype=float)
    q = rows["day"].to_numpy(dtype=float)
    actual_by_forecast = predictions["outcome_day"].to_numpy(dtype=float)[h.group]
    y = actual_by_forecast[at]
    loss = scoring.pinball_loss(q, tau, y)
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
    scored["interval_score_80"] = scoring.interval_score(lower80, upper80, 0.2, actual)
    for column, (low, high) in INTERVALS.items():
        lower, upper = level_day(low)[fin], level_day(high)[fin]
        hit = scoring.interval_hit(lower, upper, actual).astype(float)
        scored[column] = np.where(np.isnan(lower) | np.isnan(upper), np.nan, hit)

    chosen = _final_mask(h)[at]
    points = pd.DataFrame(
        {
            "prediction_id": predictions.index.to_numpy()[h.group[at[chosen]]],
            "probability": tau[chosen],
            "outcome": (y[chosen] <= q[chosen]).astype(np.int8),
            "pinball": loss[chosen],
        }
    ).sort_values(["prediction_id", "probability"], kind="stable", ignore_index=True)
    return scored, points


def _days(values: pd.Series) -> np.ndarray:
    """Dates (date objects or ISO strings) as float days since 1970-01-01; NaN for NULL."""
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    days = stamps.astype("datetime64[D]").astype(np.int64).astype(float)
    days[np.isnat(stamps)] = np.nan
    return days


def _forecasts(qs: QuerySet, *, phrase: bool = False) -> pd.DataFrame:
    """Forecasts of `qs` as prediction_id, forecast_id, created_at (UTC), probability
    (NaN for other kinds) and, if asked, phrase."""
    columns = ["prediction_id", "forecast_id", "created_at", "probability"]
    fields = ["prediction_id", "pk", _raw("created_at"), Cast("probability", FloatField())]
    if phrase:
        columns.append("phrase")
        fields.append("phrase")
    frame = _read(qs.order_by().values_list(*fields), columns)
    frame["created_at"] = _utc(frame["created_at"])
    frame["probability"] = frame["probability"].astype(float)
    return frame


def _options(qs: QuerySet) -> pd.DataFrame:
    """OptionProbability rows as forecast_id, option_id, position, probability."""
    return _read(
        qs.order_by().values_list(
            "forecast_id", "option_id", "option__position", Cast("probability", FloatField())
        ),
        ["forecast_id", "option_id", "position", "probability"],
    )


def _quantiles(qs: QuerySet) -> pd.DataFrame:
    """DateQuantile rows as forecast_id, level (float), day (days since 1970-01-01)."""
    frame = _read(
        qs.order_by().values_list("forecast_id", Cast("level", FloatField()), _raw("value")),
        ["forecast_id", "level", "value"],
    )
    return pd.DataFrame(
        {
            "forecast_id": frame["forecast_id"].to_numpy(),
            "level": frame["level"].to_numpy(dtype=float),
            "day": _days(frame["value"]),
        }
    )


def scored_predictions(
    *,
    user,
    tags=None,
    created_from: date | None = None,
    created_to: date | None = None,
    resolved_from: date | None = None,
    resolved_to: date | None = None,
    kind: str | None = None,
    every_kind: bool = False,
) -> ScoredPredictions:
    """The user's scored predictions matching the filters, in three queries.

    Only resolved predictions are scored (annulled and open ones never are); filters are
    as in `filtered_predictions`. By default only yes/no predictions (SCORED_KINDS) are
    read; `every_kind=True` adds multiple-choice and release-date predictions, at one
    more query for option probabilities and one for quantiles when there are such
    predictions. See ScoredPredictions for the shape.
    """
    kinds = Prediction.Kind.values if every_kind else SCORED_KINDS
    resolved = filtered_predictions(
        user=user,
        tags=tags,
        created_from=created_from,
        created_to=created_to,
        resolved_from=resolved_from,
        resolved_to=resolved_to,
        kind=kind,
    ).filter(status=Prediction.Status.RESOLVED, kind__in=kinds)
    columns = ["prediction_id", "kind", "created_at", "resolved_at", "known_at", "outcome"]
    fields = ["pk", "kind", *map(_raw, ("created_at", "resolved_at", "known_at")), "outcome"]
    if every_kind:
        columns += ["outcome_option_id", "outcome_date"]
        fields += ["outcome_option_id", _raw("outcome_date")]
    rows = _read(resolved.values_list(*fields), columns).set_index("prediction_id")
    for column in ("created_at", "resolved_at", "known_at"):
        rows[column] = _utc(rows[column])
    rows["kind"] = rows["kind"].astype(str)
    binary = rows[rows["kind"] == Prediction.Kind.BINARY][columns[1:6]].copy()
    binary["outcome"] = binary["outcome"].astype(np.int8)

    ids = resolved.values("pk")
    forecast_qs = Forecast.objects.filter(prediction__in=ids)
    if not every_kind:
        forecast_qs = forecast_qs.filter(probability__isnull=False)
    forecasts = _forecasts(forecast_qs, phrase=every_kind)
    scored, h = _score_binary(binary, forecasts)
    scored = scored[PREDICTION_COLUMNS]
    extra = {}
    if every_kind:
        phrases = forecasts["phrase"].to_numpy()[h.rows][h.final[h.keep]]
        scored["final_phrase"] = phrases.astype(str) if len(phrases) else ""
        extra = _other_kinds(rows, forecasts, resolved, scored)

    tag_rows = _read(
        TagLinks.objects.filter(prediction__in=ids)
        .order_by()
        .values_list("prediction_id", "tag__name"),
        ["prediction_id", "tag"],
    )
    scored_ids = [scored.index, *(extra[k].index for k in ("choices", "dates") if k in extra)]
    kept = np.concatenate([np.asarray(i) for i in scored_ids])
    tag_rows = tag_rows[tag_rows["prediction_id"].isin(kept)].reset_index(drop=True)
    unscorable = len(rows) - len(kept)
    return ScoredPredictions(scored, tag_rows, unscorable=unscorable, **extra)


def _other_kinds(
    rows: pd.DataFrame, forecasts: pd.DataFrame, resolved: QuerySet, binary: pd.DataFrame
) -> dict:
    """The multiple-choice and date frames and every kind's calibration points."""
    Kind = Prediction.Kind
    choices, dates = _empty(CHOICE_COLUMNS), _empty(DATE_COLUMNS)
    parts = [
        pd.DataFrame(
            {
                "prediction_id": binary.index.to_numpy(),
                "probability": binary["final_probability"].to_numpy(dtype=float),
                "outcome": binary["outcome"].to_numpy(dtype=np.int8),
                "kind": Kind.BINARY.value,
            }
        )
    ]
    # A resolution without its winner or date cannot be scored (and never happens
    # through the services); such rows count as unscorable.
    choice_rows = rows[(rows["kind"] == Kind.MULTIPLE_CHOICE) & rows["outcome_option_id"].notna()]
    if len(choice_rows):
        options = _options(
            OptionProbability.objects.filter(
                forecast__prediction__in=resolved.filter(kind=Kind.MULTIPLE_CHOICE).values("pk")
            )
        )
        frame = choice_rows[["kind", "created_at", "resolved_at", "known_at"]].copy()
        frame["outcome_option_id"] = choice_rows["outcome_option_id"].astype(np.int64)
        scored, points = score_choice_histories(frame, forecasts, options)
        choices = scored[CHOICE_COLUMNS]
        parts.append(points.assign(kind=Kind.MULTIPLE_CHOICE.value))
    date_rows = rows[(rows["kind"] == Kind.DATE) & rows["outcome_date"].notna()]
    if len(date_rows):
        quantiles = _quantiles(
            DateQuantile.objects.filter(
                forecast__prediction__in=resolved.filter(kind=Kind.DATE).values("pk")
            )
        )
        frame = date_rows[["kind", "created_at", "resolved_at", "known_at"]].copy()
        frame["outcome_day"] = _days(date_rows["outcome_date"])
        scored, points = score_date_histories(frame, forecasts, quantiles)
        dates = scored[DATE_COLUMNS]
        parts.append(points.assign(kind=Kind.DATE.value))
    points = pd.concat(parts, ignore_index=True)
    return {"choices": choices, "dates": dates, "points": points}


def prediction_counts(*, user, today: date, **filters) -> PredictionCounts:
    """Counts by state in one query. `today` is the owner's local date (Profile.today());
    `filters` are those of `filtered_predictions` except the resolved-date range, which
    would exclude every open prediction and is ignored here."""
    filters.pop("resolved_from", None)
    filters.pop("resolved_to", None)
    Status = Prediction.Status
    counts = filtered_predictions(user=user, **filters).aggregate(
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        annulled=Count("pk", filter=Q(status=Status.ANNULLED)),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        due=Count("pk", filter=Q(status=Status.OPEN, resolve_by__lt=today)),
    )
    return PredictionCounts(**counts)


def _fingerprint(qs: QuerySet, group: str) -> Subquery:
    """One correlated subquery giving "count/max(id)" of `qs` as text, so each table
    is read once."""
    count, last = (Cast(agg, CharField()) for agg in (Count("pk"), Max("pk")))
    text = Concat(count, Value("/"), last)
    return Subquery(qs.order_by().values(group).annotate(v=text).values("v")[:1])


def data_version(*, user) -> str:
    """A short string that changes whenever anything the reports show about the user
    changes: a forecast added, a prediction created, deleted, resolved, re-resolved,
    annulled or reopened, a tag added to or removed from a prediction. One query, one
    pass over each of the user's forecasts, predictions, resolution events and tag links
    (index-only on SQLite and PostgreSQL).

    Forecasts and resolution events are append-only, so their count and largest id
    change on every write; every resolve, re-resolve, annul and reopen adds a resolution
    event (predictions.services), so the prediction rows themselves need not be read
    beyond their ids; tag links are replaced on edit, which moves their largest id.
    """
    if not user.is_authenticated:
        return "anonymous"
    owner = OuterRef("pk")
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            _fingerprint(Forecast.objects.filter(prediction__owner=owner), "prediction__owner"),
            _fingerprint(Prediction.objects.filter(owner=owner), "owner"),
            _fingerprint(
                ResolutionEvent.objects.filter(prediction__owner=owner), "prediction__owner"
            ),
            _fingerprint(TagLinks.objects.filter(prediction__owner=owner), "prediction__owner"),
        )
        .get()
    )
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


def prediction_history(prediction: Prediction) -> pd.DataFrame:
    """One prediction's binary forecasts in the order they were made: columns
    `created_at` (UTC) and `probability`. One query."""
    return _read(
        Forecast.objects.filter(prediction=prediction, probability__isnull=False)
        .order_by("created_at", "pk")
        .values_list("created_at", Cast("probability", FloatField())),
        ["created_at", "probability"],
    ).assign(created_at=lambda df: _utc(df["created_at"]))


def evidence_times(prediction: Prediction) -> list[datetime]:
    """When each piece of evidence was linked to the prediction, oldest first. One query,
    through the reverse relation (reports never import the sources app)."""
    return list(
        prediction.evidence_links.order_by("created_at").values_list("created_at", flat=True)
    )


@dataclass(frozen=True, eq=False)
class OptionHistory:
    """A multiple-choice prediction's forecasts: `probs[i, j]` is what the i-th forecast
    (made at `times[i]`, UTC) gave option `labels[j]` (options in their order)."""

    times: list[datetime]
    option_ids: list[int]
    labels: list[str]
    probs: np.ndarray


def prediction_option_history(prediction: Prediction) -> OptionHistory:
    """The option probabilities of every forecast, in the order made. One query."""
    frame = _read(
        OptionProbability.objects.filter(forecast__prediction=prediction)
        .order_by("forecast__created_at", "forecast_id", "option__position")
        .values_list(
            "forecast_id",
            "forecast__created_at",
            "option_id",
            "option__label",
            "option__position",
            Cast("probability", FloatField()),
        ),
        ["forecast_id", "created_at", "option_id", "label", "position", "probability"],
    )
    forecasts = frame.drop_duplicates("forecast_id")
    options = frame.drop_duplicates("option_id").sort_values("position", kind="stable")
    probs = np.zeros((len(forecasts), len(options)))
    row = pd.Index(forecasts["forecast_id"]).get_indexer(frame["forecast_id"])
    column = pd.Index(options["option_id"]).get_indexer(frame["option_id"])
    probs[row, column] = frame["probability"].to_numpy(dtype=float)
    return OptionHistory(
        times=_utc(forecasts["created_at"]).dt.to_pydatetime().tolist(),
        option_ids=options["option_id"].astype(int).tolist(),
        labels=options["label"].astype(str).tolist(),
        probs=probs,
    )


@dataclass(frozen=True, eq=False)
class QuantileHistory:
    """A release-date prediction's forecasts: `days[i, j]` is the date (datetime64[D],
    NaT where absent) by which the i-th forecast was `levels[j]` sure."""

    times: list[datetime]
    levels: list[float]
    days: np.ndarray


def prediction_quantile_history(prediction: Prediction) -> QuantileHistory:
    """The quantiles of every forecast, in the order made. One query."""
    frame = _read(
        DateQuantile.objects.filter(forecast__prediction=prediction)
        .order_by("forecast__created_at", "forecast_id", "level")
        .values_list("forecast_id", "forecast__created_at", Cast("level", FloatField()), "value"),
        ["forecast_id", "created_at", "level", "value"],
    )
    forecasts = frame.drop_duplicates("forecast_id")
    levels = np.unique(np.round(frame["level"].to_numpy(dtype=float), 3))
    days = np.full((len(forecasts), len(levels)), np.datetime64("NaT", "D"))
    row = pd.Index(forecasts["forecast_id"]).get_indexer(frame["forecast_id"])
    column = np.searchsorted(levels, np.round(frame["level"].to_numpy(dtype=float), 3))
    days[row, column] = pd.to_datetime(frame["value"]).to_numpy(dtype="datetime64[D]")
    return QuantileHistory(
        times=_utc(forecasts["created_at"]).dt.to_pydatetime().tolist(),
        levels=levels.tolist(),
        days=days,
    )


@dataclass(frozen=True)
class OneScore:
    """A single prediction's scores for its page (DESIGN §4, the dashboard's functions).

    `reason` says why it is not scored: "open", "annulled", "no_outcome" (a resolution
    without its winner or date), "no_forecast" or "all_late" (every forecast made after
    the outcome was known); empty when scored. Yes/no and
    multiple choice fill the Brier fields (`final_probability` being P(YES) or what the
    final forecast gave the winner); release dates the pinball/WIS fields, in days.
    """

    kind: str
    reason: str = ""
    n_late: int = 0
    final_probability: float | None = None
    brier: float | None = None
    brier_time_avg: float | None = None
    log_loss: float | None = None
    n_quantiles: int = 0
    pinball_mean: float | None = None
    wis: float | None = None
    horizon_days: int | None = None
    pinball_norm: float | None = None
    wis_norm: float | None = None
    interval_score_80: float | None = None
    hit_80: bool | None = None
    lower_80: date | None = None
    upper_80: date | None = None
    quantile_losses: tuple[tuple[float, float], ...] = ()  # (level, pinball loss in days)

    @property
    def scored(self) -> bool:
        return not self.reason


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _day(value) -> date | None:
    return None if np.isnan(value) else date(1970, 1, 1) + timedelta(days=int(value))


def prediction_score(prediction: Prediction) -> OneScore:
    """One prediction's final and time-averaged scores, as the dashboard computes them:
    no query for open or annulled predictions, one for the forecasts and one for their
    option probabilities or quantiles otherwise."""
    kind, Status = prediction.kind, Prediction.Status
    if prediction.status != Status.RESOLVED:
        return OneScore(kind, reason="open" if prediction.status == Status.OPEN else "annulled")
    frame = pd.DataFrame(
        {"known_at": _utc(pd.Series([prediction.known_at])).array},
        index=pd.Index([prediction.pk], name="prediction_id"),
    )
    if (kind == Prediction.Kind.MULTIPLE_CHOICE and prediction.outcome_option_id is None) or (
        kind == Prediction.Kind.DATE and prediction.outcome_date is None
    ):
        return OneScore(kind, reason="no_outcome")
    forecasts = _forecasts(Forecast.objects.filter(prediction=prediction))
    if forecasts.empty:
        return OneScore(kind, reason="no_forecast")
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        frame["outcome_option_id"] = prediction.outcome_option_id
        options = _options(OptionProbability.objects.filter(forecast__prediction=prediction))
        scored = score_choice_histories(frame, forecasts, options)[0]
    elif kind == Prediction.Kind.DATE:
        frame["outcome_day"] = _days(pd.Series([prediction.outcome_date]))[0]
        quantiles = _quantiles(DateQuantile.objects.filter(forecast__prediction=prediction))
        scored, points = score_date_histories(frame, forecasts, quantiles)
    else:
        frame["outcome"] = int(bool(prediction.outcome))
        scored = score_histories(frame, forecasts[forecasts["probability"].notna()])
    if scored.empty:
        return OneScore(kind, reason="all_late", n_late=len(forecasts))
    row = scored.iloc[0]
    if kind != Prediction.Kind.DATE:
        return OneScore(
            kind,
            n_late=int(row["n_late"]),
            final_probability=float(row["final_probability"]),
            brier=float(row["brier_final"]),
            brier_time_avg=float(row["brier_time_avg"]),
            log_loss=float(row["log_loss_final"]),
        )
    hit = row["hit_80"]
    return OneScore(
        kind,
        n_late=int(row["n_late"]),
        n_quantiles=int(row["n_quantiles"]),
        pinball_mean=_number(row["pinball_mean"]),
        wis=_number(row["wis"]),
        horizon_days=int(row["horizon_days"]) if not np.isnan(row["horizon_days"]) else None,
        pinball_norm=_number(row["pinball_norm"]),
        wis_norm=_number(row["wis_norm"]),
        interval_score_80=_number(row["interval_score_80"]),
        hit_80=None if np.isnan(hit) else bool(hit),
        lower_80=_day(row["lower_80_day"]),
        upper_80=_day(row["upper_80_day"]),
        quantile_losses=tuple(
            zip(points["probability"].tolist(), points["pinball"].tolist(), strict=True)
        ),
    )
