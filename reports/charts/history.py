"""One prediction's forecasts over time: the yes/no probability line and one step
line per option of a multiple-choice prediction, with the time-axis helpers they share."""

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
    GREEN,
    GRID,
    INK,
    LEGEND_ROW,
    MUTED,
    ORANGE,
    VERMILLION,
    WIDTH,
    drawable,
    figure,
    forecast_marks,
    legend_above,
    percent_axis,
    placeholder_svg,
    render,
)

PLOT_HEIGHT = 150  # pixels of the plot area, under a legend that grows with its entries
LEGEND_TOP = 12 + 2 * LEGEND_ROW  # yes/no: at most four entries, two a row
BINARY_HEIGHT = PLOT_HEIGHT + LEGEND_TOP + 40


def _history(times, probs, known_at, outcome, evidence_times, now, tz, community=None) -> Figure:
    fig, margins = figure(WIDTH, BINARY_HEIGHT, left=76, right=14, top=LEGEND_TOP, bottom=40)
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    t = np.asarray(times, dtype="datetime64[us]")
    p = np.asarray(probs, dtype=float)
    end = np.datetime64(known_at or now, "us")
    late = t > end
    line_t = np.append(t[~late], end) if (~late).any() else t
    line_p = np.append(p[~late], p[~late][-1]) if (~late).any() else p
    ax.step(line_t, line_p, where="post", color=BLUE, linewidth=2, label="Forecast")
    forecast_marks(ax, t, p, late, late_label="Late (not scored)")
    if community is not None and len(community[0]):
        c_t = np.asarray(community[0], dtype="datetime64[us]")
        c_p = np.asarray(community[1], dtype=float)
        on_time = c_t <= end
        if on_time.any():
            c_line_t = np.append(c_t[on_time], end)
            c_line_p = np.append(c_p[on_time], c_p[on_time][-1])
            ax.step(
                c_line_t,
                c_line_p,
                where="post",
                color=ORANGE,
                linestyle=DASHED,
                linewidth=1.6,
                label="Community",
            )
    if known_at is not None:
        result = {1: "YES", 0: "NO"}.get(outcome, "")
        ax.axvline(
            end,
            color=VERMILLION,
            linestyle=DASHED,
            linewidth=1.4,
            label=f"Outcome known{': ' + result if result else ''}",
        )
        if outcome in (0, 1):
            ax.plot([end], [outcome], "D", color=VERMILLION, markersize=6)
    span = t if community is None else np.append(t, np.asarray(community[0], "datetime64[us]"))
    _finish_probability_axes(ax, span, end, evidence_times, tz, ylabel="P(YES)")
    return fig


def _finish_probability_axes(
    ax, t, end, evidence_times, tz, *, ylabel: str, ncols: int = 2
) -> None:
    """The shared frame of the per-prediction probability charts: 0–100% axis, time
    axis spanning forecasts, evidence and the outcome, grid and legend."""
    evidence_lines(ax, evidence_times)
    ax.set_ylim(-0.04, 1.04)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    percent_axis(ax.yaxis)
    time_span(ax, t, end, evidence_times)
    time_axis(ax, tz)
    ax.set_ylabel(ylabel)
    ax.grid(True, color=GRID, linewidth=0.6)
    legend_above(ax, ncols=ncols)


def prediction_svg(
    *,
    times: Sequence,
    probs: Sequence[float],
    known_at: datetime | None = None,
    outcome: int | None = None,
    evidence_times: Sequence = (),
    now: datetime | None = None,
    tz=None,
    empty_message: str = "No forecast to chart yet",
    community: tuple[Sequence, Sequence[float]] | None = None,
) -> bytes:
    """A prediction's probability of YES over time as a step line.

    `times` are UTC datetimes (or datetime64) of the binary forecasts in the order made;
    `known_at` (None while open) marks when the outcome became known, with `outcome`
    (1 YES, 0 NO) drawn there; forecasts after it are marked late. `evidence_times`
    marks when evidence was linked; `now` ends the line of an open prediction; `tz`
    labels the axis in the owner's time zone; `empty_message` is shown without forecasts.
    `community` (times, probabilities) is the community forecast's history of a shared
    question, drawn dashed beside the forecaster's own line.
    """
    if not len(times):
        return placeholder_svg(empty_message, height=BINARY_HEIGHT)
    now = now or datetime.now(UTC)
    return render(
        _history,
        naive_utc(times),
        probs,
        naive_utc([known_at])[0] if known_at else None,
        outcome,
        naive_utc(evidence_times),
        naive_utc([now])[0],
        tz,
        (naive_utc(community[0]), community[1]) if community is not None else None,
    )


def naive_utc(values) -> list:
    """UTC datetime64 values (numpy keeps no time zone), clamped to what an axis draws."""
    out = []
    for value in values:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        out.append(np.datetime64(value, "us"))
    return list(drawable(out))


# --- Multiple choice: one step line per option ---------------------------------------

# Okabe–Ito without its yellow (too pale on white); green comes late because evidence
# lines are green.
PALETTE = [BLUE, VERMILLION, ORANGE, "#CC79A7", "#56B4E9", INK, GREEN, "#882255"]
LINE_STYLES = ["-", DASHED, DOTTED, "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (8, 2))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p"]
LABEL_CHARS = 28
COMMUNITY = {"linestyle": DASHED, "linewidth": 1.0, "alpha": 0.55}


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def choice_chart_height(n_options: int, *, community: bool = False) -> int:
    """The multiple-choice chart's height in pixels: a plot of PLOT_HEIGHT under a
    legend row per option (and the outcome, late and evidence entries, and the
    community's when it is drawn)."""
    return PLOT_HEIGHT + 52 + LEGEND_ROW * (n_options + 3 + int(community))


def time_axis(ax, tz) -> None:
    locator = mdates.AutoDateLocator(tz=tz, minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))


def evidence_lines(ax, evidence_times) -> None:
    """Dotted verticals where evidence was linked: distinct from the dashed outcome line
    without relying on colour."""
    for i, when in enumerate(np.asarray(evidence_times, dtype="datetime64[us]")):
        ax.axvline(
            when,
            color=GREEN,
            linestyle=DOTTED,
            linewidth=1.6,
            label="Evidence linked" if i == 0 else None,
        )


def time_span(ax, times, end, evidence_times) -> None:
    span = [*times, end, *np.asarray(evidence_times, dtype="datetime64[us]")]
    lo, hi = min(span), max(span)
    pad = max((hi - lo) * 0.04, np.timedelta64(1, "h"))
    ax.set_xlim(lo - pad, hi + pad)


def _choices(
    times, labels, probs, known_at, winner, evidence_times, now, tz, community=None
) -> Figure:
    height = choice_chart_height(len(labels), community=community is not None)
    fig, margins = figure(
        WIDTH, height, left=76, right=14, top=height - PLOT_HEIGHT - 40, bottom=40
    )
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    t = np.asarray(times, dtype="datetime64[us]")
    probs = np.asarray(probs, dtype=float)
    end = np.datetime64(known_at or now, "us")
    late = t > end
    on_time = ~late
    for j, label in enumerate(labels):
        won = winner == j
        name = _short(label) + (" (won)" if won else "")
        style = {
            "color": PALETTE[j % len(PALETTE)],
            "linestyle": LINE_STYLES[j % len(LINE_STYLES)],
            "linewidth": 2.6 if won else 1.6,
        }
        if on_time.any():
            line_t = np.append(t[on_time], end)
            line_p = np.append(probs[on_time, j], probs[on_time, j][-1])
            ax.step(line_t, line_p, where="post", **style)
            ax.plot(
                t[on_time],
                probs[on_time, j],
                linestyle="none",
                marker=MARKERS[j % len(MARKERS)],
                markersize=5,
                color=style["color"],
                markerfacecolor="white",
                markeredgewidth=1.4,
            )
        # A proxy carries both line style and marker into the legend.
        ax.plot(
            [], [], marker=MARKERS[j % len(MARKERS)], markerfacecolor="white", label=name, **style
        )
    if community is not None:
        _community_choices(ax, community, end, len(labels))
    if late.any():
        ax.plot(
            np.repeat(t[late], probs.shape[1]),
            probs[late].ravel(),
            "x",
            color=MUTED,
            markersize=6,
            markeredgewidth=1.3,
            label="Late (not scored)",
        )
    if known_at is not None:
        ax.axvline(end, color=INK, linestyle=DASHED, linewidth=1.2, label="Outcome known")
        if winner is not None:
            ax.plot([end], [1], "*", color=PALETTE[winner % len(PALETTE)], markersize=11)
    span = t if community is None else np.append(t, np.asarray(community[0], "datetime64[us]"))
    _finish_probability_axes(ax, span, end, evidence_times, tz, ylabel="Probability", ncols=1)
    return fig


def _community_choices(ax, community, end, n_options: int) -> None:
    """The community forecast's history: a thin, pale step line per option in the
    option's colour, with one legend entry for all."""
    c_t = np.asarray(community[0], dtype="datetime64[us]")
    c_p = np.asarray(community[1], dtype=float).reshape(len(c_t), n_options)
    on_time = c_t <= end
    if on_time.any():
        line_t = np.append(c_t[on_time], end)
        for j in range(n_options):
            line_p = np.append(c_p[on_time, j], c_p[on_time, j][-1])
            ax.step(line_t, line_p, where="post", color=PALETTE[j % len(PALETTE)], **COMMUNITY)
    ax.plot([], [], color=MUTED, label="Community (thin pale lines)", **COMMUNITY)


def choice_svg(
    *,
    times: Sequence,
    labels: Sequence[str],
    probs,
    known_at: datetime | None = None,
    winner: int | None = None,
    evidence_times: Sequence = (),
    now: datetime | None = None,
    tz=None,
    community: tuple[Sequence, Sequence] | None = None,
) -> bytes:
    """A multiple-choice prediction over time: one step line per option.

    `probs[i][j]` is what the forecast made at `times[i]` (UTC, in the order made) gave
    option `labels[j]` (user text, drawn as text and shortened to 28 characters in the
    legend). Options differ in colour, line style and marker; `winner` (an index) is
    drawn thicker, named "(won)" and starred where the outcome became known. Forecasts
    after `known_at` are marked late; `evidence_times` mark linked evidence.
    `community` (times, probabilities per option) is the community forecast's history
    of a shared question, drawn as thin pale lines in the options' colours.
    """
    if not len(times) or not len(labels):
        return placeholder_svg("No forecast to chart yet", height=BINARY_HEIGHT)
    now = now or datetime.now(UTC)
    return render(
        _choices,
        naive_utc(times),
        [str(label) for label in labels],
        probs,
        naive_utc([known_at])[0] if known_at else None,
        winner,
        naive_utc(evidence_times),
        naive_utc([now])[0],
        tz,
        (naive_utc(community[0]), community[1]) if community is not None else None,
    )
