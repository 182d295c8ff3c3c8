"""The dashboard's filters as they live in the URL, and the form that parses them.

Kept apart from the numbers and charts so that the exports, which accept the same
filters, import no chart code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlencode

from django import forms

from predictions.forms import BoundedDateField
from predictions.models import Prediction, Tag

MSG_RANGE = "The start date must not be after the end date."


@dataclass(frozen=True)
class Filters:
    """Dashboard filters as they live in the URL; empty means "all"."""

    tag: tuple[int, ...] = ()
    created_from: date | None = None
    created_to: date | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    kind: str = ""

    def selector_kwargs(self) -> dict:
        """Keyword arguments for the selectors."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self)}
        kwargs["tags"] = kwargs.pop("tag") or None
        kwargs["kind"] = self.kind or None
        return kwargs

    @property
    def active(self) -> bool:
        return self != Filters()

    def query(self) -> str:
        """The canonical query string (no "?"), for chart URLs and cache keys."""
        pairs: list[tuple[str, str]] = [("tag", str(pk)) for pk in self.tag]
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "tag" and value:
                pairs.append((f.name, value.isoformat() if isinstance(value, date) else value))
        return urlencode(pairs)


class DashboardFilterForm(forms.Form):
    """The filter form; the tag choices are the user's own tags (one query)."""

    tag = forms.TypedMultipleChoiceField(
        label="Tags", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    created_from = BoundedDateField(label="Made from", required=False)
    created_to = BoundedDateField(label="Made until", required=False)
    resolved_from = BoundedDateField(label="Resolved from", required=False)
    resolved_to = BoundedDateField(label="Resolved until", required=False)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *Prediction.Kind.choices]
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["tag"].choices = [
            (str(pk), name) for pk, name in Tag.objects.filter(owner=user).values_list("pk", "name")
        ]

    def clean(self):
        data = super().clean()
        for start, end in (("created_from", "created_to"), ("resolved_from", "resolved_to")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, MSG_RANGE)
        return data

    def filters(self) -> Filters:
        """The valid part of the input: a field with an error is ignored (and shown)."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            tag=tuple(sorted(set(data.get("tag") or ()))),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            resolved_from=data.get("resolved_from"),
            resolved_to=data.get("resolved_to"),
            kind=data.get("kind") or "",
        )
