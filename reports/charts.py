"""Charts as SVG bytes, drawn with matplotlib Figure objects (never pyplot).

Each function takes plain numbers (no Django) and returns a complete SVG document.
Output is deterministic (fixed hash salt, no date), text from users is never read as
mathtext and is XML-escaped by matplotlib, and colour is never the only signal: each
series also differs in line style or marker. The palette is Okabe–Ito (colour-blind
safe). Rendering holds a lock because matplotlib's rcParams are process-global.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import offset_copy

BLUE, ORANGE, VERMILLION, GREEN = "#0072B2", "#E69F00", "#D55E00", "#009E73"
INK, MUTED, GRID = "#1c2430", "#5b6675", "#d8dee6"
DASHED = (0, (4, 3))
DOTTED = (0, (1, 2))

# Fonts that can draw most of what people type; only installed ones are listed, so
# matplotlib never warns about a missing family. DejaVu Sans ships with matplotlib.
_WANTED_FONTS = ["DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji"]
_INSTALLED = {f.name for f in fontManager.ttflist}
FONTS = [name for name in _WANTED_FONTS if name in _INSTALLED] or ["DejaVu Sans"]

RC = {
    "svg.hashsalt": "falsifiable",  # stable ids, so identical data gives identical bytes
    # Text stays text: the browser draws it with the fonts below or its own sans-serif,
    # which covers scripts and emoji that no bundled font has (glyph outlines drew boxes),
    # at a third of the size and three quarters of the rendering time. Positions and
    # alignment (text-anchor) are computed with DejaVu Sans metrics.
    "svg.fonttype": "none",
    "text.usetex": False,
    "text.parse_math": False,  # "$5 vs $10" is text, never mathtext
    "font.family": [*FONTS, "sans-serif"],
    "font.size": 10,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.frameon": False,
    "path.simplify": True,
}
_LOCK = threading.Lock()


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _render(draw, *args, **kwargs) -> bytes:
    """Runs `draw(*args, **kwargs) -> Figure` under the house style and returns SVG."""
    with _LOCK, matplotlib.rc_context(RC), warnings.catch_warnings():
        # A glyph no installed font has is drawn as a box; that is not worth a warning.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        return _svg(draw(*args, **kwargs))


def placeholder_svg(message: str, *, width: int = 720, height: int = 160) -> bytes:
    """A plain SVG saying why there is no chart (no data yet); never fails."""
    text = escape(message)
    label = escape(message, {'"': "&quot;"})
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" '
        f'fill="#f6f8fa" stroke="{GRID}" stroke-dasharray="6 4"/>'
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" '
        f'dominant-baseline="middle" font-family="system-ui, sans-serif" font-size="16" '
        f'fill="{MUTED}">{text}</text></svg>'
    ).encode()


def _percent_axis(axis) -> None:
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _figure(width: int, height: int, *, left: int, right: int, top: int, bottom: int):
    """A Figure of width × height pixels (100 dpi) and the plot area's margins as the
    fractions subplots_adjust wants. Fixed margins instead of a layout engine: layout
    engines re-measure every text several times, which doubles the rendering time."""
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    margins = {
        "left": left / width,
        "right": 1 - right / width,
        "top": 1 - top / height,
        "bottom": bottom / height,
    }
    return fig, margins


# --- Axes drawn directly -----------------------------------------------------------
#
# A matplotlib tick is five artists (two marks, two labels, a grid line) built by deep
# copy, and creating and measuring them is most of the cost of an otherwise simple chart.
# The dashboard's charts have fixed, known ticks, so they draw the same marks, labels
# and grid lines as three artists per axis (marks as one marker line, grid lines as one
# LineCollection) plus a text per label.

TICK_SIZE = 3.5  # points, matplotlib's default major tick length
TICK_PAD = 3.5  # points between a tick mark and its label


def nice_ticks(high: float, n: int = 6, *, integer: bool = False) -> np.ndarray:
    """Round tick values from 0 to at most `high`, as matplotlib's AutoLocator would
    choose them."""
    values = MaxNLocator(n, steps=[1, 2, 2.5, 5, 10], integer=integer).tick_values(0, high)
    return values[(values >= 0) & (values <= high * (1 + 1e-9))]


def _direct_axis(
    ax, which: str, values, labels=None, *, grid: bool = True, marks: bool = True
) -> None:
    """Ticks of `ax`'s x or y axis at `values`: marks outside the spine, `labels` (None:
    no labels) and grid lines across the plot, without matplotlib's tick machinery."""
    values = np.asarray(values, dtype=float)
    fig = ax.figure
    if which == "x":
        ax.set_xticks([])
        trans = ax.get_xaxis_transform()  # x in data, y in axes fraction
        lines = [[(v, 0), (v, 1)] for v in values]
        mark_xy, marker = (values, np.zeros(len(values))), 3  # TICKDOWN
        at = offset_copy(trans, fig=fig, y=-(TICK_SIZE + TICK_PAD), units="points")
        place = {"ha": "center", "va": "top"}
    else:
        ax.set_yticks([])
        trans = ax.get_yaxis_transform()  # x in axes fraction, y in data
        lines = [[(0, v), (1, v)] for v in values]
        mark_xy, marker = (np.zeros(len(values)), values), 0  # TICKLEFT
        at = offset_copy(trans, fig=fig, x=-(TICK_SIZE + TICK_PAD), units="points")
        place = {"ha": "right", "va": "center_baseline"}
    if grid:
        ax.add_collection(
            LineCollection(lines, transform=trans, colors=GRID, linewidths=0.6, zorder=0.5),
            autolim=False,
        )
    if marks:
        ax.plot(
            *mark_xy,
            linestyle="none",
            marker=marker,
            markersize=TICK_SIZE,
            markeredgewidth=0.8,
            color=MUTED,
            transform=trans,
            clip_on=False,
        )
    for value, label in zip(values, labels if labels is not None else [], strict=False):
        ax.text(
            value if which == "x" else 0,
            0 if which == "x" else value,
            label,
            transform=at,
            color=INK,
            **place,
        )


def _axis_label(ax, which: str, text: str, *, offset: float) -> None:
    """An axis label `offset` pixels from the spine (left of y, below x)."""
    box = ax.get_position()
    fig_w, fig_h = (size * ax.figure.dpi for size in ax.figure.get_size_inches())
    if which == "y":
        ax.set_ylabel(text)
        ax.yaxis.set_label_coords(-offset / (box.width * fig_w), 0.5)
    else:
        ax.set_xlabel(text)
        ax.xaxis.set_label_coords(0.5, -offset / (box.height * fig_h))


def _percent_labels(values) -> list[str]:
    return [f"{v:.0%}" for v in values]


def _decimal_labels(values) -> list[str]:
    return [f"{v:.2f}" for v in values]


# --- Reliability diagram -------------------------------------------------------------


def _reliability(x, recalibrated, lower, upper, buckets, histogram, histogram_edges) -> Figure:
    fig, margins = _figure(720, 640, left=72, right=18, top=58, bottom=52)
    grid = fig.add_gridspec(2, 1, height_ratios=(3.2, 1), hspace=0.08, **margins)
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)
    top.tick_params(labelbottom=False)
    top.plot(
        [0, 1], [0, 1], color=MUTED, linestyle=DASHED, linewidth=1, label="Perfect calibration"
    )
    x = np.asarray(x, dtype=float)
    # Steps run to the next distinct forecast value; the last one is extended a little so
    # that a single value (or the top step) is visible.
    xs = np.append(x, x[-1] + 0.015) if len(x) else x
    band_lo, band_hi, recal = (
        np.append(a, a[-1]) if len(a) else a for a in (lower, upper, recalibrated)
    )
    top.fill_between(
        xs,
        band_lo,
        band_hi,
        step="post",
        color=BLUE,
        alpha=0.18,
        linewidth=0,
        label="90% consistency band",
    )
    top.step(xs, recal, where="post", color=VERMILLION, linewidth=2.2, label="CORP recalibrated")
    filled = [b for b in buckets if b["count"]]
    if filled:
        mx = np.array([b["mean_forecast"] for b in filled])
        my = np.array([b["observed"] for b in filled])
        err = np.array(
            [
                [b["observed"] - b["low"] for b in filled],
                [b["high"] - b["observed"] for b in filled],
            ]
        )
        top.errorbar(
            mx,
            my,
            yerr=np.clip(err, 0, None),
            fmt="o",
            color=INK,
            markerfacecolor="white",
            markeredgewidth=1.5,
            markersize=6,
            capsize=3,
            elinewidth=1,
            label="Bucket (95% Wilson interval)",
        )
    top.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
    top.set_aspect("auto")
    steps = np.linspace(0, 1, 6)
    _direct_axis(top, "y", steps, _percent_labels(steps))
    _direct_axis(top, "x", steps)  # grid and marks; the labels are under the histogram
    _axis_label(top, "y", "Observed frequency", offset=52)
    top.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=9, ncols=2)

    edges = np.asarray(histogram_edges, dtype=float)
    # One filled step patch rather than a Rectangle per bin.
    bottom.stairs(histogram, edges, fill=True, facecolor=GRID, edgecolor=MUTED, linewidth=0.6)
    highest = max(1, int(np.max(histogram)) if len(histogram) else 1)
    bottom.set_ylim(0, highest * 1.05)
    counts = nice_ticks(highest, 3, integer=True)
    _direct_axis(bottom, "y", counts, [f"{v:.0f}" for v in counts], grid=False)
    _direct_axis(bottom, "x", steps, _percent_labels(steps), grid=False)
    _axis_label(bottom, "y", "Predictions", offset=52)
    _axis_label(bottom, "x", "Forecast probability (final forecast)", offset=30)
    return fig


def reliability_svg(
    *, x, recalibrated, lower, upper, buckets: Sequence[dict], histogram, histogram_edges
) -> bytes:
    """CORP reliability diagram over a histogram of the forecasts.

    `x`, `recalibrated`, `lower`, `upper`: the CORP fit and its consistency band per
    distinct forecast value (scoring.Reliability); `buckets`: dicts with count,
    mean_forecast, observed, low, high (0–1) drawn as points with Wilson intervals;
    `histogram`/`histogram_edges`: counts of final forecasts per bin.
    """
    if not len(x):
        return placeholder_svg("No scored predictions to draw yet")
    return _render(_reliability, x, recalibrated, lower, upper, buckets, histogram, histogram_edges)


# --- Brier by group (month, tag) -----------------------------------------------------


def _reference_line(ax, *, vertical: bool) -> None:
    draw = ax.axvline if vertical else ax.axhline
    draw(0.25, color=MUTED, linestyle=DASHED, linewidth=1, label="0.25: always saying 50%")


def _bars(ax, positions, values, *, width: float, horizontal: bool = False, **style):
    """Bars as one PolyCollection: one artist instead of a Rectangle per bar, which is
    most of the cost of a bar chart's rendering."""
    half = width / 2
    verts = [
        [(p - half, 0), (p - half, v), (p + half, v), (p + half, 0)]
        for p, v in zip(positions, values, strict=True)
    ]
    if horizontal:
        verts = [[(v, p) for p, v in rect] for rect in verts]
    return ax.add_collection(PolyCollection(verts, edgecolors="none", **style))


def _value_labels(ax, positions, values, texts, *, horizontal: bool = False) -> None:
    """A small text at the end of each bar (what Axes.bar_label draws, without its
    per-label bookkeeping)."""
    if horizontal:
        at = offset_copy(ax.transData, fig=ax.figure, x=3, units="points")
        for p, v, text in zip(positions, values, texts, strict=True):
            ax.text(v, p, text, transform=at, ha="left", va="center", fontsize=8, color=INK)
    else:
        at = offset_copy(ax.transData, fig=ax.figure, y=2, units="points")
        for p, v, text in zip(positions, values, texts, strict=True):
            ax.text(p, v, text, transform=at, ha="center", va="bottom", fontsize=8, color=INK)


def _category_labels(ax, positions, labels, *, horizontal: bool = False, rotate=False) -> None:
    """Category names beside the axis as plain texts instead of tick labels: a tick is
    five artists and a deep copy each, and bar charts need no tick marks."""
    if horizontal:
        ax.set_yticks([])
        at = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=-4, units="points")
        for p, label in zip(positions, labels, strict=True):
            ax.text(0, p, label, transform=at, ha="right", va="center", color=INK)
    else:
        ax.set_xticks([])
        at = offset_copy(ax.get_xaxis_transform(), fig=ax.figure, y=-4, units="points")
        for p, label in zip(positions, labels, strict=True):
            ax.text(
                p,
                0,
                label,
                transform=at,
                ha="right" if rotate else "center",
                va="top",
                rotation=45 if rotate else 0,
                rotation_mode="anchor" if rotate else "default",
                color=INK,
            )


def _months(labels, counts, briers) -> Figure:
    fig, margins = _figure(720, 360, left=72, right=16, top=40, bottom=72)
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    positions = np.arange(len(labels))
    _bars(ax, positions, briers, width=0.7, facecolors=BLUE, label="Mean Brier (final forecast)")
    _value_labels(ax, positions, briers, [f"n={c}" for c in counts])
    _reference_line(ax, vertical=False)
    _category_labels(ax, positions, labels, rotate=len(labels) > 8)
    top = max(0.3, float(np.max(briers)) * 1.18)
    ax.set(xlim=(-0.6, len(labels) - 0.4), ylim=(0, top))
    ticks = nice_ticks(top, 7)
    _direct_axis(ax, "y", ticks, _decimal_labels(ticks))
    _axis_label(ax, "y", "Mean Brier score (0–1, lower is better)", offset=46)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=9, ncols=2)
    return fig


def month_svg(*, labels: Sequence[str], counts: Sequence[int], briers: Sequence[float]) -> bytes:
    """Bar chart of mean Brier per resolution month, each bar labelled with its count."""
    if not len(labels):
        return placeholder_svg("No resolved predictions in this period")
    return _render(_months, list(labels), list(counts), list(briers))


def tag_chart_height(n: int) -> int:
    """The tag chart's height in pixels for n bars (100 dpi)."""
    return 90 + 34 * max(n, 1)


def _tags(labels, counts, briers) -> Figure:
    short = [label if len(label) <= 28 else label[:27] + "…" for label in labels]
    # Room for the longest label at about 8.5 px a character (10 pt DejaVu Sans).
    left = min(320, 24 + round(8.5 * max(len(label) for label in short)))
    fig, margins = _figure(
        720, tag_chart_height(len(labels)), left=left, right=56, top=40, bottom=50
    )
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    positions = np.arange(len(labels))
    _bars(
        ax,
        positions,
        briers,
        width=0.65,
        horizontal=True,
        facecolors=ORANGE,
        label="Mean Brier (final forecast)",
    )
    _value_labels(ax, positions, briers, [f"n={c}" for c in counts], horizontal=True)
    _reference_line(ax, vertical=True)
    _category_labels(ax, positions, short, horizontal=True)
    right = max(0.3, float(np.max(briers)) * 1.2)
    # y reversed: the most-used tag on top, as in the table.
    ax.set(xlim=(0, right), ylim=(len(labels) - 0.4, -0.6))
    ticks = nice_ticks(right, 7)
    _direct_axis(ax, "x", ticks, [f"{v:.1f}" for v in ticks])
    _axis_label(ax, "x", "Mean Brier score (0–1, lower is better)", offset=28)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=9, ncols=2)
    return fig


def tag_svg(*, labels: Sequence[str], counts: Sequence[int], briers: Sequence[float]) -> bytes:
    """Horizontal bars of mean Brier per tag (labels are user text), with counts."""
    if not len(labels):
        return placeholder_svg("No tagged predictions among these")
    return _render(_tags, list(labels), list(counts), list(briers))


# --- One prediction over time --------------------------------------------------------


def _history(times, probs, known_at, outcome, evidence_times, now, tz) -> Figure:
    fig, margins = _figure(640, 220, left=78, right=168, top=12, bottom=46)
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    t = np.asarray(times, dtype="datetime64[us]")
    p = np.asarray(probs, dtype=float)
    end = np.datetime64(known_at or now, "us")
    late = t > end
    line_t = np.append(t[~late], end) if (~late).any() else t
    line_p = np.append(p[~late], p[~late][-1]) if (~late).any() else p
    ax.step(line_t, line_p, where="post", color=BLUE, linewidth=2, label="Forecast")
    ax.plot(
        t[~late],
        p[~late],
        "o",
        color=BLUE,
        markersize=5,
        markerfacecolor="white",
        markeredgewidth=1.5,
    )
    if late.any():
        ax.plot(
            t[late],
            p[late],
            "x",
            color=MUTED,
            markersize=7,
            markeredgewidth=1.5,
            label="Late (not scored)",
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
    _finish_probability_axes(ax, t, end, evidence_times, tz, ylabel="P(YES)")
    return fig


def _finish_probability_axes(ax, t, end, evidence_times, tz, *, ylabel: str) -> None:
    """The shared frame of the per-prediction probability charts: 0–100% axis, time
    axis spanning forecasts, evidence and the outcome, grid and legend."""
    _evidence_lines(ax, evidence_times)
    ax.set_ylim(-0.04, 1.04)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    _percent_axis(ax.yaxis)
    _time_span(ax, t, end, evidence_times)
    _time_axis(ax, tz)
    ax.set_ylabel(ylabel)
    ax.grid(True, color=GRID, linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


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
) -> bytes:
    """A prediction's probability of YES over time as a step line.

    `times` are UTC datetimes (or datetime64) of the binary forecasts in the order made;
    `known_at` (None while open) marks when the outcome became known, with `outcome`
    (1 YES, 0 NO) drawn there; forecasts after it are marked late. `evidence_times`
    marks when evidence was linked; `now` ends the line of an open prediction; `tz`
    labels the axis in the owner's time zone; `empty_message` is shown without forecasts.
    """
    if not len(times):
        return placeholder_svg(empty_message, width=640, height=220)
    now = now or datetime.now(UTC)
    return _render(
        _history,
        _naive_utc(times),
        probs,
        _naive_utc([known_at])[0] if known_at else None,
        outcome,
        _naive_utc(evidence_times),
        _naive_utc([now])[0],
        tz,
    )


def _naive_utc(values) -> list:
    """UTC datetime64 values (numpy keeps no time zone)."""
    out = []
    for value in values:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        out.append(np.datetime64(value, "us"))
    return out


# --- Multiple choice: one step line per option ---------------------------------------

# Okabe–Ito without its yellow (too pale on white); green comes late because evidence
# lines are green.
PALETTE = [BLUE, VERMILLION, ORANGE, "#CC79A7", "#56B4E9", INK, GREEN, "#882255"]
LINE_STYLES = ["-", DASHED, DOTTED, "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (8, 2))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p"]
LABEL_CHARS = 28


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def choice_chart_height(n_options: int) -> int:
    """The multiple-choice chart's height in pixels: room for a legend entry per option
    (and the outcome, late and evidence entries)."""
    return max(220, 58 + 17 * (n_options + 3))


def _time_axis(ax, tz) -> None:
    locator = mdates.AutoDateLocator(tz=tz, minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))


def _evidence_lines(ax, evidence_times) -> None:
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


def _time_span(ax, times, end, evidence_times) -> None:
    span = [*times, end, *np.asarray(evidence_times, dtype="datetime64[us]")]
    lo, hi = min(span), max(span)
    pad = max((hi - lo) * 0.04, np.timedelta64(1, "h"))
    ax.set_xlim(lo - pad, hi + pad)


def _choices(times, labels, probs, known_at, winner, evidence_times, now, tz) -> Figure:
    height = choice_chart_height(len(labels))
    fig, margins = _figure(640, height, left=78, right=244, top=12, bottom=46)
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
    _finish_probability_axes(ax, t, end, evidence_times, tz, ylabel="Probability")
    return fig


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
) -> bytes:
    """A multiple-choice prediction over time: one step line per option.

    `probs[i][j]` is what the forecast made at `times[i]` (UTC, in the order made) gave
    option `labels[j]` (user text, drawn as text and shortened to 28 characters in the
    legend). Options differ in colour, line style and marker; `winner` (an index) is
    drawn thicker, named "(won)" and starred where the outcome became known. Forecasts
    after `known_at` are marked late; `evidence_times` mark linked evidence.
    """
    if not len(times) or not len(labels):
        return placeholder_svg("No forecast to chart yet", width=640, height=220)
    now = now or datetime.now(UTC)
    return _render(
        _choices,
        _naive_utc(times),
        [str(label) for label in labels],
        probs,
        _naive_utc([known_at])[0] if known_at else None,
        winner,
        _naive_utc(evidence_times),
        _naive_utc([now])[0],
        tz,
    )


# --- Release dates: a fan of quantiles ------------------------------------------------

DATE_CHART_HEIGHT = 260
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
            np.datetime64(resolve_by, "D"),
            color=MUTED,
            linestyle=DOTTED,
            linewidth=1.6,
            label=f"Resolve by {resolve_by:%-d %b %Y}",
        )
    if actual is not None:
        draw(
            np.datetime64(actual, "D"),
            color=VERMILLION,
            linestyle=DASHED,
            linewidth=1.8,
            label=f"Actual date {actual:%-d %b %Y}",
        )


def _date_bar(levels, days, actual, resolve_by, made_at, tz) -> Figure:
    fig, margins = _figure(640, DATE_CHART_HEIGHT, left=24, right=196, top=16, bottom=46)
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
    marks = [np.datetime64(d, "D") for d in (actual, resolve_by) if d is not None]
    lo, hi = min([*known, *marks]), max([*known, *marks])
    pad = max((hi - lo) * 0.05, np.timedelta64(2, "D"))
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel(f"Date (forecast made {np.datetime64(made_at, 'D').item():%-d %b %Y})")
    ax.grid(True, axis="x", color=GRID, linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def _date_fan(times, levels, days, known_at, actual, resolve_by, evidence_times, now, tz):
    fig, margins = _figure(640, DATE_CHART_HEIGHT, left=112, right=196, top=12, bottom=46)
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
        ax.plot(
            t[on],
            days[on, m].astype("datetime64[us]"),
            "o",
            color=BLUE,
            markersize=5,
            markerfacecolor="white",
            markeredgewidth=1.5,
        )
        if late.any():
            ax.plot(
                t[late],
                days[late, m].astype("datetime64[us]"),
                "x",
                color=MUTED,
                markersize=7,
                markeredgewidth=1.5,
                label="Late median (not scored)",
            )
    _date_marks(ax, actual=actual, resolve_by=resolve_by, horizontal=True)
    if known_at is not None:
        ax.axvline(end, color=INK, linestyle=DASHED, linewidth=1.2, label="Outcome known")
    _evidence_lines(ax, evidence_times)
    _time_span(ax, t, end, evidence_times)
    _time_axis(ax, tz)
    known = [d for d in days.ravel() if not np.isnat(d)]
    marks = [np.datetime64(d, "D") for d in (actual, resolve_by) if d is not None]
    lo, hi = min([*known, *marks]), max([*known, *marks])
    pad = max((hi - lo) * 0.06, np.timedelta64(2, "D"))
    ax.set_ylim(lo - pad, hi + pad)
    ylocator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.yaxis.set_major_locator(ylocator)
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%-d %b %Y"))
    ax.set_ylabel("When it happens")
    ax.grid(True, color=GRID, linewidth=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
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
        return placeholder_svg("No forecast to chart yet", width=640, height=DATE_CHART_HEIGHT)
    now = now or datetime.now(UTC)
    t = _naive_utc(times)
    end = _naive_utc([known_at])[0] if known_at else _naive_utc([now])[0]
    days = np.asarray(days, dtype="datetime64[D]")
    on_time = [i for i, when in enumerate(t) if when <= end]
    if len(on_time) <= 1:
        row = days[on_time[0]] if on_time else days[-1]
        made = t[on_time[0]] if on_time else t[-1]
        return _render(_date_bar, list(levels), row, actual, resolve_by, made, tz)
    return _render(
        _date_fan,
        t,
        list(levels),
        days,
        _naive_utc([known_at])[0] if known_at else None,
        actual,
        resolve_by,
        _naive_utc(evidence_times),
        _naive_utc([now])[0],
        tz,
    )
