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
    row: object


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
