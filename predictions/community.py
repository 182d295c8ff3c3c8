"""The community forecast of a shared question: one forecast made of every forecaster's
latest one (docs/design.md, "Community forecast"). Pure functions, no Django: callers
pass the latest forecast of each forecaster (each counts once, however often they
updated).

- Yes/no: the geometric mean of the odds, turned back into a probability, with the
  median probability beside it. The geometric mean of odds is the pooling that
  forecasting research found best for aggregating individual forecasts (it is the mean
  in log-odds space, so two people at 1% and 50% pool to about 9%, not 25.5%).
  Probabilities are clamped to [0.001, 0.999] before taking odds, so a single 0% or
  100% gives odds of 1/999 or 999 instead of 0 or infinity and cannot decide the pool
  alone.
- Multiple choice: per option, the geometric mean of the probabilities the forecasters
  gave it (clamped to the same [0.001, 0.999], so one 0% does not zero an option), then
  normalised so the options total 100%.
- Release dates: per quantile level, the median of the forecasters' dates. Only the
  levels every forecaster gave are pooled (10/50/90% always are), so the pooled dates
  keep their order. An even number of dates has the earlier of the two middle days'
  midpoint (halves round down).

`history` replays forecasts in time order and gives the community forecast after each
one, for the question's chart.
"""

import math
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

FLOOR, CEILING = 0.001, 0.999


def clamp(p: float) -> float:
    return min(max(float(p), FLOOR), CEILING)


def _log_odds(p: float) -> float:
    p = clamp(p)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class BinaryCommunity:
    probability: float  # from the geometric mean of the odds
    median: float
    forecasters: int


def binary(probabilities: Sequence[float]) -> BinaryCommunity | None:
    """The pooled probability of YES of one latest probability per forecaster."""
    if not probabilities:
        return None
    mean = statistics.fmean(_log_odds(p) for p in probabilities)
    return BinaryCommunity(
        probability=1 / (1 + math.exp(-mean)),
        median=statistics.median(float(p) for p in probabilities),
        forecasters=len(probabilities),
    )


@dataclass(frozen=True)
class ChoiceCommunity:
    probabilities: tuple[float, ...]  # in option order, totalling 1
    forecasters: int


def choice(rows: Sequence[Sequence[float]]) -> ChoiceCommunity | None:
    """The pooled option probabilities of one row (option order) per forecaster."""
    if not rows:
        return None
    columns = zip(*rows, strict=True)
    means = [math.exp(statistics.fmean(math.log(clamp(p)) for p in column)) for column in columns]
    total = sum(means)
    return ChoiceCommunity(
        probabilities=tuple(mean / total for mean in means), forecasters=len(rows)
    )


@dataclass(frozen=True)
class DateCommunity:
    quantiles: tuple[tuple[float, date], ...]  # (level, day), levels increasing
    forecasters: int


def dates(forecasts: Sequence[Mapping[float, date]]) -> DateCommunity | None:
    """The pooled quantiles of one {level: day} per forecaster."""
    if not forecasts:
        return None
    levels = sorted(set.intersection(*(set(f) for f in forecasts)))
    pooled = []
    for level in levels:
        middle = statistics.median(f[level].toordinal() for f in forecasts)
        pooled.append((level, date.fromordinal(math.floor(middle))))
    return DateCommunity(quantiles=tuple(pooled), forecasters=len(forecasts))


def history[Payload, Pooled](
    forecasts: Iterable[tuple[datetime, Hashable, Payload]],
    pool: Callable[[list[Payload]], Pooled | None],
) -> list[tuple[datetime, Pooled]]:
    """The community forecast after each forecast: `forecasts` are (when, author,
    payload) oldest first, `pool` one of the functions above."""
    latest: dict[Hashable, Payload] = {}
    steps = []
    for when, author, payload in forecasts:
        latest[author] = payload
        pooled = pool(list(latest.values()))
        if pooled is not None:
            steps.append((when, pooled))
    return steps
