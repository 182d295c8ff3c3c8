"""Template tags for a prediction's own scores and chart.

`{% prediction_score prediction %}` renders the Score block of a closed prediction's
page (templates/reports/includes/prediction_score.html) from
`reports.selectors.prediction_score`, the dashboard's scoring functions: Brier,
time-averaged Brier and log loss for yes/no and multiple-choice predictions; pinball
loss, weighted interval score and the 80% interval for release dates; or why it is not
scored. The prediction pages load this tag, so that predictions never import reports.
"""

from django import template

from predictions.models import Prediction
from reports import charts
from reports.selectors import prediction_score as score_of

register = template.Library()

NOT_SCORED = {
    "annulled": "Not scored: annulled.",
    "no_outcome": "Not scored: the resolution names no outcome.",
    "no_forecast": "Not scored: there is no forecast.",
    "all_late": (
        "Not scored: every forecast was made after the outcome was known (late forecasts excluded)."
    ),
}


@register.inclusion_tag("reports/includes/prediction_score.html")
def prediction_score(prediction: Prediction) -> dict:
    """The Score block of a closed prediction (nothing while it is open)."""
    score = score_of(prediction)
    return {"score": score, "prediction": prediction, "not_scored": NOT_SCORED.get(score.reason)}


@register.simple_tag
def prediction_chart_height(prediction: Prediction, latest=None) -> int:
    """The pixel height of the prediction's chart image (multiple-choice charts grow with
    their options; `latest` is its latest forecast, options prefetched if possible)."""
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE and latest is not None:
        return charts.choice_chart_height(len(latest.option_probabilities.all()))
    if prediction.kind == Prediction.Kind.DATE:
        return charts.DATE_CHART_HEIGHT
    return 220
