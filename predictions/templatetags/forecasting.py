from django import template

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
