"""Forms for entering, updating and resolving predictions.

Forms parse and check what a person typed; services do the writing and re-validate.
"""

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.urls import reverse_lazy
from django.utils import timezone

from predictions import rules, sharing
from predictions.capture import MSG_NO_DATE
from predictions.date_completion import completion_json
from predictions.dates_in_words import QUICK_DATES, read_date, read_deadline
from predictions.models import QUESTION_MAX_LENGTH, Prediction, Profile, Tag
from predictions.probability import (
    MSG_EMPTY,
    ProbabilityError,
    doubt_choices,
    doubt_message,
    parse_probability,
)
from predictions.services import known_at_problem, profile_for
from predictions.usernames import check_new_username
from web.forms import DateInput

MSG_QUESTION_TOO_LONG = (
    f"Keep the claim to one sentence of at most {QUESTION_MAX_LENGTH} characters; "
    "put details in the resolution criteria or notes."
)
MSG_NEW_TAGS_HELP = "Comma-separated, e.g. ai, politics. New tags are created for you."


def offer_evidence(form: forms.Form, prediction: Prediction) -> bool:
    """Limits the form's `evidence` choice to the prediction's own links, or drops the
    field when it has none. The reverse relation keeps predictions free of imports from
    the sources app. True when the field stays."""
    field = form.fields["evidence"]
    assert isinstance(field, forms.ModelChoiceField)  # every caller declares evidence as one
    field.queryset = prediction.evidence_links.select_related("source")
    if field.queryset.exists():
        return True
    del form.fields["evidence"]
    return False


class ProbabilityInput(forms.TextInput):
    """A text input followed by a live reading of what was typed ("Reads as 75%").

    A bare fraction ("0.3") is doubted: the box is rendered with a choice between the two
    readings ("0.3%" or "30%", radio buttons that work without JavaScript), and the
    choice, posted as `<name>_meant`, replaces what was typed."""

    template_name = "predictions/widgets/probability_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        typed = str(value or "")
        if choices := doubt_choices(typed):
            context["doubt"] = {
                "name": f"{name}_meant",
                "message": doubt_message(typed),
                "choices": choices,
            }
        return context

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        choice = data.get(f"{name}_meant")
        if choice and choice in doubt_choices(str(value or "")):
            return choice
        return value


class ProbabilityField(forms.CharField):
    """A probability as a percentage ("70", "70%"), odds ("1 in 20", "3:1") or words
    ("very likely"): cleans to a Reading."""

    widget = ProbabilityInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("error_messages", {"required": MSG_EMPTY})
        kwargs.setdefault(
            "help_text",
            "Your chance that the claim comes true: a percentage (70%), odds (1 in 20) "
            "or words (very likely).",
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Text, not type=number: "70%", "1 in 20" and "likely" must be accepted as typed.
        attrs.update(
            {
                "autocomplete": "off",
                "class": "input-probability",
                "hx-get": reverse_lazy("predictions:probability_reading"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "next .probability-reading",
                # Explicit: hx-swap is inherited, and the multiple-choice rows sit in an
                # element that swaps outerHTML (the running total), which would replace
                # the reading's <output> and send the next reading to another box's.
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        if doubt := doubt_message(value):
            raise ValidationError(f"{doubt} Choose one below.", code="ambiguous_fraction")
        try:
            return parse_probability(value)
        except ProbabilityError as exc:
            raise ValidationError(str(exc), code="invalid_probability") from exc


class BoundedDateField(forms.DateField):
    """A date within the bounds every entry path shares (predictions.rules), in an ISO
    <input type="date">."""

    widget = DateInput
    default_validators = [
        MinValueValidator(rules.EARLIEST_DATE, message=rules.MSG_DATE_RANGE),
        MaxValueValidator(rules.LATEST_DATE, message=rules.MSG_DATE_RANGE),
    ]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"min": rules.EARLIEST_DATE.isoformat(), "max": rules.LATEST_DATE.isoformat()})
        return attrs


class DateInWordsInput(DateInput):
    """A text box for a date: ISO or words ("end of month"), with a live reading. Not
    type=date, whose digit order follows the browser's locale, which refuses words and
    which costs a Tab stop per segment."""

    input_type = "text"
    template_name = "predictions/widgets/date_in_words_input.html"


class ResolveByInput(DateInWordsInput):
    """The resolve-by box: a date in words with quick-date buttons."""

    template_name = "predictions/widgets/resolve_by_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["quick_dates"] = QUICK_DATES
        return context


class DateInWordsField(BoundedDateField):
    """A date typed as 2027-03-01 or in words (predictions.dates_in_words), read in the
    owner's calendar: forms set `today` (TagsMixin.set_owner does for the resolve-by
    date)."""

    widget = DateInWordsInput
    # The owner's local date, or a function giving it (asked only when a value is read);
    # the server's when no owner was set.
    today: date | Callable[[], date] | None = None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs.update(
            {
                "autocomplete": "off",
                "placeholder": "2027-03-01, end of month, by Friday…",
                "hx-get": reverse_lazy("predictions:date_reading"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "next .date-reading",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        return attrs

    def to_python(self, value):
        if value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        today = self.today() if callable(self.today) else self.today
        try:
            return read_date(value, today or timezone.localdate())
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class ResolveByField(DateInWordsField):
    """The resolve-by date, with quick-date buttons."""

    widget = ResolveByInput


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime):
            # DateTimeField.prepare_value already made it naive local time; be safe either way.
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.replace(tzinfo=None).isoformat(timespec="minutes")
        return super().format_value(value)


class TagChoiceField(forms.ModelMultipleChoiceField):
    """Tags by id. An id no database integer can hold is "not one of the choices":
    Django would pass it on in a `pk__in` query, where SQLite raises OverflowError (a 500)."""

    def _check_values(self, value):
        low, high = connection.ops.integer_field_range("BigAutoField")
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not an integer at all: Django's own check refuses it
            if not low <= number <= high:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


# After the claim and the kind's own fields (probability, options or dates), every entry
# form has these, in this order.
TRAILING_FIELDS = ["resolve_by", "resolution_criteria", "tags", "new_tags", "notes", "visibility"]


class TagsMixin(forms.Form):
    """Pick existing tags of the owner or type new ones."""

    tags = TagChoiceField(
        queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_tags = forms.CharField(
        required=False, max_length=400, label="New tags", help_text=MSG_NEW_TAGS_HELP
    )

    def set_owner(self, owner) -> None:
        """Offers the owner's tags (no empty box when there are none yet: the text box,
        and #hashtags on the capture line, make them), and reads a resolve-by date in
        words in their calendar."""
        field = self.fields["tags"]
        assert isinstance(field, TagChoiceField)  # declared above
        field.queryset = Tag.objects.filter(owner=owner)
        if not field.queryset.exists():
            del self.fields["tags"]
            self.fields["new_tags"].label = "Tags"
        resolve_by = self.fields.get("resolve_by")
        if isinstance(resolve_by, ResolveByField):
            resolve_by.today = profile_for(owner).today()

    def clean(self):
        """A resolve-by box left empty takes the date the claim's own words give ("… this
        week"), as the capture line does; without one it asks for a date."""
        cleaned = super().clean()
        field = self.fields.get("resolve_by")
        if not isinstance(field, ResolveByField) or cleaned.get("resolve_by"):
            return cleaned
        if "resolve_by" in self.errors:
            return cleaned  # an unreadable date has its own message
        today = field.today() if callable(field.today) else field.today
        deadline = read_deadline(cleaned.get("question") or "", today or timezone.localdate())
        if deadline is None:
            self.add_error("resolve_by", MSG_NO_DATE)
        else:
            cleaned["resolve_by"] = deadline.day
        return cleaned

    def chosen_tags(self) -> list[Tag]:
        return list(self.cleaned_data.get("tags") or [])

    def trailing_fields(self):
        """The fields after the kind's own ones, in one order for every kind."""
        return [self[name] for name in TRAILING_FIELDS if name in self.fields]

    def new_tag_names(self) -> list[str]:
        return [name for name in self.cleaned_data.get("new_tags", "").split(",") if name.strip()]

    def clean_new_tags(self) -> str:
        value = self.cleaned_data["new_tags"]
        try:
            rules.tag_names(value.split(","))
        except ValidationError as exc:
            raise rules.without_field(exc) from exc
        return value


class ClaimField(forms.CharField):
    """The claim: at most QUESTION_MAX_LENGTH characters, refused with a message when
    longer. No maxlength attribute, with which the browser would cut the sentence
    silently; static/js/site.js shows a counter instead, and completes date phrases
    (predictions/date_completion.py)."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["data-date-completion"] = completion_json()
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs["data-max-chars"] = str(self.max_length)
        return attrs


class PredictionForm(TagsMixin):
    question = ClaimField(
        label="Claim",
        max_length=QUESTION_MAX_LENGTH,
        error_messages={"max_length": MSG_QUESTION_TOO_LONG},
        help_text=(
            f"One falsifiable sentence of at most {QUESTION_MAX_LENGTH} characters, "
            "e.g. “GPT-5 is released before 1 July”."
        ),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    probability = ProbabilityField(label="Probability")
    resolve_by = ResolveByField(
        label="Resolve by",
        # Not required: left empty, it is read from the claim (TagsMixin.clean).
        required=False,
        help_text=(
            "The day by which it will be known (end of that day, your time): "
            "2027-03-01 or words such as “end of next month”. Left empty, it is read "
            "from the claim (“… this week”)."
        ),
    )
    resolution_criteria = forms.CharField(
        label="Resolution criteria",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How it will be judged: the source or event that settles it.",
    )
    notes = forms.CharField(
        required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    visibility = forms.ChoiceField(
        choices=Prediction.Visibility.choices,
        initial=Prediction.Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )

    field_order = ["question", "probability", *TRAILING_FIELDS]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner(owner)
        self.owner = owner

    def clean_probability(self):
        reading = self.cleaned_data["probability"]
        if reading is None:
            raise ValidationError("Enter a probability, e.g. 70 or 70%.")
        return reading


class PredictionEditForm(TagsMixin):
    question = PredictionForm.base_fields["question"]
    resolve_by = PredictionForm.base_fields["resolve_by"]
    resolution_criteria = PredictionForm.base_fields["resolution_criteria"]
    notes = PredictionForm.base_fields["notes"]

    field_order = ["question", *TRAILING_FIELDS]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner(owner)


class ForecastForm(forms.Form):
    probability = ProbabilityField(label="New probability")
    rationale = forms.CharField(
        required=False,
        max_length=5000,
        label="Why (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What changed your mind? Future you will want to know.",
    )
    evidence: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Prompted by evidence (optional)",
        empty_label="— none —",
    )

    def __init__(self, *args, prediction: Prediction, author=None, **kwargs):
        # `author` as the other kinds' forms take it; a yes/no update starts empty.
        super().__init__(*args, **kwargs)
        offer_evidence(self, prediction)

    def clean_probability(self):
        reading = self.cleaned_data["probability"]
        if reading is None:
            raise ValidationError("Enter a probability, e.g. 70 or 70%.")
        return reading


class ResolveForm(forms.Form):
    OUTCOMES = [("yes", "YES: it happened"), ("no", "NO: it did not"), ("annulled", "ANNULLED")]

    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.RadioSelect)
    known_at = forms.DateTimeField(
        label="Known at",
        required=False,
        widget=DateTimeInput,
        help_text="When the outcome became knowable (defaults to now). Forecasts made "
        "after this moment are late and never count.",
    )
    note = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Resolving source (optional)",
        empty_label="— none —",
    )

    def __init__(self, *args, prediction: Prediction, **kwargs):
        super().__init__(*args, **kwargs)
        self.prediction = prediction
        if offer_evidence(self, prediction):
            help_text = "Known-at defaults to the start of the source's publication day."
            self.fields["evidence"].help_text = help_text

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("known_at") and not self.errors:
            cleaned["known_at"] = known_at_for_evidence(self.prediction, cleaned.get("evidence"))
        return cleaned

    def clean_known_at(self):
        known_at = self.cleaned_data.get("known_at")
        if known_at and (problem := known_at_problem(self.prediction, known_at)):
            raise ValidationError(problem)
        return known_at

    def outcome_value(self) -> str:
        return self.cleaned_data["outcome"]


def known_at_for_evidence(prediction: Prediction, evidence) -> datetime | None:
    """When a resolving source's news became knowable: the start of its publication day
    in the owner's time zone (never before the prediction, never in the future). The
    start, not the end, so that no forecast made after the news counts by mistake."""
    day = evidence.source.published_date if evidence is not None else None
    if day is None:
        return None
    # Two days either side settle it whatever the time zone, and keep dates at the ends
    # of the calendar (year 1, year 9999) away from date arithmetic that overflows.
    if day < prediction.created_at.date() - timedelta(days=1):
        return prediction.created_at
    if day > timezone.now().date() + timedelta(days=1):
        return timezone.now()
    profile = Profile.objects.get_or_create(user_id=prediction.owner_id)[0]
    start = profile.end_of_day(day - timedelta(days=1))
    return min(max(start, prediction.created_at), timezone.now())


def evidence_from_query(prediction: Prediction, value: str | None):
    """The prediction's own evidence link named in a query string (?evidence=<id>)."""
    if value is None or not value.isdigit():
        return None
    return prediction.evidence_links.select_related("source").filter(pk=value).first()


class ShareForm(forms.Form):
    visibility = forms.ChoiceField(
        choices=Prediction.Visibility.choices, widget=forms.RadioSelect, label="Who can read it"
    )
    new_link = forms.BooleanField(
        required=False, label="Make a new link (the old one stops working)"
    )
    groups: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Forecast together with your groups",
        help_text="Members can read it and forecast on it; only you edit and resolve it.",
    )
    hide_until_forecast = forms.BooleanField(
        required=False,
        initial=True,
        label="Hide the others' forecasts until each member has made their own",
    )
    hidden_until = BoundedDateField(
        required=False,
        label="Hide them from everyone until (optional)",
        help_text="Nobody sees the others' forecasts or the community forecast before this day.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        groups = self.fields["groups"]
        assert isinstance(groups, forms.ModelMultipleChoiceField)  # declared above
        groups.queryset = sharing.groups_of(owner)
        if not groups.queryset.exists():
            # Nothing to share with: the hiding switches would only reset to off.
            for name in ("groups", "hide_until_forecast", "hidden_until"):
                del self.fields[name]


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False, help_text="Optional; for reminders, once you confirm it by email."
    )
    timezone = forms.ChoiceField(
        choices=timezone_choices,
        initial="UTC",
        help_text="Resolve-by dates end at midnight here. Proposed from your browser.",
        widget=forms.Select(attrs={"data-detect-timezone": ""}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self):
        username = super().clean_username()  # NFKC-normalised; refuses one differing in case
        if username:
            check_new_username(username)
        return username


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=timezone_choices)

    class Meta:
        model = Profile
        fields = ("display_name", "timezone")
        help_texts = {"display_name": "Shown on predictions you share; nothing else is."}
