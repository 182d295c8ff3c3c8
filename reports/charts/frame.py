"""The charts' shared frame: house style (fonts, colours, deterministic SVG), the
rendering lock, placeholders, figure margins and axes drawn directly.

Each chart function of this package takes plain numbers (no Django) and returns a
complete SVG document. Output is deterministic (fixed hash salt, no date), text from
users is never read as mathtext and is XML-escaped by matplotlib, and colour is never
the only signal: each series also differs in line style or marker. The palette is
Okabe–Ito (colour-blind safe). Rendering holds a lock because matplotlib's rcParams
are process-global.
"""

from __future__ import annotations

import io
import logging
import textwrap
import threading
import warnings
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import offset_copy

from reports.scoring.timestamps import READABLE

BLUE, ORANGE, VERMILLION, GREEN = "#0072B2", "#E69F00", "#D55E00", "#009E73"
INK, MUTED, GRID = "#1c2430", "#5b6675", "#d8dee6"
DASHED = (0, (4, 3))
DOTTED = (0, (1, 2))

# Fonts that can draw most of what people type; only installed ones are listed, so
# matplotlib never warns about a missing family. DejaVu Sans ships with matplotlib.
_WANTED_FONTS = ["DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji"]
_INSTALLED = {f.name for f in fontManager.ttflist}
FONTS = [name for name in _WANTED_FONTS if name in _INSTALLED] or ["DejaVu Sans"]

# Readable on a 375 px phone, where an image is shown about 300 px wide: every chart is
# WIDTH pixels wide (100 dpi) and its smallest text TEXT_PT points, so text renders at
# TEXT_PT / 72 * 100 * 300 / WIDTH ≈ 11.5 px there (and at 15 px on a wide screen).
# tests/e2e/test_dashboard.py measures it in the browser.
WIDTH = 400
TEXT_PT = 11
LEGEND_ROW = 20  # pixels a legend row takes at TEXT_PT

RC: dict[Any, Any] = {  # matplotlib types its keys as literals
    "svg.hashsalt": "falsifiable",  # stable ids, so identical data gives identical bytes
    # Text stays text: the browser draws it with the fonts below or its own sans-serif,
    # which covers scripts and emoji that no bundled font has (glyph outlines drew boxes),
    # at a third of the size and three quarters of the rendering time. Positions and
    # alignment (text-anchor) are computed with DejaVu Sans metrics.
    "svg.fonttype": "none",
    "text.usetex": False,
    "text.parse_math": False,  # "$5 vs $10" is text, never mathtext
    "font.family": [*FONTS, "sans-serif"],
    "font.size": TEXT_PT,
    "legend.fontsize": TEXT_PT,
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


def render(draw, *args, **kwargs) -> bytes:
    """Runs `draw(*args, **kwargs) -> Figure` under the house style and returns SVG."""
    with _LOCK, matplotlib.rc_context(RC), warnings.catch_warnings():
        # A glyph no installed font has is drawn as a box; that is not worth a warning.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        return _svg(draw(*args, **kwargs))


def placeholder_svg(message: str, *, width: int = WIDTH, height: int = 120) -> bytes:
    """A plain SVG saying why there is no chart (no data yet); never fails. The message
    is wrapped to the width, in text as large as the charts' smallest."""
    font = round(TEXT_PT / 72 * 100)
    lines = textwrap.wrap(message, max(12, int(width / (0.55 * font)))) or [""]
    top = height / 2 - (len(lines) - 1) * font * 0.6
    tspans = "".join(
        f'<tspan x="{width // 2}" y="{top + i * font * 1.2:.0f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    label = escape(message, {'"': "&quot;"})
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" '
        f'fill="#f6f8fa" stroke="{GRID}" stroke-dasharray="6 4"/>'
        f'<text text-anchor="middle" dominant-baseline="middle" '
        f'font-family="system-ui, sans-serif" font-size="{font}" fill="{MUTED}">{tspans}</text>'
        f"</svg>"
    ).encode()


def drawable(values, unit: str = "us") -> np.ndarray:
    """Dates ("D") or naive UTC instants ("us") as datetime64 a time axis can draw: a
    stored year 1 or 9999 is clamped to the readable range (timestamps.READABLE), so
    that the margins an axis adds stay inside matplotlib's calendar. NaT stays NaT."""
    array = np.asarray(values, dtype=f"datetime64[{unit}]")
    lo, hi = (edge.astype(f"datetime64[{unit}]") for edge in READABLE)
    return np.where(np.isnat(array), array, np.clip(array, lo, hi))


def legend_above(ax, *, ncols: int = 1) -> None:
    """The legend in the figure's top margin, from its left edge (LEGEND_ROW pixels a
    row): beside the plot it would leave no room on a phone."""
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.01, 0.99),
        bbox_transform=ax.figure.transFigure,
        ncols=ncols,
        borderaxespad=0,
        handlelength=1.6,
        columnspacing=1.0,
        labelspacing=0.3,
    )


def percent_axis(axis) -> None:
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def figure(width: int, height: int, *, left: int, right: int, top: int, bottom: int):
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
    locator = MaxNLocator(n, steps=[1, 2, 2.5, 5, 10], integer=integer)
    values = np.asarray(locator.tick_values(0, high), dtype=float)
    return values[(values >= 0) & (values <= high * (1 + 1e-9))]


def direct_axis(
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


def axis_label(ax, which: str, text: str, *, offset: float) -> None:
    """An axis label `offset` pixels from the spine (left of y, below x)."""
    box = ax.get_position()
    fig_w, fig_h = (size * ax.figure.dpi for size in ax.figure.get_size_inches())
    if which == "y":
        ax.set_ylabel(text)
        ax.yaxis.set_label_coords(-offset / (box.width * fig_w), 0.5)
    else:
        ax.set_xlabel(text)
        ax.xaxis.set_label_coords(0.5, -offset / (box.height * fig_h))


def percent_labels(values) -> list[str]:
    return [f"{v:.0%}" for v in values]


def decimal_labels(values) -> list[str]:
    return [f"{v:.2f}" for v in values]


def forecast_marks(ax, t, values, late, *, late_label: str) -> None:
    """Forecasts as open circles and late ones (made after the outcome was known, never
    scored) as grey crosses, on a chart whose line already shows the counting ones."""
    ax.plot(
        t[~late],
        values[~late],
        "o",
        color=BLUE,
        markersize=5,
        markerfacecolor="white",
        markeredgewidth=1.5,
    )
    if late.any():
        ax.plot(
            t[late],
            values[late],
            "x",
            color=MUTED,
            markersize=7,
            markeredgewidth=1.5,
            label=late_label,
        )
