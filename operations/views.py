from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from operations.health import current_health


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the cache and the job queue answer, 503 otherwise.

    Reads no session and sets no cookie; never cached, so a proxy cannot answer for a
    server that has since gone down.
    """
    health = current_health()
    response = JsonResponse(health.as_json(), status=200 if health.healthy else 503)
    add_never_cache_headers(response)
    return response
