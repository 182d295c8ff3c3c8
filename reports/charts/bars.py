"""The dashboard's bar charts: mean Brier score by month of resolution and by tag."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from reports.charts.frame import (
    BLUE,
    DASHED,
    INK,
    LEGEND_ROW,
    MUTED,
    ORANGE,
    WIDTH,
    axis_label,
    decimal_labels,
    direct_axis,
    figure,
    legend_above,
    nice_ticks,
    placeholder_svg,
    render,
)

LEGEND_TOP = 20 + 2 * LEGEND_ROW  # the bar and the reference line, one a row
MAX_COUNT_LABELS = 8  # bars labelled with their counts; more would overlap on a phone
MAX_MONTH_LABELS = 12  # month names written; with more months every k-th one
MONTHS_HEIGHT = 300
TAG_CHARS = 18  # a tag's name is shortened to this in the chart (the table has it whole)


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
            ax.text(v, p, text, transform=at, ha="left", va="center", color=INK)
    else:
        at = offset_copy(ax.transData, fig=ax.figure, y=2, units="points")
        for p, v, text in zip(positions, values, texts, strict=True):
            ax.text(p, v, text, transform=at, ha="center", va="bottom", color=INK)


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
    fig, margins = figure(WIDTH, MONTHS_HEIGHT, left=62, right=12, top=LEGEND_TOP, bottom=64)
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    positions = np.arange(len(labels))
    _bars(ax, positions, briers, width=0.7, facecolors=BLUE, label="Mean Brier (final forecast)")
    if len(labels) <= MAX_COUNT_LABELS:
        _value_labels(ax, positions, briers, [f"n={c}" for c in counts])
    _reference_line(ax, vertical=False)
    every = -(-len(labels) // MAX_MONTH_LABELS)  # ceiling division
    shown = positions[::-1][::every][::-1]  # the latest month always named
    _category_labels(ax, shown, [labels[i] for i in shown], rotate=len(labels) > 4)
    top = max(0.3, float(np.max(briers)) * 1.18)
    ax.set(xlim=(-0.6, len(labels) - 0.4), ylim=(0, top))
    ticks = nice_ticks(top, 5)
    direct_axis(ax, "y", ticks, decimal_labels(ticks))
    axis_label(ax, "y", "Mean Brier (lower is better)", offset=46)
    legend_above(ax)
    return fig


def month_svg(*, labels: Sequence[str], counts: Sequence[int], briers: Sequence[float]) -> bytes:
    """Bar chart of mean Brier per resolution month, each bar labelled with its count."""
    if not len(labels):
        return placeholder_svg("No resolved predictions in this period")
    return render(_months, list(labels), list(counts), list(briers))


def tag_chart_height(n: int) -> int:
    """The tag chart's height in pixels for n bars (100 dpi)."""
    return LEGEND_TOP + 50 + 30 * max(n, 1)


def _tags(labels, counts, briers) -> Figure:
    short = [label if len(label) <= TAG_CHARS else label[: TAG_CHARS - 1] + "…" for label in labels]
    # Room for the longest label at about 9 px a character (11 pt DejaVu Sans).
    left = min(190, 20 + 9 * max(len(label) for label in short))
    fig, margins = figure(
        WIDTH, tag_chart_height(len(labels)), left=left, right=52, top=LEGEND_TOP, bottom=50
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
    ticks = nice_ticks(right, 4)
    direct_axis(ax, "x", ticks, [f"{v:.1f}" for v in ticks])
    axis_label(ax, "x", "Mean Brier (lower is better)", offset=30)
    legend_above(ax)
    return fig


def tag_svg(*, labels: Sequence[str], counts: Sequence[int], briers: Sequence[float]) -> bytes:
    """Horizontal bars of mean Brier per tag (labels are user text), with counts."""
    if not len(labels):
        return placeholder_svg("No tagged predictions among these")
    return render(_tags, list(labels), list(counts), list(briers))
