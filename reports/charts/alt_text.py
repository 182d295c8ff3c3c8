"""Alternative texts of the charts (the dashboard's and each prediction's), on plain values.

Plain functions taking plain values and returning a string (no Django, no matplotlib),
so the page's templates only print them and the tests can read them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from predictions.probability import format_percent


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def reliability_alt(*, n_points: int, n_predictions: int, mixed: bool) -> str:
    """The reliability diagram of `n_points` probability claims; `mixed` when options
    and quantiles are pooled in, so the claims come from `n_predictions` predictions."""
    source = f" from {n_predictions} predictions" if mixed else ""
    return (
        f"Reliability diagram of {_plural(n_points, 'probability claim')}{source}: how often "
        "things came true against the probability you gave them, with the CORP "
        "recalibration line, its 90% consistency band, the buckets with 95% intervals, and "
        "a histogram of your forecasts below. The bucket table gives the same numbers."
    )


def months_alt(month_labels: list[str]) -> str:
    """The Brier-by-month chart of the months named by `month_labels` (oldest first)."""
    first, last = month_labels[0], month_labels[-1]
    span = first if first == last else f"{first} to {last}"
    return (
        f"Bar chart of the mean Brier score per month of resolution, {span}, each bar "
        "labelled with its number of predictions. The table below gives the same numbers."
    )


def tags_alt(*, n_drawn: int, n_tags: int) -> str:
    """The Brier-by-tag chart drawing `n_drawn` of the user's `n_tags` tags."""
    if n_drawn < n_tags:
        which = f"the {n_drawn} most-used of your {n_tags} tags"
    else:
        which = f"each of your {_plural(n_tags, 'tag')}"
    return (
        f"Bar chart of the mean Brier score for {which}, each bar labelled with its number "
        "of predictions. The table below gives the same numbers."
    )


# --- A prediction's own chart: one function per kind. The alt text says what the chart
# draws, so a screen reader hears the same story: every yes/no forecast, the latest option
# probabilities or release-date quantiles, and the outcome once known.

Number = Decimal | float


def day(value: date) -> str:
    """1 Jun 2026, as the pages write dates."""
    return f"{value.day} {value:%b %Y}"


def binary_alt(points: Iterable[tuple[date, Number]], known_on: date | None = None) -> str:
    """A yes/no chart: every forecast, oldest first, and when the outcome was known."""
    said = ", ".join(f"{format_percent(p)} on {day(when)}" for when, p in points)
    known = f"; outcome known {day(known_on)}" if known_on is not None else ""
    return f"Probability over time: {said}{known}."


def choice_alt(
    n_forecasts: int,
    latest: Sequence[tuple[str, Number]] = (),
    winner: str | None = None,
    known_on: date | None = None,
) -> str:
    """A multiple-choice chart: one line per option; the latest forecast; the winner."""
    plural = "" if n_forecasts == 1 else "s"
    text = f"Probability of each option over {n_forecasts} forecast{plural}, one line per option"
    if latest:
        text += "; latest: " + ", ".join(f"{label} {format_percent(p)}" for label, p in latest)
    if winner is not None:
        text += f"; {winner} won"
        if known_on is not None:
            text += f", known {day(known_on)}"
    return text + ". The history table gives every forecast."


def date_alt(
    n_forecasts: int,
    latest: Sequence[tuple[Number, date]],
    resolve_by: date,
    happened_on: date | None = None,
) -> str:
    """A release-date chart: a fan of dates over time; the latest quantiles; the date."""
    text = "Release-date forecast"
    if n_forecasts > 1:
        text += f"s over time ({n_forecasts}), drawn as a fan of dates"
    if latest:
        text += "; latest: " + ", ".join(
            f"{format_percent(level)} sure by {day(value)}" for level, value in latest
        )
    text += f"; resolve by {day(resolve_by)}"
    if happened_on is not None:
        text += f"; it happened on {day(happened_on)}"
    return text + "."
