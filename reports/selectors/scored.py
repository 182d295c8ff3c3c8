"""A user's scored predictions of every kind, in a fixed number of queries: what the
dashboard is computed from.

Three queries load the yes/no predictions whatever their number (predictions, their
forecasts, their tags); `reports.scoring` then applies docs/design.md §4 with numpy over
all predictions at once. With `every_kind=True` multiple-choice and release-date
predictions are scored too, with one more query for the option probabilities and one
for the quantiles, each made only when such predictions are among the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from predictions.models import DateQuantile, Forecast, OptionProbability, Prediction
from reports.scoring.kinds import (
    CHOICE_COLUMNS,
    DATE_COLUMNS,
    POINT_COLUMNS,
    PREDICTION_COLUMNS,
    empty_frame,
    score_binary_histories,
    score_choice_histories,
    score_date_histories,
)
from reports.scoring.timestamps import day_numbers
from reports.selectors.filters import TagLinks, filtered_predictions
from reports.selectors.frames import forecast_frame, option_frame, quantile_frame
from reports.selectors.raw import as_stored, read_frame, utc

# Kinds scored unless every kind is asked for.
SCORED_KINDS = (Prediction.Kind.BINARY,)


@dataclass(frozen=True)
class ScoredPredictions:
    """What the dashboard is computed from.

    `predictions`: one row per scored prediction, indexed by `prediction_id`, with the
    columns in PREDICTION_COLUMNS (times are UTC datetime64, `outcome` 0/1, scores per
    docs/design.md §4). `tags`: (prediction_id, tag) pairs for those predictions, long format
    because one prediction has any number of tags. `unscorable`: resolved predictions
    matching the filters that have no forecast made before the outcome was known.

    With `every_kind=True` (all empty otherwise): `predictions` gains `final_phrase`,
    what the user typed for the final forecast ("likely", "1 in 20"; "" for a number);
    `choices` has one row per scored multiple-choice prediction (CHOICE_COLUMNS, Brier on
    the same 0–1 scale); `dates` one per scored release-date prediction (DATE_COLUMNS);
    `points` the calibration points of docs/design.md §4 for the final forecasts of all three
    kinds (POINT_COLUMNS plus `kind`): one per yes/no prediction, one per option of a
    multiple-choice prediction (one-vs-rest), one per quantile of a date forecast ("the
    date falls on or before q_τ", probability τ). `tags` covers every scored kind.
    """

    predictions: pd.DataFrame
    tags: pd.DataFrame
    unscorable: int
    choices: pd.DataFrame = field(default_factory=lambda: empty_frame(CHOICE_COLUMNS))
    dates: pd.DataFrame = field(default_factory=lambda: empty_frame(DATE_COLUMNS))
    points: pd.DataFrame = field(default_factory=lambda: empty_frame([*POINT_COLUMNS, "kind"]))


def scored_predictions(*, user, every_kind: bool = False, **filters) -> ScoredPredictions:
    """The user's scored predictions matching the filters, in three queries.

    Only resolved predictions are scored (annulled and open ones never are); `filters`
    are those of `filtered_predictions` (`Filters.selector_kwargs()`). By default only
    yes/no predictions (SCORED_KINDS) are read; `every_kind=True` adds multiple-choice
    and release-date predictions, at one more query for option probabilities and one
    for quantiles when there are such predictions. See ScoredPredictions for the shape.
    """
    kinds = Prediction.Kind.values if every_kind else SCORED_KINDS
    resolved = filtered_predictions(user=user, **filters).filter(
        status=Prediction.Status.RESOLVED, kind__in=kinds
    )
    columns = ["prediction_id", "kind", "created_at", "resolved_at", "known_at", "outcome"]
    fields = ["pk", "kind", *map(as_stored, ("created_at", "resolved_at", "known_at")), "outcome"]
    if every_kind:
        columns += ["outcome_option_id", "outcome_date"]
        fields += ["outcome_option_id", as_stored("outcome_date")]
    rows = read_frame(resolved.values_list(*fields), columns).set_index("prediction_id")
    for column in ("created_at", "resolved_at", "known_at"):
        rows[column] = utc(rows[column])
    rows["kind"] = rows["kind"].astype(str)
    binary = rows[rows["kind"] == Prediction.Kind.BINARY][columns[1:6]].copy()
    binary["outcome"] = binary["outcome"].astype(np.int8)

    ids = resolved.values("pk")
    # The user's own forecasts: members' forecasts on a question shared with a group
    # are scored for them (reports.selectors.group_scores), never in the owner's numbers.
    forecast_qs = Forecast.objects.filter(prediction__in=ids, author=user)
    if not every_kind:
        forecast_qs = forecast_qs.filter(probability__isnull=False)
    forecasts = forecast_frame(forecast_qs, phrase=every_kind)
    scored, h = score_binary_histories(binary, forecasts)
    scored = scored[PREDICTION_COLUMNS]
    extra = {}
    if every_kind:
        phrases = forecasts["phrase"].to_numpy()[h.rows][h.final[h.keep]]
        scored["final_phrase"] = phrases.astype(str) if len(phrases) else ""
        extra = _other_kinds(rows, forecasts, resolved, scored, user)

    tag_rows = read_frame(
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
    rows: pd.DataFrame, forecasts: pd.DataFrame, resolved: QuerySet, binary: pd.DataFrame, user
) -> dict:
    """The multiple-choice and date frames and every kind's calibration points."""
    Kind = Prediction.Kind
    choices, dates = empty_frame(CHOICE_COLUMNS), empty_frame(DATE_COLUMNS)
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
        options = option_frame(
            OptionProbability.objects.filter(
                forecast__prediction__in=resolved.filter(kind=Kind.MULTIPLE_CHOICE).values("pk"),
                forecast__author=user,
            )
        )
        frame = choice_rows[["kind", "created_at", "resolved_at", "known_at"]].copy()
        frame["outcome_option_id"] = choice_rows["outcome_option_id"].astype(np.int64)
        scored, points = score_choice_histories(frame, forecasts, options)
        choices = scored[CHOICE_COLUMNS]
        parts.append(points.assign(kind=Kind.MULTIPLE_CHOICE.value))
    date_rows = rows[(rows["kind"] == Kind.DATE) & rows["outcome_date"].notna()]
    if len(date_rows):
        quantiles = quantile_frame(
            DateQuantile.objects.filter(
                forecast__prediction__in=resolved.filter(kind=Kind.DATE).values("pk"),
                forecast__author=user,
            )
        )
        frame = date_rows[["kind", "created_at", "resolved_at", "known_at"]].copy()
        frame["outcome_day"] = day_numbers(date_rows["outcome_date"])
        scored, points = score_date_histories(frame, forecasts, quantiles)
        dates = scored[DATE_COLUMNS]
        parts.append(points.assign(kind=Kind.DATE.value))
    points = pd.concat(parts, ignore_index=True)
    return {"choices": choices, "dates": dates, "points": points}
