"""Template tags that let prediction pages show evidence without importing sources.

{% load evidence %}
{% evidence_section prediction %}          the whole section (grouped, add/edit/remove)
{% evidence_add_form prediction "resolve" %}  a plain add form that returns to the
                                           resolve page (or "forecast") with the new
                                           link preselected
{% source_link source %}                   an external link to a source, safely
"""

from typing import Any

from django import template

from sources.forms import EvidenceForm
from sources.models import EvidenceLink
from sources.normalise import ALLOWED_SCHEMES, display_host
from sources.views import NEXT_TARGETS, evidence_section_context

register = template.Library()


def _user(context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("sources/evidence_section.html", takes_context=True)
def evidence_section(context, prediction) -> dict:
    """The evidence section of `prediction`: editable for its owner, read-only otherwise."""
    return evidence_section_context(prediction=prediction, user=_user(context))


@register.inclusion_tag("sources/evidence_add_form.html", takes_context=True)
def evidence_add_form(context, prediction, next_page: str = "") -> dict:
    """A stand-alone add-evidence form; after saving, the user goes to `next_page`.

    On the resolve page (`next_page="resolve"`) the stance starts at "resolves", so a
    new URL becomes the resolving evidence in one step.
    """
    user = _user(context)
    if user is None or user.pk != prediction.owner_id:
        return {"evidence_form": None}
    initial = {"stance": EvidenceLink.Stance.RESOLVES} if next_page == "resolve" else {}
    return {
        "prediction": prediction,
        "evidence_form": EvidenceForm(owner=user, prediction=prediction, initial=initial),
        "evidence_next": next_page if next_page in NEXT_TARGETS else "",
    }


@register.inclusion_tag("sources/source_link.html")
def source_link(source) -> dict:
    """A link that opens the source in a new tab, without leaking the referrer or our
    window to it; any URL that is not http(s) (legacy data) is shown as plain text."""
    url = getattr(source, "url", "") or ""
    safe = url.split(":", 1)[0].lower() in ALLOWED_SCHEMES and "://" in url
    label = getattr(source, "title", "") or display_host(url) or url
    return {"href": url if safe else "", "label": label, "url": url}
