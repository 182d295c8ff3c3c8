"""The dashboard's reliability diagram: CORP line and band, buckets, forecast histogram."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from reports.charts.frame import (
    BLUE,
    DASHED,
    GRID,
    INK,
    LEGEND_ROW,
    MUTED,
    VERMILLION,
    WIDTH,
    axis_label,
    direct_axis,
    figure,
    legend_above,
    nice_ticks,
    percent_labels,
    placeholder_svg,
    render,
)

RELIABILITY_HEIGHT = 480


def _reliability(x, recalibrated, lower, upper, buckets, histogram, histogram_edges) -> Figure:
    fig, margins = figure(
        WIDTH, RELIABILITY_HEIGHT, left=64, right=12, top=12 + 4 * LEGEND_ROW, bottom=52
    )
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
    direct_axis(top, "y", steps, percent_labels(steps))
    direct_axis(top, "x", steps)  # grid and marks; the labels are under the histogram
    axis_label(top, "y", "Observed frequency", offset=46)
    legend_above(top)

    edges = np.asarray(histogram_edges, dtype=float)
    # One filled step patch rather than a Rectangle per bin.
    bottom.stairs(histogram, edges, fill=True, facecolor=GRID, edgecolor=MUTED, linewidth=0.6)
    highest = max(1, int(np.max(histogram)) if len(histogram) else 1)
    bottom.set_ylim(0, highest * 1.05)
    counts = nice_ticks(highest, 3, integer=True)
    direct_axis(bottom, "y", counts, [f"{v:.0f}" for v in counts], grid=False)
    direct_axis(bottom, "x", steps, percent_labels(steps), grid=False)
    axis_label(bottom, "y", "Predictions", offset=46)
    axis_label(bottom, "x", "Forecast (final)", offset=30)
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
    return render(_reliability, x, recalibrated, lower, upper, buckets, histogram, histogram_edges)
