"""The API: one NinjaAPI, a router per area (api/routers/<area>.py)."""

from ninja import NinjaAPI

from api import errors
from api.auth import TokenAuth
from api.routers import (
    forecasts,
    me,
    parse,
    prediction_writes,  # noqa: F401  (adds the writes to predictions.router)
    predictions,
)

api = NinjaAPI(
    title="Falsifiable API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    auth=TokenAuth(),
)
errors.install(api)
api.add_router("/", me.router)
api.add_router("/", parse.router)
api.add_router("/", predictions.router)
api.add_router("/", forecasts.router)


def urls():
    """api.urls, exempt from the site's LoginRequiredMiddleware: the API answers 401 itself
    (a token, not a session; a redirect to the login page means nothing to a script)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
