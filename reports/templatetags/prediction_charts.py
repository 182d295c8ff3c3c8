"""`{% prediction_chart prediction forecasts %}`: a prediction's chart image with its
size and alt text (reports/charts/alt_text.py), for its own page and the shared one.

`forecasts` are the prediction's forecasts oldest first, with `option_probabilities__option`
and `quantiles` prefetched, as the pages load them anyway; the tag adds no query.
"""

from django import template
from django.urls import reverse

from predictions.models import Prediction
from reports.charts.alt_text import binary_alt, choice_alt, date_alt
from reports.charts.dates import DATE_CHART_HEIGHT
from reports.charts.frame import WIDTH
from reports.charts.history import BINARY_HEIGHT, choice_chart_height
from web.template_dates import local_or_utc

register = template.Library()


def _local_day(moment):
    return local_or_utc(moment).date() if moment is not None else None


def chart_height(prediction: Prediction, latest=None, together: bool = False) -> int:
    """Multiple-choice charts grow with their options (a legend entry each), and the
    community's entry on a question forecast together."""
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE and latest is not None:
        return choice_chart_height(len(latest.option_probabilities.all()), community=together)
    if prediction.kind == Prediction.Kind.DATE:
        return DATE_CHART_HEIGHT
    return BINARY_HEIGHT


def chart_alt(prediction: Prediction, forecasts: list) -> str:
    latest = forecasts[-1] if forecasts else None
    resolved = prediction.status == Prediction.Status.RESOLVED
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
        options = latest.option_probabilities.all() if latest is not None else ()
        winner = prediction.outcome_option if resolved else None
        return choice_alt(
            len(forecasts),
            [(op.option.label, op.probability) for op in options],
            winner=winner.label if winner is not None else None,
            known_on=_local_day(prediction.known_at) if winner is not None else None,
        )
    if prediction.kind == Prediction.Kind.DATE:
        quantiles = latest.quantiles.all() if latest is not None else ()
        return date_alt(
            len(forecasts),
            [(q.level, q.value) for q in quantiles],
            prediction.resolve_by,
            happened_on=prediction.outcome_date if resolved else None,
        )
    return binary_alt(
        [(_local_day(f.created_at), f.probability) for f in forecasts],
        _local_day(prediction.known_at),
    )


@register.inclusion_tag("reports/includes/prediction_chart.html")
def prediction_chart(
    prediction: Prediction, forecasts: list, shared: bool = False, together: bool = False
) -> dict:
    """The chart of the owner's page, or (`shared`) the one behind the share token;
    `together`: it draws the community forecast too (predictions.forecasters)."""
    if shared:
        src = reverse("reports:shared_prediction_chart", args=[prediction.share_token])
    else:
        version = f"{len(forecasts)}-{prediction.status}"  # a new URL when the chart changes
        src = reverse("reports:prediction_chart", args=[prediction.pk]) + f"?v={version}"
    latest = forecasts[-1] if forecasts else None
    return {
        "src": src,
        "width": WIDTH,
        "height": chart_height(prediction, latest, together),
        "alt": chart_alt(prediction, forecasts),
    }
