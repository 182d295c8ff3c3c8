"""The profile's mail choices, the unsubscribe page mails link to, and the
notifications page.

The unsubscribe page needs no session: the signed token says whose mail and which kind.
GET shows a button (mail scanners follow links, so a GET changes nothing); POST opts out.
The POST is exempt from CSRF because mail programs send it themselves (RFC 8058 one-click,
body "List-Unsubscribe=One-Click"); the token, not a cookie, is what authorises it, and
the worst a forged POST can do is what the token's own link does.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import inbox, preferences
from notifications.forms import MailPreferencesForm
from notifications.scores import with_scores
from notifications.unsubscribe import read_token
from web.pagination import paginate

MSG_SAVED = "Email choices saved."


@require_POST
def mail_preferences(request):
    form = MailPreferencesForm(request.POST)
    if form.is_valid():
        preferences.set_wanted(request.user, form.wanted())
        messages.success(request, MSG_SAVED)
    else:
        messages.error(request, "Those email choices were not understood; nothing changed.")
    return redirect("profile")


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    signed = read_token(token)
    user = None
    if signed is not None:
        user = get_user_model().objects.filter(pk=signed[0]).first()
    if signed is None or user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    kind = signed[1]
    context = {"kind": kind, "done": request.method == "POST"}
    if request.method == "POST":
        preferences.opt_out(user, kind)
    return render(request, "notifications/unsubscribe.html", context)


@require_GET
def notification_list(request):
    """The last 30 days of events, newest first; showing them marks them seen."""
    shown = inbox.listed(request.user, timezone.now())
    seen = inbox.seen_at(request.user)
    inbox.mark_seen(request.user, shown)
    context = {**paginate(request, shown), "previously_seen": seen, "nav": "notifications"}
    page = context["page"]
    page.object_list = with_scores(request.user, list(page.object_list))  # this page's only
    return render(request, "notifications/list.html", context)
