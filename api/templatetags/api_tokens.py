"""The profile page's "API tokens" section (the profile view lives in predictions, which
does not import the API; the section fetches its own tokens)."""

from django import template

from api.forms import TokenForm

register = template.Library()


@register.inclusion_tag("api/token_section.html", takes_context=True)
def api_tokens(context, form=None, secret=None):
    user = context["request"].user
    return {
        "tokens": user.api_tokens.filter(revoked_at__isnull=True),
        "form": form or TokenForm(),
        "secret": secret,
        "csrf_token": context.get("csrf_token"),
    }
