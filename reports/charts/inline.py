"""Geometry of the hand-built SVG charts that templates draw inline on the dashboard:
the calibration chart, the rolling Brier line and the activity calendar.

Plain arithmetic, no drawing library: the template writes the elements, so the charts
cost nothing to render, their points can be links, and their text is real text that
the page's CSS sizes. Coordinates are in the SVG's viewBox units; the charts are drawn
at WIDTH units wide and scaled to fit their box, so text of FONT units stays at least
11 px on a 375 px phone (the box is then about 310 px wide).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH = 360
FONT = 14


@dataclass(frozen=True)
class Frame:
    """A plot area inside a viewBox of `width` × `height`."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def x0(self) -> int:
        return self.left

    @property
    def x1(self) -> int:
        return self.width - self.right

    @property
    def y0(self) -> int:
        return self.height - self.bottom

    @property
    def y1(self) -> int:
        return self.top

    @property
    def y_mid(self) -> float:
        return (self.y0 + self.y1) / 2

    def x(self, share: float) -> float:
        """The x of a share of the plot's width (0 left, 1 right)."""
        return round(self.x0 + share * (self.x1 - self.x0), 1)

    def y(self, share: float) -> float:
        """The y of a share of the plot's height (0 bottom, 1 top)."""
        return round(self.y0 - share * (self.y0 - self.y1), 1)


CALIBRATION_FRAME = Frame(WIDTH, 330, left=52, right=24, top=14, bottom=50)
ROLLING_FRAME = Frame(WIDTH, 150, left=52, right=14, top=12, bottom=30)


@dataclass(frozen=True)
class Point:
    """One bucket on the calibration chart: its centre (`cx`, `cy`), radius and the
    ends of its interval (`y_low`, `y_high`); `row` is the caller's bucket row."""

    cx: float
    cy: float
    r: float
    y_low: float
    y_high: float
    row: Any  # a bucket row with count, percentages, query and sentence


def calibration_points(rows) -> list[Point]:
    """Points for bucket rows with `count`, `mean_forecast_pct`, `observed_pct`,
    `low_pct` and `high_pct` (empty buckets are left out); the area of a point grows
    with its count, so a bucket of one does not look like a bucket of fifty."""
    f = CALIBRATION_FRAME
    used = [r for r in rows if r.count]
    most = max((r.count for r in used), default=1)
    return [
        Point(
            cx=f.x(r.mean_forecast_pct / 100),
            cy=f.y(r.observed_pct / 100),
            r=round(5 + 6 * (r.count / most) ** 0.5, 1),
            y_low=f.y(r.low_pct / 100),
            y_high=f.y(r.high_pct / 100),
            row=r,
        )
        for r in used
    ]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def percent_ticks(axis: str) -> list[Tick]:
    """Ticks at 0%, 25%, …, 100% along the calibration chart's x or y axis."""
    f = CALIBRATION_FRAME
    place = f.x if axis == "x" else f.y
    return [Tick(place(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)]


@dataclass(frozen=True)
class Line:
    """A polyline's `points` attribute, with its y axis (0 to `top`) and the y of a
    reference level."""

    points: str
    top: float
    ticks: list[Tick]
    reference_y: float


def rolling_line(values: list[float], reference: float) -> Line | None:
    """The rolling Brier line of `values` (oldest first), on a y axis from 0 to at
    least 0.5, with a reference line at `reference`; None without values."""
    if not values:
        return None
    f = ROLLING_FRAME
    top = max(0.5, max(values))
    step = (f.x1 - f.x0) / max(1, len(values) - 1)
    coords = [f"{round(f.x0 + i * step, 1)},{f.y(v / top)}" for i, v in enumerate(values)]
    ticks = [Tick(f.y(v / top), f"{v:.2f}") for v in (0, 0.25, 0.5) if v <= top]
    return Line(" ".join(coords), top, ticks, f.y(reference / top))


CELL = 11  # the calendar's day squares, with a gap of 2
GAP = 2


@dataclass(frozen=True)
class Day:
    x: int
    y: int
    level: int  # 0 none, 1–4 more forecasts
    label: str  # "3 forecasts on 2 Dec 2025", the cell's title


def calendar_cells(days: list[tuple[str, int, int]]) -> tuple[list[Day], int, int]:
    """Cells of a contribution-style calendar from (label, weekday 0–6, count) per day,
    oldest first (a column per week, Monday at the top); also the viewBox's width and
    height. Levels split the counts at 1, 2, 4 and 8 forecasts a day."""
    cells, column = [], 0
    for i, (label, weekday, count) in enumerate(days):
        if i and weekday == 0:
            column += 1
        level = sum(count >= threshold for threshold in (1, 2, 4, 8))
        cells.append(Day(column * (CELL + GAP), weekday * (CELL + GAP), level, label))
    return cells, (column + 1) * (CELL + GAP), 7 * (CELL + GAP)


# --- The markup ----------------------------------------------------------------------
# Written here rather than in template loops: a year of calendar days is 364 elements,
# which Django's template engine renders an order of magnitude slower than a join.


def _text(x, y, label: str, css: str = "tick", **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text class="{css}" x="{x}" y="{y}"{extra}>{escape(label)}</text>'


def calibration_svg(
    points: list[Point], links: list[str], titles: list[str], label: str, said: str = "You said"
) -> str:
    """The calibration chart: gridlines, the diagonal, and per bucket its interval and
    point inside a link to `links[i]` with the tooltip `titles[i]`; `label` names it and
    `said` the x axis (another member's chart is not "You said")."""
    f = CALIBRATION_FRAME
    parts = [
        f'<svg class="inline-chart calibration-chart" viewBox="0 0 {f.width} {f.height}" '
        f'role="group" aria-labelledby="calibration-chart-title">'
        f'<title id="calibration-chart-title">{escape(label)}</title>'
    ]
    for t in percent_ticks("y"):
        parts.append(
            f'<line class="grid" x1="{f.x0}" x2="{f.x1}" y1="{t.position}" y2="{t.position}"/>'
        )
        parts.append(
            _text(f.x0 - 6, t.position, t.label, text_anchor="end", dominant_baseline="middle")
        )
    for t in percent_ticks("x"):
        parts.append(_text(t.position, f.y0 + 18, t.label, text_anchor="middle"))
    parts.append(f'<line class="diagonal" x1="{f.x0}" y1="{f.y0}" x2="{f.x1}" y2="{f.y1}"/>')
    parts.append(_text(f.x1, f.height - 4, f"{escape(said)} →", "axis-label", text_anchor="end"))
    parts.append(
        f'<text class="axis-label" transform="translate(14 {f.y_mid}) rotate(-90)" '
        f'text-anchor="middle">Came true →</text>'
    )
    for point, href, title in zip(points, links, titles, strict=True):
        off = " off" if getattr(point.row, "direction", "") else ""
        parts.append(
            f'<a href="{escape(href)}" class="bucket-link" data-bucket="{point.row.query}">'
            f"<title>{escape(title)}</title>"
            f'<line class="interval" x1="{point.cx}" x2="{point.cx}" y1="{point.y_low}" '
            f'y2="{point.y_high}"/>'
            f'<circle class="point{off}" cx="{point.cx}" cy="{point.cy}" r="{point.r}"/></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def rolling_svg(line: Line, label: str) -> str:
    """The rolling Brier line with its ticks and the dashed reference line."""
    f = ROLLING_FRAME
    parts = [
        f'<svg class="inline-chart rolling-chart" viewBox="0 0 {f.width} {f.height}" '
        f'role="img" aria-labelledby="rolling-title"><title id="rolling-title">'
        f"{escape(label)}</title>"
    ]
    for t in line.ticks:
        parts.append(
            f'<line class="grid" x1="{f.x0}" x2="{f.x1}" y1="{t.position}" y2="{t.position}"/>'
        )
        parts.append(
            _text(f.x0 - 6, t.position, t.label, text_anchor="end", dominant_baseline="middle")
        )
    y = line.reference_y
    parts.append(f'<line class="reference" x1="{f.x0}" x2="{f.x1}" y1="{y}" y2="{y}"/>')
    parts.append(f'<polyline class="line" points="{line.points}"/>')
    parts.append(_text(f.x0, f.height - 8, "older", "axis-label"))
    parts.append(_text(f.x1, f.height - 8, "latest", "axis-label", text_anchor="end"))
    parts.append("</svg>")
    return "".join(parts)


def calendar_svg(cells: list[Day], width: int, height: int, described_by: str) -> str:
    """The activity calendar's squares, each with its day's count as a tooltip; the
    text equivalent is the element with id `described_by`."""
    squares = "".join(
        f'<rect class="day level-{d.level}" x="{d.x}" y="{d.y}" width="{CELL}" '
        f'height="{CELL}" rx="2"><title>{escape(d.label)}</title></rect>'
        for d in cells
    )
    return (
        f'<svg class="activity-calendar" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(described_by)}">{squares}</svg>'
    )
