"""The embeddable card (/embed/<share token>/): the one route other sites may frame.

It reuses the shared page's lookup and anonymous view (predictions.views), so private
and group-only predictions are 404 here too and hidden forecasts stay hidden. Its
template stands alone (no base.html) so no CSRF token is asked for and no session is
written: a framed page must not set cookies on our site.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from predictions.views import anonymous_forecast_context, shared_by_token

# The site's CSP with only frame-ancestors opened (settings.EMBED_FRAME_ANCESTORS).
EMBED_CSP: dict[str, Any] = {
    **settings.SECURE_CSP,
    "frame-ancestors": getattr(settings, "EMBED_FRAME_ANCESTORS", ["*"]),
    "form-action": [CSP.NONE],
}


@login_not_required
@require_safe
@xframe_options_exempt
@csp_override(EMBED_CSP)
def embed_card(request, token: str):
    prediction = shared_by_token(token)
    return render(request, "predictions/embed.html", anonymous_forecast_context(prediction))
