"""Form pieces every app uses: service errors on a form, and the one ISO date input."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

# <input type="date"> shows and sends only ISO dates; a locale's 01/06/2026 shows blank
# and a form saved from it writes an empty date.
ISO_DATE = "%Y-%m-%d"

# Dates a forecaster can mean. Python parses year 1 and year 9999, but scores and charts
# work in pandas' nanosecond range (1677-2262) and add margins to it.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
MSG_DATE_RANGE = "Enter a date between 1900 and 2199."


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


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE, in an <input type="date">."""

    widget = DateInput
    default_validators = [
        MinValueValidator(EARLIEST_DATE, message=MSG_DATE_RANGE),
        MaxValueValidator(LATEST_DATE, message=MSG_DATE_RANGE),
    ]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()})
        return attrs
