"""How many forecasts a user made on each day, for the dashboard's activity calendar."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from predictions.models import Forecast
from predictions.services import profile_for
from reports.selectors.raw import as_stored, read_frame, utc


def forecasts_per_day(*, user, start: date) -> dict[date, int]:
    """Forecasts the user made per day (in their time zone) from `start` on.

    One query over the forecast times, counted per local day with pandas: grouping by
    a local date in SQL would call a Python function per row on SQLite, which costs
    more than reading the times (docs/decisions/0005-raw-cursor-reads.md).
    """
    profile = profile_for(user)
    since = profile.end_of_day(start - timedelta(days=1))
    qs = Forecast.objects.filter(author=user, created_at__gte=since).values_list(
        as_stored("created_at")
    )
    frame = read_frame(qs.order_by(), ["created_at"])
    if frame.empty:
        return {}
    # Local wall-clock times truncated to days and counted in numpy: a date object per
    # forecast would cost more than the counting.
    local = utc(frame["created_at"]).dt.tz_convert(profile.tzinfo).dt.tz_localize(None)
    days, counts = np.unique(local.to_numpy().astype("datetime64[D]"), return_counts=True)
    return {day.item(): int(n) for day, n in zip(days, counts, strict=True)}
