"""Forecasts, option probabilities and quantiles as the frames `reports.scoring.kinds`
takes, each in one query through the raw reader."""

from __future__ import annotations

import pandas as pd
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from reports.scoring.timestamps import day_numbers
from reports.selectors.raw import as_stored, read_frame, utc


def forecast_frame(qs: QuerySet, *, phrase: bool = False) -> pd.DataFrame:
    """Forecasts of `qs` as prediction_id, forecast_id, created_at (UTC), probability
    (NaN for other kinds) and, if asked, phrase."""
    columns = ["prediction_id", "forecast_id", "created_at", "probability"]
    fields = ["prediction_id", "pk", as_stored("created_at"), Cast("probability", FloatField())]
    if phrase:
        columns.append("phrase")
        fields.append("phrase")
    frame = read_frame(qs.order_by().values_list(*fields), columns)
    frame["created_at"] = utc(frame["created_at"])
    frame["probability"] = frame["probability"].astype(float)
    return frame


def option_frame(qs: QuerySet) -> pd.DataFrame:
    """OptionProbability rows as forecast_id, option_id, position, probability."""
    return read_frame(
        qs.order_by().values_list(
            "forecast_id", "option_id", "option__position", Cast("probability", FloatField())
        ),
        ["forecast_id", "option_id", "position", "probability"],
    )


def quantile_frame(qs: QuerySet) -> pd.DataFrame:
    """DateQuantile rows as forecast_id, level (float), day (days since 1970-01-01)."""
    frame = read_frame(
        qs.order_by().values_list("forecast_id", Cast("level", FloatField()), as_stored("value")),
        ["forecast_id", "level", "value"],
    )
    return pd.DataFrame(
        {
            "forecast_id": frame["forecast_id"].to_numpy(),
            "level": frame["level"].to_numpy(dtype=float),
            "day": day_numbers(frame["value"]),
        }
    )
