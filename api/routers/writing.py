"""What the write endpoints share: the page forms fed from a payload, and a service's
refusal turned into the API's answer."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from api.errors import Conflict, FormInvalid
from web.forms import add_form_errors


def probability_text(value: float | str) -> str:
    """The text the forms' ProbabilityField reads: a number is a fraction of 1 (as the API
    answers it), given to the field as a percentage so its own rules and messages apply."""
    if isinstance(value, str):
        return value
    return f"{(Decimal(str(value)) * 100).normalize():f}%"


MSG_NOT_OFFERED = "This question offers nothing to choose here (it has no evidence yet)."


def valid(form, sent=()):
    """The bound page form, cleaned; its own messages go out as a 400 otherwise. `sent`
    names the fields the client gave: one the form does not offer (evidence on a question
    without any, which the page never shows) is refused rather than silently dropped."""
    dropped = [name for name in sent if name not in form.fields]
    if form.is_valid() and not dropped:
        return form
    problem = FormInvalid(form)
    problem.errors.update({name: [MSG_NOT_OFFERED] for name in dropped})
    raise problem


def refused(form, exc: ValidationError):
    """A service's refusal: about one of the form's fields, a 400 next to it as the page
    shows it; about the question's state (already open, resolved, ...: no field of the
    form, or no form at all), a 409 with the service's text."""
    fields = form.fields if form is not None else {}
    if not hasattr(exc, "error_dict") or not set(exc.error_dict) <= set(fields):
        raise Conflict(" ".join(exc.messages))
    add_form_errors(form, exc)
    raise FormInvalid(form)
