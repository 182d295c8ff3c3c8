"""The activity calendar: forecasts made per day over the last year, their count and
the current streak, with a text equivalent of the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from reports.charts.inline import Day, calendar_cells

DAYS = 7 * 52  # the calendar's length: 52 whole weeks up to this week


@dataclass(frozen=True)
class Activity:
    cells: list[Day]
    width: int
    height: int
    total: int  # forecasts over the calendar's days
    active_days: int
    streak: int  # days in a row with a forecast, up to today (or yesterday)
    busiest: tuple[date, int] | None

    @property
    def summary(self) -> str:
        """The chart in words."""
        if not self.total:
            return "No forecast in the last year."
        forecasts = "forecast" if self.total == 1 else "forecasts"
        days = "day" if self.active_days == 1 else "days"
        text = f"{self.total} {forecasts} on {self.active_days} {days} in the last year"
        if self.busiest:
            day, n = self.busiest
            text += f"; the busiest day was {day:%-d %b %Y} with {n}"
        return text + "."


def calendar_start(today: date) -> date:
    """The Monday that starts the calendar: whole weeks, this week the last column."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=DAYS - 7)


def streak(counts: dict[date, int], today: date) -> int:
    """Consecutive days with a forecast ending today, or yesterday when today has none
    yet (a streak is not broken before the day is over)."""
    day = today if counts.get(today) else today - timedelta(days=1)
    n = 0
    while counts.get(day):
        n += 1
        day -= timedelta(days=1)
    return n


def activity(counts: dict[date, int], today: date) -> Activity:
    """The calendar of `counts` (forecasts per day) for the weeks up to `today`."""
    start = calendar_start(today)
    days = []
    day = start
    while day <= today:
        n = counts.get(day, 0)
        label = f"{n} forecast{'' if n == 1 else 's'} on {day:%a %-d %b %Y}"
        days.append((label, day.weekday(), n))
        day += timedelta(days=1)
    cells, width, height = calendar_cells(days)
    shown = {d: n for d, n in counts.items() if start <= d <= today and n}
    busiest = max(shown.items(), key=lambda item: (item[1], item[0])) if shown else None
    return Activity(
        cells=cells,
        width=width,
        height=height,
        total=sum(shown.values()),
        active_days=len(shown),
        streak=streak(counts, today),
        busiest=busiest,
    )
