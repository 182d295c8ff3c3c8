from django import template

from predictions.dates_in_words import MONTH_ABBR
from predictions.probability import format_percent

register = template.Library()


@register.filter
def percent(probability) -> str:
    """0.7 -> "70%"; exact for stored probabilities."""
    return format_percent(probability)


@register.simple_tag
def display_status(prediction, today) -> str:
    """open / due / resolved / annulled."""
    return prediction.display_status(today)


@register.filter
def outcome_words(prediction) -> str:
    """What a settled prediction's outcome was, in the words the pages and messages use:
    "YES", "NO", the winning option, the day it happened, or "annulled"."""
    if prediction.status == "annulled":
        return "annulled"
    if prediction.status != "resolved":
        return ""
    if prediction.outcome_option_id is not None:
        return f"“{prediction.outcome_option.label}”"
    if prediction.outcome_date is not None:
        day = prediction.outcome_date
        return f"happened on {day.day} {MONTH_ABBR[day.month - 1]} {day.year}"
    return outcome_label(prediction)


@register.filter
def outcome_label(prediction) -> str:
    if prediction.status == "annulled":
        return "Annulled"
    if prediction.status == "resolved" and prediction.kind != "binary":
        return "Resolved"
    if prediction.outcome is True:
        return "YES"
    if prediction.outcome is False:
        return "NO"
    return ""


FIELD_LABELS = {
    "question": "Claim",
    "resolution_criteria": "Resolution criteria",
    "resolve_by": "Resolve-by date",
}


@register.filter
def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
