"""The filters of the prediction list, the dashboard and the exports: one definition of
what they mean, so a dashboard number and the list it links to count the same rows.

- `Filters`: tags (any of them), kind, group, creation dates, resolution dates and the
  period switch, as they live in the query string; `FilterForm` parses them.
- `narrow`: those filters applied to a QuerySet of predictions. The reports' selectors
  and the list both call it.
- `ListRange`: what only the list adds, a range of calibration buckets (`?p=20-80`, or
  "20%-80%" typed as the search); `filter_by_status` the list's status.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

from django import forms

from predictions.buckets import BucketRange, is_range_search, parse_range
from predictions.forms import BoundedDateField
from predictions.models import Prediction, PredictionQuerySet, Profile, Share, Tag
from predictions.sharing import groups_of

# Query-string value -> label. "Open" means not yet due; "due" is open and past its date.
STATUS_FILTERS = {
    "open": "Open",
    "due": "Due",
    "resolved": "Resolved",
    "annulled": "Annulled",
}
MSG_RANGE = "The start date must not be after the end date."
MSG_GROUP = "Choose one of your groups."
RECENT_MONTHS = 3  # the recent period the dashboard shows beside the chosen one
# The period switch: query value -> (label, months back from today); "" is all time.
PERIODS = {"3m": ("Last 3 months", RECENT_MONTHS), "12m": ("Last 12 months", 12)}
TagLinks = Prediction.tags.through


def filter_by_status(
    predictions: PredictionQuerySet, status: str, today: date
) -> PredictionQuerySet:
    """`predictions` with the display status `status` on `today` (all for an unknown one)."""
    if status == "due":
        return predictions.due(today)
    if status == "open":
        return predictions.open().filter(resolve_by__gte=today)
    if status in STATUS_FILTERS:
        return predictions.filter(status=status)
    return predictions


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Filters:
    """The filters as they live in the URL; empty means "all"."""

    tag: tuple[int, ...] = ()
    created_from: date | None = None
    created_to: date | None = None
    resolved_from: date | None = None
    resolved_to: date | None = None
    kind: str = ""
    group: int | None = None  # questions shared with this group (one of the user's)
    period: str = ""  # a key of PERIODS; its start is already in resolved_from

    def selector_kwargs(self) -> dict:
        """Keyword arguments of `narrow` (and the reports' selectors)."""
        kwargs = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "period"}
        kwargs["tags"] = kwargs.pop("tag") or None
        kwargs["kind"] = self.kind or None
        if self.group is None:
            # Only when chosen: a group's own selectors take their group positionally.
            del kwargs["group"]
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

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's (name, value) pairs in canonical order."""
        pairs: list[tuple[str, str]] = [("tag", str(pk)) for pk in self.tag]
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "tag" and value:
                pairs.append((f.name, value.isoformat() if isinstance(value, date) else str(value)))
        return pairs

    def query(self) -> str:
        """The canonical query string (no "?"), for links and cache keys."""
        return urlencode(self.pairs())


class FilterForm(forms.Form):
    """The filter form; the tag choices are the user's own tags (one query, or none when
    the caller has them already), so another account's tag id is an error, ignored. The
    group choices are the groups the user belongs to (one query): another group's id is
    the group field's error, and filters nothing."""

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
    group = forms.TypedChoiceField(
        label="Group",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": MSG_GROUP},
        help_text="Questions shared with the group; tags are your own, so they match only "
        "your questions.",
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[("", "All time"), *((k, label) for k, (label, _) in PERIODS.items())],
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, user, today: date | None = None, tags=None):
        super().__init__(data)
        self.today = today
        if tags is None:
            tags = Tag.objects.filter(owner=user)
        self.tag_choices = [(str(t.pk), t.name) for t in tags]
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = self.tag_choices
        self.user = user
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ChoiceField)
        # A callable, so that a form without a group in its data and never rendered
        # (a group's leaderboard) costs no query for the user's groups.
        group_field.choices = lambda: [("", "All my questions"), *self.group_choices]

    @cached_property
    def group_choices(self) -> list[tuple[str, str]]:
        """The groups the user belongs to, as (id, name) choices; one query, once."""
        return [(str(g.pk), g.name) for g in groups_of(self.user)]

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
            group=data.get("group"),
            period=period,
        )


def _day_start(profile: Profile, day: date):
    """The UTC instant at which `day` begins in the owner's time zone."""
    return profile.end_of_day(day - timedelta(days=1))


def narrow(
    predictions: PredictionQuerySet,
    profile: Profile | None,
    *,
    tags=None,
    created_from: date | None = None,
    created_to: date | None = None,
    resolved_from: date | None = None,
    resolved_to: date | None = None,
    kind: str | None = None,
    group: int | None = None,
) -> PredictionQuerySet:
    """`predictions` matching the filters (`Filters.selector_kwargs()`).

    `tags` are Tag ids (or Tags); a prediction matches if it has any of them. Dates are
    whole days in the owner's time zone (`profile`, needed only with dates), both ends
    included. A resolved-date range leaves out open predictions, which have no
    resolution date. `group` keeps questions shared with that group (the form allows only
    the user's groups; readability itself comes from the caller's base set).
    """
    qs = predictions
    if group is not None:
        qs = qs.filter(pk__in=Share.objects.filter(group_id=group).values("prediction_id"))
    if tags:
        qs = qs.filter(pk__in=TagLinks.objects.filter(tag__in=list(tags)).values("prediction_id"))
    if kind:
        qs = qs.filter(kind=kind)
    if all(d is None for d in (created_from, created_to, resolved_from, resolved_to)):
        return qs
    if profile is None:
        raise ValueError("date filters need the owner's profile")
    if created_from is not None:
        qs = qs.filter(created_at__gte=_day_start(profile, created_from))
    if created_to is not None:
        qs = qs.filter(created_at__lt=profile.end_of_day(created_to))
    return qs.resolved_between(profile, resolved_from, resolved_to)


@dataclass(frozen=True)
class ListRange:
    """What narrows the list beyond `Filters`, status and words: a range of calibration
    buckets (`?p=20-80`, or "20%-80%" typed as the search)."""

    buckets: BucketRange | None = None
    search: str = ""  # the search text left once a typed bucket range is taken out

    @property
    def active(self) -> bool:
        return self.buckets is not None


def list_range(params, search: str) -> ListRange:
    """The bucket range of the list's query string `params`; a search that is itself a
    range ("90%", "20%-80%") counts as one and searches no words."""
    buckets = parse_range(params.get("p", ""))
    if is_range_search(search):
        buckets, search = parse_range(search), ""
    return ListRange(buckets=buckets, search=search)


def filter_by_range(
    predictions: PredictionQuerySet, selected: ListRange, profile: Profile
) -> PredictionQuerySet:
    """`predictions` narrowed to the buckets of `selected`, by the final forecasts of
    `profile`'s user (the viewer: their dashboard scores their own forecasts only)."""
    if selected.buckets is not None:
        predictions = predictions.in_buckets(selected.buckets, author=profile.user_id)
    return predictions


@dataclass
class ListSelection:
    """The list page's rows for a query string, and what its controls show of it."""

    predictions: PredictionQuerySet  # filtered, unordered beyond the model's order
    form: FilterForm
    filters: Filters
    tags: list[Tag]  # the user's tags
    chosen: list[Tag]  # those the filters chose
    selected: ListRange
    status: str  # a key of STATUS_FILTERS, or ""
    query: str  # the search text as typed (bounded)


def select_list(params, user, profile: Profile) -> ListSelection:
    """The user's questions (own, and shared ones they forecast on) narrowed by the list's
    query string `params`: status, the dashboard's filters, bucket range and words. The
    list page and the API's list read through here, so both count the same rows."""
    today = profile.today()
    predictions = Prediction.objects.forecast_on_by(user)
    status = params.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    predictions = filter_by_status(predictions, status, today)
    tags = list(Tag.objects.filter(owner=user))
    form = FilterForm(params, user=user, today=today, tags=tags)
    filters = form.filters()
    predictions = narrow(predictions, profile, **filters.selector_kwargs())
    query = params.get("q", "")[:200]
    selected = list_range(params, query)
    predictions = filter_by_range(predictions, selected, profile)
    predictions = predictions.search(selected.search)
    chosen = [t for t in tags if t.pk in filters.tag]
    return ListSelection(predictions, form, filters, tags, chosen, selected, status, query)


def hidden_pairs(
    filters: Filters, *, shown_tag: bool, shown_group: bool = False
) -> list[tuple[str, str]]:
    """The filters' query pairs that the list's form has no control for (all but the
    tag when exactly one is chosen, which its tag menu shows, and the group when its
    menu is shown)."""
    shown = {"tag"} if shown_tag else set()
    if shown_group:
        shown.add("group")
    return [pair for pair in filters.pairs() if pair[0] not in shown]


def filter_note(
    filters: Filters, selected: ListRange, tag_names: list[str], group_name: str = ""
) -> str:
    """What the list is narrowed to beyond status and words, in one sentence ("" when
    nothing is): "Resolved predictions whose final forecast falls in the 90% bucket,
    tagged ai or work, yes/no, resolved from 1 Sep 2026."."""
    parts = []
    if selected.buckets is not None:
        s = "" if selected.buckets.first == selected.buckets.last else "s"
        parts.append(f"whose final forecast falls in the {selected.buckets.label()} bucket{s}")
    if tag_names:
        parts.append("tagged " + " or ".join(tag_names))
    if group_name:
        parts.append(f"shared with {group_name}")
    if filters.kind:
        parts.append(f"of kind {Prediction.Kind(filters.kind).label.lower()}")
    for name, words in (
        ("created_from", "made from"),
        ("created_to", "made until"),
        ("resolved_from", "resolved from"),
        ("resolved_to", "resolved until"),
    ):
        day = getattr(filters, name)
        if day is not None:
            parts.append(f"{words} {day:%-d %b %Y}")
    if filters.period:
        parts.append(f"({PERIODS[filters.period][0].lower()})")
    if not parts:
        return ""
    subject = "Resolved predictions" if selected.buckets is not None else "Predictions"
    return f"{subject} {', '.join(parts)}."
