"""One prediction's forecasts in the order they were made, for its chart (one query
each), and when its evidence was linked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from django.db.models import FloatField
from django.db.models.functions import Cast

from predictions.models import DateQuantile, Forecast, OptionProbability, Prediction
from reports.scoring.timestamps import day_values
from reports.selectors.raw import read_frame, utc


def prediction_history(prediction: Prediction) -> pd.DataFrame:
    """One prediction's binary forecasts in the order they were made: columns
    `created_at` (UTC) and `probability`. One query."""
    return read_frame(
        Forecast.objects.filter(prediction=prediction, probability__isnull=False)
        .order_by("created_at", "pk")
        .values_list("created_at", Cast("probability", FloatField())),
        ["created_at", "probability"],
    ).assign(created_at=lambda df: utc(df["created_at"]))


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
    frame = read_frame(
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
        times=utc(forecasts["created_at"]).dt.to_pydatetime().tolist(),
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
    frame = read_frame(
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
    days[row, column] = day_values(frame["value"])
    return QuantileHistory(
        times=utc(forecasts["created_at"]).dt.to_pydatetime().tolist(),
        levels=levels.tolist(),
        days=days,
    )
