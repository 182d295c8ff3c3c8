"""The dashboard's chart images: their names, URLs' query, SVGs and alt texts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe

from reports.charts import alt_text, inline
from reports.charts.bars import MONTHS_HEIGHT, month_svg, tag_chart_height, tag_svg
from reports.charts.frame import WIDTH, placeholder_svg
from reports.charts.reliability import RELIABILITY_HEIGHT, reliability_svg
from reports.dashboard.activity import Activity
from reports.dashboard.filters import Filters
from reports.dashboard.links import bucket_url
from reports.dashboard.numbers import CORP_DRAWS, ROLLING
from reports.dashboard.sections import MIN_CALIBRATION, DashboardNumbers
from reports.scoring.calibration import consistency_band
from reports.scoring.summaries import BRIER_ALWAYS_HALF

CHART_NAMES = ("reliability", "months", "tags")
MAX_TAG_BARS = 15  # tags with the most predictions drawn in the chart; the table has all


def chart_query(filters: Filters, version: str) -> str:
    """The query string of the page's chart URLs: the filters and the data version."""
    return "&".join(part for part in (filters.query(), urlencode({"v": version})) if part)


def chart_images(numbers: DashboardNumbers) -> dict:
    """What the page's <img> elements need beyond their URLs: alt texts and the tag
    chart's height (it grows with its bars). Charts without data have no entry."""
    images: dict = {
        "width": WIDTH,
        "reliability_height": RELIABILITY_HEIGHT,
        "months_height": MONTHS_HEIGHT,
    }
    cal = numbers.calibration
    if cal is not None:
        images["reliability_alt"] = alt_text.reliability_alt(
            n_points=cal.n_points, n_predictions=numbers.n_scored, mixed=cal.mixed
        )
    if numbers.months:
        images["months_alt"] = alt_text.months_alt([r.label for r in numbers.months])
    if numbers.tags:
        n_drawn = min(len(numbers.tags), MAX_TAG_BARS)
        images["tags_alt"] = alt_text.tags_alt(n_drawn=n_drawn, n_tags=len(numbers.tags))
        images["tags_height"] = tag_chart_height(n_drawn)
    return images


def chart_svg(name: str, numbers: DashboardNumbers) -> bytes:
    """The SVG of one dashboard chart (see CHART_NAMES), or a placeholder saying what
    is missing; the numbers drawn are those of the table beside the chart."""
    if name == "reliability":
        cal = numbers.calibration
        if cal is None or cal.reliability is None:
            return placeholder_svg(
                f"Resolve at least {MIN_CALIBRATION} predictions to see the reliability diagram"
            )
        rel = cal.reliability
        lower, upper = consistency_band(rel.x, rel.counts, n_boot=CORP_DRAWS, seed=0)
        return reliability_svg(
            x=rel.x,
            recalibrated=rel.recalibrated,
            lower=lower,
            upper=upper,
            buckets=[
                {
                    "count": b.count,
                    "mean_forecast": (b.mean_forecast_pct or 0) / 100,
                    "observed": (b.observed_pct or 0) / 100,
                    "low": (b.low_pct or 0) / 100,
                    "high": (b.high_pct or 0) / 100,
                }
                for b in cal.buckets
            ],
            histogram=cal.histogram,
            histogram_edges=cal.histogram_edges,
        )
    rows = numbers.months if name == "months" else numbers.tags[:MAX_TAG_BARS]
    draw = month_svg if name == "months" else tag_svg
    return draw(
        labels=[r.label for r in rows],
        counts=[r.count for r in rows],
        briers=[r.brier for r in rows],
    )


CALIBRATION_LABEL = (
    "Calibration chart: for each forecast bucket, how often your predictions came true "
    "(with a 95% interval), against the diagonal of perfect calibration. The bucket table "
    "under “Calibration in detail” has the same numbers."
)


def inline_charts(numbers: DashboardNumbers, filters: Filters, activity: Activity) -> dict:
    """The SVG markup of the charts drawn in the page (calibration, rolling Brier,
    activity calendar); a chart without data has no entry. The markup is built by
    `reports.charts.inline` from numbers and escaped text only."""
    charts: dict[str, SafeString] = {}
    cal = numbers.calibration
    if cal is not None:
        points = inline.calibration_points(cal.buckets)
        links = [bucket_url(filters, p.row.centre_pct) for p in points]
        titles = [f"{p.row.sentence} Show these predictions." for p in points]
        svg = inline.calibration_svg(points, links, titles, CALIBRATION_LABEL)
        charts["calibration"] = mark_safe(svg)
    line = inline.rolling_line(numbers.rolling, BRIER_ALWAYS_HALF)
    if line is not None:
        label = (
            f"Mean Brier score of each run of {ROLLING} predictions in the order they "
            "resolved; lower is better, the dashed line is always saying 50%."
        )
        charts["rolling"] = mark_safe(inline.rolling_svg(line, label))
    svg = inline.calendar_svg(activity.cells, activity.width, activity.height, "activity-summary")
    charts["activity"] = mark_safe(svg)
    return charts
