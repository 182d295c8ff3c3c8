"""One prediction's scores for its page: the dashboard's functions on one prediction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from predictions.models import DateQuantile, Forecast, OptionProbability, Prediction
from reports.scoring.kinds import (
    score_choice_histories,
    score_date_histories,
    score_histories,
)
from reports.scoring.timestamps import day_numbers
from reports.selectors.frames import forecast_frame, option_frame, quantile_frame
from reports.selectors.raw import utc


@dataclass(frozen=True)
class OneScore:
    """A single prediction's scores for its page (docs/design.md §4, the dashboard's functions).

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


def prediction_score(prediction: Prediction, author_id: int | None = None) -> OneScore:
    """One forecaster's final and time-averaged scores on a prediction (its owner's
    unless `author_id` says whose), as the dashboard computes them: no query for open or
    annulled predictions, one for the forecasts and one for their option probabilities
    or quantiles otherwise."""
    author_id = prediction.owner_id if author_id is None else author_id
    kind, Status = prediction.kind, Prediction.Status
    if prediction.status != Status.RESOLVED:
        return OneScore(kind, reason="open" if prediction.status == Status.OPEN else "annulled")
    frame = pd.DataFrame(
        {"known_at": utc(pd.Series([prediction.known_at])).array},
        index=pd.Index([prediction.pk], name="prediction_id"),
    )
    if (kind == Prediction.Kind.MULTIPLE_CHOICE and prediction.outcome_option_id is None) or (
        kind == Prediction.Kind.DATE and prediction.outcome_date is None
    ):
        return OneScore(kind, reason="no_outcome")
    forecasts = forecast_frame(Forecast.objects.filter(prediction=prediction, author_id=author_id))
    if forecasts.empty:
        return OneScore(kind, reason="no_forecast")
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        frame["outcome_option_id"] = prediction.outcome_option_id
        options = option_frame(
            OptionProbability.objects.filter(
                forecast__prediction=prediction, forecast__author_id=author_id
            )
        )
        scored = score_choice_histories(frame, forecasts, options)[0]
    elif kind == Prediction.Kind.DATE:
        frame["outcome_day"] = day_numbers(pd.Series([prediction.outcome_date]))[0]
        quantiles = quantile_frame(
            DateQuantile.objects.filter(
                forecast__prediction=prediction, forecast__author_id=author_id
            )
        )
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
