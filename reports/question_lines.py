"""The lines of one question's chart, from the forecasts predictions.forecasters lets the
viewer see: their own (or, on a shared link, the owner's) and the community forecast's
history. Built from the forecasts already loaded, in the shapes the chart functions of
reports.charts take (the selectors' OptionHistory and QuantileHistory)."""

from __future__ import annotations

import numpy as np

from predictions.models import Forecast, Prediction
from reports.selectors.history import OptionHistory, QuantileHistory


def binary_line(forecasts: list[Forecast]) -> tuple[list, list[float]]:
    """(times, probabilities) of yes/no forecasts, in the order made."""
    rows = [f for f in forecasts if f.probability is not None]
    return [f.created_at for f in rows], [float(f.probability or 0) for f in rows]


def community_line(steps: list) -> tuple[list, list[float]]:
    """(times, pooled probabilities) of a yes/no question's community history."""
    return [when for when, _ in steps], [pooled.probability for _, pooled in steps]


def community_options_line(steps: list) -> tuple[list, list[list[float]]]:
    """(times, pooled probabilities per option) of a multiple-choice question's
    community history."""
    return [when for when, _ in steps], [list(pooled.probabilities) for _, pooled in steps]


def option_line(prediction: Prediction, forecasts: list[Forecast]) -> OptionHistory:
    """The option probabilities of `forecasts` (prefetched), options in their order."""
    options = list(prediction.options.all())
    column = {option.pk: j for j, option in enumerate(options)}
    probs = np.zeros((len(forecasts), len(options)))
    for i, forecast in enumerate(forecasts):
        for row in forecast.option_probabilities.all():
            probs[i, column[row.option_id]] = float(row.probability)
    return OptionHistory(
        times=[f.created_at for f in forecasts],
        option_ids=[option.pk for option in options],
        labels=[option.label for option in options],
        probs=probs,
    )


def quantile_line(forecasts: list[Forecast]) -> QuantileHistory:
    """The quantiles of `forecasts` (prefetched); NaT where a forecast lacks a level."""
    levels = sorted({round(float(q.level), 3) for f in forecasts for q in f.quantiles.all()})
    days = np.full((len(forecasts), len(levels)), np.datetime64("NaT", "D"))
    for i, forecast in enumerate(forecasts):
        for q in forecast.quantiles.all():
            days[i, levels.index(round(float(q.level), 3))] = np.datetime64(q.value, "D")
    return QuantileHistory(times=[f.created_at for f in forecasts], levels=levels, days=days)
