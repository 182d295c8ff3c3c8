"""Alternative texts of the dashboard's charts, built next to the charts they describe.

Plain functions taking plain values and returning a string (no Django, no matplotlib),
so the page's templates only print them and the tests can read them.
"""

from __future__ import annotations


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
