"""Bearer token authentication (header only: a token in a URL would end up in logs)."""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer

from api import throttle, tokens


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = tokens.authenticate(token)
        if found is None:
            return None
        throttle.check(found.pk)
        request.user = found.user
        request.api_token = found
        return found


def require_write(request) -> None:
    """Write operations call this first: a read-only token gets 403."""
    if not request.auth.can_write:
        raise PermissionDenied("This token is read-only.")
