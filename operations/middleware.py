"""/healthz answered before the session and user middleware.

A load balancer's probe may carry a session cookie (a browser on the same host, a
proxy that forwards cookies). Answering it after SessionMiddleware would read that
session from the database, and with the database down the probe would get a 500
instead of the 503 that names what is down.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from operations.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return healthz(request)
        return self.get_response(request)
