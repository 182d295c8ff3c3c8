"""A member's calibration as the other members of a group see it (decision 0030).

Nothing here computes a score: the numbers are the member's own dashboard numbers with
the group filter (`reports.dashboard.cache.dashboard_numbers` with `Filters(group=...)`),
that is, their own forecasts on the questions shared with this group that they forecast
on. Their private questions and other groups' questions are outside that filter. The
cache entry is the member's (keyed by their id and data version), the same one their own
dashboard reads under `?group=`: it holds numbers only, never anything of the viewer.
"""

from __future__ import annotations

from django.utils.safestring import mark_safe

from groups.models import Membership
from reports.charts import inline
from reports.dashboard.cache import dashboard_numbers
from reports.dashboard.filters import Filters
from reports.dashboard.sections import MIN_CALIBRATION
from reports.selectors.version import data_version


def _title(row) -> str:
    times = "time" if row.count == 1 else "times"
    return f"Forecasts of {row.centre_pct:.0f}% came true {row.hits} of {row.count} {times}."


def member_calibration_context(target: Membership, name: str) -> dict:
    """What templates/groups/calibration.html shows of `target`'s calibration."""
    filters = Filters(group=target.group_id)
    numbers = dashboard_numbers(
        user=target.user, filters=filters, version=data_version(user=target.user)
    )
    cal = numbers.calibration
    chart = ""
    if cal is not None:
        points = inline.calibration_points(cal.buckets)
        # Each dot leads to its row of the bucket table on this page: the prediction
        # list a dashboard dot leads to would list the viewer's own forecasts.
        links = [f"#bucket-{p.row.query}" for p in points]
        titles = [_title(p.row) for p in points]
        label = f"Calibration chart of {name} over this group's questions."
        chart = mark_safe(inline.calibration_svg(points, links, titles, label, said=f"{name} said"))
    return {
        "numbers": numbers,
        "cal": cal,
        "chart": chart,
        "used_buckets": [b for b in cal.buckets if b.count] if cal else [],
        "min_calibration": MIN_CALIBRATION,
    }
