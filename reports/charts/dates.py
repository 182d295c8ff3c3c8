"""A release-date prediction's forecasts: a fan of its quantiles over time (a bar for
a single forecast)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from reports.charts.frame import (
    BLUE,
    DASHED,
    DOTTED,
    GRID,
    INK,
    LEGEND_ROW,
    MUTED,
    VERMILLION,
    WIDTH,
    drawable,
    figure,
    forecast_marks,
    legend_above,
    placeholder_svg,
    render,
)
from reports.charts.history import evidence_lines, naive_utc, time_axis, time_span

# One legend entry a row (band names are long): three bands, the median, late medians,
# resolve-by, the actual date, outcome known and evidence.
DATE_LEGEND_TOP = 12 + 9 * LEGEND_ROW
DATE_CHART_HEIGHT = DATE_LEGEND_TOP + 150 + 44
# (lower, upper) levels of the bands, widest first, with their shading and legend names.
BANDS = [
    (0.05, 0.95, 0.10, "5–95%"),
    (0.1, 0.9, 0.20, "10–90% (80% interval)"),
    (0.25, 0.75, 0.38, "25–75%"),
]


def _level_column(levels, level: float) -> int | None:
    matches = [i for i, lv in enumerate(levels) if abs(lv - level) < 5e-4]
    return matches[0] if matches else None


def _date_marks(ax, *, actual, resolve_by, horizontal: bool) -> None:
    draw = ax.axhline if horizontal else ax.axvline
    if resolve_by is not None:
        draw(
            drawable([resolve_by], "D")[0],  # labelled with the stored date
            color=MUTED,
            linestyle=DOTTED,
            linewidth=1.6,
            label=f"Resolve by {resolve_by:%-d %b %Y}",
        )
    if actual is not None:
        draw(
            drawable([actual], "D")[0],
            color=VERMILLION,
            linestyle=DASHED,
            linewidth=1.8,
            label=f"Actual date {actual:%-d %b %Y}",
        )


def _date_bar(levels, days, actual, resolve_by, made_at, tz) -> Figure:
    fig, margins = figure(
        WIDTH, DATE_CHART_HEIGHT, left=16, right=16, top=DATE_LEGEND_TOP, bottom=44
    )
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    row = np.asarray(days, dtype="datetime64[D]")
    for low, high, alpha, name in BANDS:
        i, j = _level_column(levels, low), _level_column(levels, high)
        if i is None or j is None or np.isnat(row[i]) or np.isnat(row[j]):
            continue
        height = {0.05: 0.18, 0.1: 0.34, 0.25: 0.5}[low]
        ax.fill_between(
            [row[i], row[j]], -height, height, color=BLUE, alpha=alpha, linewidth=0, label=name
        )
    m = _level_column(levels, 0.5)
    if m is not None and not np.isnat(row[m]):
        ax.plot([row[m], row[m]], [-0.55, 0.55], color=BLUE, linewidth=2.4, label="Median (50%)")
    _date_marks(ax, actual=actual, resolve_by=resolve_by, horizontal=False)
    known = [d for d in row if not np.isnat(d)]
    marks = list(drawable([d for d in (actual, resolve_by) if d is not None], "D"))
    lo, hi = min([*known, *marks]), max([*known, *marks])
    pad = max((hi - lo) * 0.05, np.timedelta64(2, "D"))
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(f"Date (forecast made {np.datetime64(made_at, 'D').item():%-d %b %Y})")
    ax.grid(True, axis="x", color=GRID, linewidth=0.6)
    legend_above(ax)
    return fig


def _date_fan(times, levels, days, known_at, actual, resolve_by, evidence_times, now, tz):
    fig, margins = figure(
        WIDTH, DATE_CHART_HEIGHT, left=128, right=14, top=DATE_LEGEND_TOP, bottom=40
    )
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    t = np.asarray(times, dtype="datetime64[us]")
    days = np.asarray(days, dtype="datetime64[D]")
    end = np.datetime64(known_at or now, "us")
    late = t > end
    on = ~late
    line_t = np.append(t[on], end)

    def extended(column: int) -> np.ndarray:
        values = days[on, column].astype("datetime64[us]")
        return np.append(values, values[-1])

    for low, high, alpha, name in BANDS:
        i, j = _level_column(levels, low), _level_column(levels, high)
        if i is None or j is None or np.isnat(days[on][:, [i, j]]).any():
            continue
        ax.fill_between(
            line_t,
            extended(i),
            extended(j),
            step="post",
            color=BLUE,
            alpha=alpha,
            linewidth=0,
            label=name,
        )
    m = _level_column(levels, 0.5)
    if m is not None and not np.isnat(days[on, m]).any():
        ax.step(line_t, extended(m), where="post", color=BLUE, linewidth=2, label="Median (50%)")
        medians = days[:, m].astype("datetime64[us]")
        forecast_marks(ax, t, medians, late, late_label="Late median (not scored)")
    _date_marks(ax, actual=actual, resolve_by=resolve_by, horizontal=True)
    if known_at is not None:
        ax.axvline(end, color=INK, linestyle=DASHED, linewidth=1.2, label="Outcome known")
    evidence_lines(ax, evidence_times)
    time_span(ax, t, end, evidence_times)
    time_axis(ax, tz)
    known = [d for d in days.ravel() if not np.isnat(d)]
    marks = list(drawable([d for d in (actual, resolve_by) if d is not None], "D"))
    lo, hi = min([*known, *marks]), max([*known, *marks])
    pad = max((hi - lo) * 0.06, np.timedelta64(2, "D"))
    ax.set_ylim(lo - pad, hi + pad)
    ylocator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    ax.yaxis.set_major_locator(ylocator)
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%-d %b %Y"))
    ax.set_ylabel("When it happens")
    ax.grid(True, color=GRID, linewidth=0.6)
    legend_above(ax)
    return fig


def date_svg(
    *,
    times: Sequence,
    levels: Sequence[float],
    days,
    known_at: datetime | None = None,
    actual=None,
    resolve_by=None,
    evidence_times: Sequence = (),
    now: datetime | None = None,
    tz=None,
) -> bytes:
    """A release-date forecast as a fan over a date axis.

    `days[i][j]` (datetime64[D] or dates, NaT where absent) is the date by which the
    forecast made at `times[i]` (UTC, in the order made) was `levels[j]` sure. One
    forecast is drawn as a horizontal bar of its quantiles on a date axis; several as
    bands (10–90%, and 5–95% and 25–75% when given) around the median, over the time
    the forecasts were made. `actual` (the date it happened) and `resolve_by` are
    marked; forecasts after `known_at` are late and left out of the bands.
    """
    if not len(times) or not len(levels):
        return placeholder_svg("No forecast to chart yet", height=DATE_CHART_HEIGHT)
    now = now or datetime.now(UTC)
    t = naive_utc(times)
    end = naive_utc([known_at])[0] if known_at else naive_utc([now])[0]
    days = drawable(days, "D")
    on_time = [i for i, when in enumerate(t) if when <= end]
    if len(on_time) <= 1:
        row = days[on_time[0]] if on_time else days[-1]
        made = t[on_time[0]] if on_time else t[-1]
        return render(_date_bar, list(levels), row, actual, resolve_by, made, tz)
    return render(
        _date_fan,
        t,
        list(levels),
        days,
        naive_utc([known_at])[0] if known_at else None,
        actual,
        resolve_by,
        naive_utc(evidence_times),
        naive_utc([now])[0],
        tz,
    )
