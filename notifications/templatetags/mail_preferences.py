"""The profile page's mail section, composed by the template so that `predictions`
(which owns the profile view) never imports this app (docs/design.md §2)."""

from django import template

from notifications.forms import MailPreferencesForm
from notifications.preferences import wanted_kinds

register = template.Library()


@register.inclusion_tag("notifications/mail_preferences.html", takes_context=True)
def mail_preferences(context, email_verified: bool):
    user = context["request"].user
    form = MailPreferencesForm(initial={"kinds": [k.value for k in wanted_kinds(user)]})
    return {"form": form, "email_verified": email_verified, "csrf_token": context["csrf_token"]}
