"""The template tag for a prediction's own scores.

`{% prediction_score prediction %}` renders the Score block of a closed prediction's
page (templates/reports/includes/prediction_score.html) from
`reports.selectors.one_score.prediction_score`, the dashboard's scoring functions: Brier,
time-averaged Brier and log loss for yes/no and multiple-choice predictions; pinball
loss, weighted interval score and the 80% interval for release dates; or why it is not
scored. The prediction pages load this tag, so that predictions never import reports.
"""

from django import template

from predictions import sharing
from predictions.models import Prediction
from predictions.services import profile_for
from reports.selectors.group_scores import relative_scores
from reports.selectors.one_score import prediction_score as score_of

register = template.Library()

NOT_SCORED = {
    "annulled": "Not scored: annulled.",
    "no_outcome": "Not scored: the resolution names no outcome.",
    "no_forecast": "Not scored: there is no forecast.",
    "all_late": (
        "Not scored: every forecast was made after the outcome was known (late forecasts excluded)."
    ),
}


@register.inclusion_tag("reports/includes/prediction_score.html", takes_context=True)
def prediction_score(context, prediction: Prediction, author_id: int | None = None) -> dict:
    """The Score block of a closed prediction (nothing while it is open): the scores of
    `author_id`'s forecasts (the owner's by default), each forecaster being scored on
    their own history; on a shared question also their relative Brier, unless the viewer
    may not see others' forecasts (it is derived from them)."""
    score = score_of(prediction, author_id)
    relative = None
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if (
        score.scored
        and score.kind != "date"
        and viewer
        and viewer.is_authenticated
        and sharing.is_shared(prediction)
        and sharing.sees_others(prediction, viewer, profile_for(viewer).today())
    ):
        relative = relative_scores(prediction, author_id or prediction.owner_id)
    return {
        "score": score,
        "prediction": prediction,
        "relative": relative,
        "not_scored": NOT_SCORED.get(score.reason),
    }
