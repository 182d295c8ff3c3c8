from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect


class UserTimezoneMiddleware:
    """Shows times in the signed-in user's own time zone (Profile.timezone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from predictions.services import profile_for

            timezone.activate(profile_for(user).tzinfo)
        else:
            timezone.deactivate()
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session expired gets a full-page redirect to log in,
    instead of the log-in page being swapped into a fragment of the old page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if htmx and response.status_code == 302 and not request.user.is_authenticated:
            location = response["Location"]
            if location.startswith(resolve_url(settings.LOGIN_URL)):
                return HttpResponseClientRedirect(location)
        return response


class PrivateCacheMiddleware:
    """Pages for a signed-in user are theirs alone: no shared cache may keep them.

    Adds `private` to whatever Cache-Control the view set, so a stricter `no-store`
    stays, and drops a `public` that would contradict it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
