"""The API's one error shape and the handlers that produce it.

Every error answers {"detail": str, "errors": {field: [messages]}}; form errors keep the
forms' own texts (they come from form.errors, never a second copy).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class Conflict(Exception):
    """The object's state refuses the operation (the page would refuse it too): 409."""


class FormInvalid(Exception):
    """A page form rejected the input: 400 with the form's own messages."""

    def __init__(self, form):
        super().__init__("invalid")
        self.errors = {field: list(messages) for field, messages in form.errors.items()}


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__("throttled")
        self.retry_after = retry_after


# The responses every operation may give, for the OpenAPI document.
COMMON_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _answer(api: NinjaAPI, request, status: int, detail: str, errors=None, headers=None):
    response = api.create_response(
        request, {"detail": detail, "errors": errors or {}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _ninja_field(location) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_ninja_field(error.get("loc", ())), []).append(
                str(error.get("msg", "Invalid."))
            )
        return _answer(api, request, 422, "The request does not match the schema.", errors)

    @api.exception_handler(FormInvalid)
    def form_invalid(request, exc):
        return _answer(api, request, 400, "Please correct the errors.", exc.errors)

    @api.exception_handler(DjangoValidationError)
    def django_invalid(request, exc):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _answer(api, request, 400, "Please correct the errors.", errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _answer(
            api,
            request,
            401,
            "A valid API token is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return _answer(api, request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        # Another user's object is indistinguishable from a missing one.
        return _answer(api, request, 404, "Not found.")

    @api.exception_handler(Conflict)
    def conflict(request, exc):
        return _answer(api, request, 409, str(exc))

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return _answer(
            api, request, 429, "Too many requests.", headers={"Retry-After": str(exc.retry_after)}
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return _answer(api, request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("API error on %s %s", request.method, request.path)
        return _answer(api, request, 500, "Something went wrong on our side.")
