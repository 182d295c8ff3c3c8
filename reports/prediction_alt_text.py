"""Alt texts of a prediction's chart, one function per kind, on plain values.

The chart is an image; the alt text says what it draws, so that a screen reader hears
the same story: every yes/no forecast, the latest option probabilities, the latest
release-date quantiles, and the outcome once it is known. No Django here: the template
tag in reports/templatetags/scores.py passes dates and numbers in.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from predictions.probability import format_percent

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
