"""Every date input renders ISO dates: <input type="date"> shows nothing else, and a
form saved from an input that showed nothing writes an empty date. The resolve-by box is
text (it takes words too) and shows the ISO date it reads back."""

import datetime as dt
import importlib

from django import forms

from predictions.forms import ResolveByInput
from web.forms import DateInput

# Every module of the apps that defines forms.
FORM_MODULES = [
    "predictions.forms",
    "predictions.kinds",
    "sources.forms",
    "reports.dashboard",
    "reports.import_views",
    "web.forms",
]
DAY = dt.date(2026, 6, 1)


def all_form_classes() -> list[type[forms.BaseForm]]:
    for name in FORM_MODULES:
        importlib.import_module(name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"predictions", "sources", "reports", "web"}:
            found.append(cls)
    return found


def test_every_date_field_of_every_form_renders_iso():
    checked = []
    for form_class in all_form_classes():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.DateField) or isinstance(field, forms.DateTimeField):
                continue
            html = field.widget.render(name, DAY)
            expected_type = "text" if isinstance(field.widget, ResolveByInput) else "date"
            assert f'type="{expected_type}"' in html, (form_class, name)
            assert 'value="2026-06-01"' in html, (form_class, name, html)
            checked.append(f"{form_class.__name__}.{name}")
    # The scan did find the forms that once rendered locale dates.
    assert {"SourceForm.published_date", "SourceForm.accessed_date"} <= set(checked)
    assert "EvidenceForm.published_date" in checked
    assert "PredictionForm.resolve_by" in checked


def test_the_widget_renders_iso_even_with_a_locale_format_configured(settings):
    settings.DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
    assert 'value="2026-06-01"' in DateInput().render("day", DAY)
