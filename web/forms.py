"""Form pieces every app uses: service errors on a form, and the one ISO date input.

The bounds of a date a forecaster can mean are a domain rule: `predictions.forms.
BoundedDateField` applies predictions.rules' bounds with this widget.
"""

from django import forms
from django.core.exceptions import ValidationError

# <input type="date"> shows and sends only ISO dates; a locale's 01/06/2026 shows blank
# and a form saved from it writes an empty date.
ISO_DATE = "%Y-%m-%d"


def add_form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Puts a service's ValidationError next to the matching field (or on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class DateInput(forms.DateInput):
    """An <input type="date">, always rendered in ISO whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)
