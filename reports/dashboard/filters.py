"""The dashboard's filters as they live in the URL, and the form that parses them.

Kept apart from the numbers and charts so that the exports, which accept the same
filters, import no chart code.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields, replace
from datetime import date
from urllib.parse import urlencode

from django import forms

from predictions.forms import BoundedDateField
from predictions.models import Prediction, Tag

MSG_RANGE = "The start date must not be after the end date."
RECENT_MONTHS = 3  # the recent period shown beside the chosen one
# The period switch: query value -> (label, months back from today); "" is all time.
PERIODS = {"3m": ("Last 3 months", RECENT_MONTHS), "12m": ("Last 12 months", 12)}


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Filters:
    """Dashboard filters as they live in the URL; empty means "all"."""

    tag: tuple[int, ...] = ()
    created_from: date | None = None
    created_to: date | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    kind: str = ""
    period: str = ""  # a key of PERIODS; its start is already in resolved_from

    def selector_kwargs(self) -> dict:
        """Keyword arguments for the selectors."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "period"}
        kwargs["tags"] = kwargs.pop("tag") or None
        kwargs["kind"] = self.kind or None
        return kwargs

    def all_time(self) -> Filters:
        """The same filters over all time: no period and no resolved-date range."""
        return replace(self, period="", resolved_from=None, resolved_to=None)

    @property
    def custom(self) -> bool:
        """Whether a resolved-date range was chosen by hand rather than by the switch."""
        return not self.period and bool(self.resolved_from or self.resolved_to)

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
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[("", "All time"), *((k, label) for k, (label, _) in PERIODS.items())],
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, user, today: date | None = None):
        super().__init__(data)
        self.today = today
        self.tag_choices = [
            (str(pk), name) for pk, name in Tag.objects.filter(owner=user).values_list("pk", "name")
        ]
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = self.tag_choices

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
        period = data.get("period") or ""
        resolved_from = data.get("resolved_from")
        if period and self.today is not None:
            start = months_before(self.today, PERIODS[period][1])
            resolved_from = max(start, resolved_from) if resolved_from else start
        elif period:
            period = ""  # without the owner's today there is no period to apply
        return Filters(
            tag=tuple(sorted(set(data.get("tag") or ()))),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            resolved_from=resolved_from,
            resolved_to=data.get("resolved_to"),
            kind=data.get("kind") or "",
            period=period,
        )
