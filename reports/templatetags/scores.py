"""Template tags for a prediction's own scores and chart.

`{% prediction_score prediction %}` renders the Score block of a closed prediction's
page from `reports.selectors.one_score.prediction_score` (the dashboard's scoring functions):
Brier, time-averaged Brier and log loss for yes/no and multiple-choice predictions;
pinball loss, weighted interval score and the 80% interval for release dates; or why
it is not scored. Formatting only: the numbers come from the selectors.
"""

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from predictions.models import Prediction
from predictions.probability import format_percent
from reports.charts.dates import DATE_CHART_HEIGHT
from reports.charts.history import choice_chart_height
from reports.selectors.one_score import OneScore
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


def _day(value) -> str:
    return format_date(value, "j M Y")


def _late(score: OneScore) -> SafeString:
    if not score.n_late:
        return SafeString("")
    plural = "" if score.n_late == 1 else "s"
    return format_html(
        '<p class="help">{} late forecast{} excluded (made after the outcome was known).</p>',
        score.n_late,
        plural,
    )


def _brier_line(score: OneScore, prediction: Prediction) -> SafeString:
    said = format_percent(score.final_probability)
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
        winner = prediction.outcome_option.label if prediction.outcome_option else "the winner"
        final = format_html("final forecast gave “{}” {}", winner, said)
    else:
        final = format_html("final forecast {}", said)
    return format_html(
        "<p>Brier <strong>{}</strong> ({}; 0–1 scale, lower is better) · time-averaged {} · "
        "log loss {} nats</p>",
        f"{score.brier:.4f}",
        final,
        f"{score.brier_time_avg:.2f}",
        f"{score.log_loss:.2f}",
    )


def _date_lines(score: OneScore) -> SafeString:
    parts = format_html_join(
        ", ",
        "{} at {}",
        ((f"{loss:.1f}", format_percent(level)) for level, loss in score.quantile_losses),
    )
    lines = [
        format_html(
            "<p>Pinball loss <strong>{}</strong> days (mean of {})",
            f"{score.pinball_mean:.1f}",
            parts,
        )
    ]
    if score.wis is not None:
        lines.append(
            format_html(
                " · weighted interval score <strong>{}</strong> days ({} of the {}-day horizon, "
                "lower is better)",
                f"{score.wis:.1f}",
                f"{score.wis_norm:.2f}",
                score.horizon_days,
            )
        )
    lines.append(SafeString("</p>"))
    if score.hit_80 is not None:
        lines.append(
            format_html(
                "<p>The actual date fell <strong>{}</strong> your 80% interval ({} to {}); "
                "interval score {} days.</p>",
                "inside" if score.hit_80 else "outside",
                _day(score.lower_80),
                _day(score.upper_80),
                f"{score.interval_score_80:.0f}",
            )
        )
    return SafeString("".join(lines))


@register.simple_tag
def prediction_score(prediction: Prediction) -> SafeString:
    """The Score block of a closed prediction (nothing while it is open)."""
    score = score_of(prediction)
    if score.reason == "open":
        return SafeString("")
    if not score.scored:
        body = format_html("<p>{}</p>", NOT_SCORED[score.reason])
    elif prediction.kind == Prediction.Kind.DATE:
        body = _date_lines(score)
    else:
        body = _brier_line(score, prediction)
    return format_html('<div class="prediction-score"><h3>Score</h3>{}{}</div>', body, _late(score))


@register.simple_tag
def prediction_chart_height(prediction: Prediction, latest=None) -> int:
    """The pixel height of the prediction's chart image (multiple-choice charts grow with
    their options; `latest` is its latest forecast, options prefetched if possible)."""
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE and latest is not None:
        return choice_chart_height(len(latest.option_probabilities.all()))
    if prediction.kind == Prediction.Kind.DATE:
        return DATE_CHART_HEIGHT
    return 220
