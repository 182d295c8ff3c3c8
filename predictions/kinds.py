"""Form pieces for multiple-choice and release-date predictions.

A multiple-choice form carries a variable number of option rows (label + probability);
a release-date form carries the dates by which the forecaster is 5…95% sure the event
has happened. The yes/no forms live in forms.py and share the fields defined there.
"""

import re
from decimal import Decimal
from typing import Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions import rules, services, sharing
from predictions.forms import (
    TRAILING_FIELDS,
    BoundedDateField,
    ClaimField,
    DateInWordsField,
    ForecastForm,
    ProbabilityField,
    ResolveForm,
    TagsMixin,
    offer_evidence,
)
from predictions.forms import PredictionForm as BinaryPredictionForm
from predictions.models import QUESTION_MAX_LENGTH, Prediction
from predictions.probability import format_percent
from predictions.rules import MAX_OPTIONS, MIN_OPTIONS
from predictions.services import profile_for
from web.forms import add_form_errors

DEFAULT_OPTION_ROWS = 3
QUANTILE_FIELDS = [  # (field name, level, required)
    ("q05", Decimal("0.050"), False),
    ("q10", Decimal("0.100"), True),
    ("q25", Decimal("0.250"), False),
    ("q50", Decimal("0.500"), True),
    ("q75", Decimal("0.750"), False),
    ("q90", Decimal("0.900"), True),
    ("q95", Decimal("0.950"), False),
]


def running_total(data) -> Decimal | None:
    """The total of the posted option probabilities, or None while any is unreadable."""
    total = Decimal(0)
    keys = [key for key in data if key.startswith("prob_")]
    if not keys:
        return None
    for key in keys[:MAX_OPTIONS]:
        try:
            total += ProbabilityField().clean(data.get(key)).probability
        except (ValidationError, AttributeError):
            return None
    return total


def option_row_count(data, default: int = DEFAULT_OPTION_ROWS) -> int:
    """How many option rows the form had (2–20), plus one if "add option" was pressed."""
    try:
        count = int((data or {}).get("option_count", default))
    except (TypeError, ValueError):
        count = default
    if data and "add_option" in data:
        count += 1
    return max(MIN_OPTIONS, min(MAX_OPTIONS, count))


class OptionProbabilitiesMixin(forms.Form):
    """Per-option probability fields `prob_<i>` and a check that they total 100% (±0.1)."""

    running_total: Decimal | None = None  # set by check_total(), shown beside the options

    @property
    def total_ok(self) -> bool:
        return self.running_total is not None and rules.total_ok(self.running_total)

    def add_probability_fields(self, labels: list[str] | int, required: bool = True) -> None:
        count = labels if isinstance(labels, int) else len(labels)
        for i in range(count):
            label = f"Probability of option {i + 1}"
            if not isinstance(labels, int):
                label = f"Probability of “{labels[i]}”"
            self.fields[f"prob_{i}"] = ProbabilityField(
                label=label, required=required, help_text=""
            )
        self.option_total = count

    def probabilities(self) -> list[Decimal]:
        return [self.cleaned_data[f"prob_{i}"].probability for i in range(self.option_total)]

    def check_total(self) -> None:
        readings = [self.cleaned_data.get(f"prob_{i}") for i in range(self.option_total)]
        probabilities = [reading.probability for reading in readings if reading is not None]
        if len(probabilities) != len(readings):
            return  # an unreadable probability has its own error
        self.running_total = sum(probabilities, Decimal(0))
        try:
            rules.option_total(probabilities)
        except ValidationError as exc:
            raise rules.without_field(exc) from exc

    def normalised_data(self) -> tuple[dict, str]:
        """The posted data with probabilities scaled to total 100%, for the "Normalise"
        button, and a note saying what was done or why nothing could be. Rows with
        neither a label nor a probability are left out, and the note says so."""
        # Bound data is request.POST (a QueryDict, a dict subclass) or a plain dict.
        assert isinstance(self.data, dict)
        data = form_state(self.data)
        empty = [
            i
            for i in range(self.option_total)
            if f"label_{i}" in self.fields  # an update's options are fixed
            and not str(data.get(f"prob_{i}", "")).strip()
            and not str(data.get(f"label_{i}", "")).strip()
        ]
        if empty and self.option_total - len(empty) >= MIN_OPTIONS:
            for i in reversed(empty):
                data = rows_without(data, i)
            self.option_total -= len(empty)
        else:
            empty = []
        readings = []
        for i in range(self.option_total):
            field = self.fields[f"prob_{i}"]
            try:
                readings.append(field.clean(data.get(f"prob_{i}", "")).probability)
            except (ValidationError, AttributeError):
                name = str(data.get(f"label_{i}", "")).strip() or f"option {i + 1}"
                return data, MSG_NORMALISE_NEEDS_ALL.format(option=name)
        total = sum(readings, Decimal(0))
        if total <= 0:
            return data, MSG_NORMALISE_ZERO
        scaled = [(p / total * 1000).quantize(Decimal(1)) for p in readings]
        # Put the rounding remainder on the largest option so the total is exactly 100%.
        scaled[scaled.index(max(scaled))] += 1000 - sum(scaled)
        for i, permille in enumerate(scaled):
            data[f"prob_{i}"] = format_percent(permille / 1000).rstrip("%")
        note = f"Scaled from {format_percent(total)} to 100%."
        if empty:
            rows = ", ".join(str(i + 1) for i in empty)
            note += f" Left out the empty row{'s' if len(empty) > 1 else ''} {rows}."
        return data, note


MSG_NORMALISE_NEEDS_ALL = (
    "Normalise needs a readable probability for every option: “{option}” has none yet."
)
MSG_NORMALISE_ZERO = "Normalise needs at least one probability above 0%."
# The multiple-choice form's buttons that change its rows without saving.
REARRANGING_BUTTONS = frozenset({"add_option", "remove_option", "normalise"})
_ROW_KEY = re.compile(r"^(?P<field>label|prob)_(?P<index>[0-9]+)(?P<rest>_meant)?$")


def form_state(data) -> dict:
    """Posted values as initial data, to redisplay a form without validating it."""
    getlist = getattr(data, "getlist", None)
    return {key: getlist(key) if getlist and key == "tags" else data.get(key) for key in data}


def rows_without(data, index: int) -> dict:
    """Posted data with option row `index` taken out and the rows after it moved up."""
    state, kept = form_state(data), {}
    for key in state:
        match = _ROW_KEY.match(key)
        if match is None:
            kept[key] = state[key]
            continue
        row = int(match["index"])
        if row == index:
            continue
        row = row - 1 if row > index else row
        kept[f"{match['field']}_{row}{match['rest'] or ''}"] = state[key]
    count = option_row_count(data) - 1
    kept["option_count"] = max(MIN_OPTIONS, count)
    return kept


class MultipleChoicePredictionForm(TagsMixin, OptionProbabilitiesMixin):
    """New multiple-choice prediction: 2–20 options, each with a probability."""

    min_options, max_options = MIN_OPTIONS, MAX_OPTIONS  # for the template and its script

    question = BinaryPredictionForm.base_fields["question"]
    resolve_by = BinaryPredictionForm.base_fields["resolve_by"]
    resolution_criteria = BinaryPredictionForm.base_fields["resolution_criteria"]
    notes = BinaryPredictionForm.base_fields["notes"]
    visibility = BinaryPredictionForm.base_fields["visibility"]
    option_count = forms.IntegerField(
        widget=forms.HiddenInput, min_value=MIN_OPTIONS, max_value=MAX_OPTIONS
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner(owner)
        count = option_row_count(self.data if self.is_bound else self.initial)
        # Set, not defaulted: after "Add an option" the initial data holds the old count.
        self.initial["option_count"] = count
        if self.is_bound:
            self.data = self.data.copy()
            self.data["option_count"] = count
        for i in range(count):
            self.fields[f"label_{i}"] = forms.CharField(
                label=f"Option {i + 1}", max_length=200, required=True
            )
        self.add_probability_fields(count)
        self.order_fields(["question", *self.option_field_names(), *TRAILING_FIELDS])

    def rearranged(self) -> tuple[dict, str, int | None]:
        """For a press of Add an option, Remove or Normalise (bound data, nothing saved):
        the data to redisplay, a note saying what was done, and the row to focus."""
        data: Any = self.data
        if "remove_option" in data:
            try:
                index = int(data.get("remove_option", ""))
            except ValueError:
                index = -1
            if self.option_total > MIN_OPTIONS and 0 <= index < self.option_total:
                return rows_without(data, index), f"Removed option {index + 1}.", None
            return form_state(data), f"A question needs at least {MIN_OPTIONS} options.", None
        if "normalise" in data:
            normalised, note = self.normalised_data()
            return normalised, note, None
        # "Add an option": this form's option_count counts the new row already.
        state = form_state(data)
        state.pop("add_option", None)
        return state, "", self.option_total - 1

    def focus_option(self, row: int | None) -> None:
        """Puts the cursor in option `row`'s label (after "Add an option" without JS)."""
        if row is None or f"label_{row}" not in self.fields:
            return
        self.fields["question"].widget.attrs.pop("autofocus", None)
        self.fields[f"label_{row}"].widget.attrs["autofocus"] = True

    def option_field_names(self) -> list[str]:
        return [name for i in range(self.option_total) for name in (f"label_{i}", f"prob_{i}")]

    def option_rows(self):
        """(label field, probability field) pairs for the template."""
        return [(self[f"label_{i}"], self[f"prob_{i}"]) for i in range(self.option_total)]

    def labels(self) -> list[str]:
        return [self.cleaned_data[f"label_{i}"] for i in range(self.option_total)]

    def clean(self):
        cleaned = super().clean()
        labels = [cleaned.get(f"label_{i}", "") for i in range(self.option_total)]
        if all(labels):  # a missing label already has its own error
            try:
                rules.option_labels(labels)
            except ValidationError as exc:
                raise rules.without_field(exc) from exc
        self.check_total()
        return cleaned


class OptionForecastForm(OptionProbabilitiesMixin):
    """A new forecast on a multiple-choice prediction: one probability per option."""

    rationale = forms.CharField(
        required=False,
        max_length=5000,
        label="Why (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Prompted by evidence (optional)",
        empty_label="— none —",
    )

    def __init__(self, *args, prediction: Prediction, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(prediction.options.all())
        self.add_probability_fields([option.label for option in self.options])
        self.order_fields([f"prob_{i}" for i in range(self.option_total)])
        offer_evidence(self, prediction)
        # Start from the author's current forecast (the owner's unless another member
        # forecasts): an update changes a number or two, not all.
        latest = sharing.latest_forecast(prediction, author)
        if latest is not None:
            current = {row.option_id: row.probability for row in latest.option_probabilities.all()}
            for i, option in enumerate(self.options):
                if option.pk in current:
                    self.initial.setdefault(f"prob_{i}", format_percent(current[option.pk]))

    def option_rows(self):
        """(label, probability field) pairs for the template, as the creation form's."""
        return [(option.label, self[f"prob_{i}"]) for i, option in enumerate(self.options)]

    def clean(self):
        cleaned = super().clean()
        self.check_total()
        return cleaned


class QuantilesMixin(forms.Form):
    """The 10/50/90% dates (required) and 5/25/75/95% (optional), strictly increasing."""

    def add_quantile_fields(self, today=None) -> None:
        """Text boxes that read ISO dates and words ("end of next year"): one Tab stop
        each, unlike a date picker's three segments and calendar button."""
        for name, level, required in QUANTILE_FIELDS:
            field = DateInWordsField(label=f"{format_percent(level)} sure by", required=required)
            field.today = today
            self.fields[name] = field

    def start_from(self, prediction: Prediction, author=None) -> None:
        """Fills the boxes with the author's (by default the owner's) current dates."""
        latest = sharing.latest_forecast(prediction, author)
        if latest is None:
            return
        days = {row.level: row.value for row in latest.quantiles.all()}
        for name, level, _ in QUANTILE_FIELDS:
            if level in days:
                self.initial.setdefault(name, days[level].isoformat())

    def quantiles(self) -> dict[Decimal, object]:
        return {
            level: self.cleaned_data[name]
            for name, level, _ in QUANTILE_FIELDS
            if self.cleaned_data.get(name)
        }

    def check_order(self) -> None:
        days = [self.cleaned_data.get(name) for name, _, _ in QUANTILE_FIELDS]
        try:
            rules.quantile_order([day for day in days if day])
        except ValidationError as exc:
            raise rules.without_field(exc) from exc

    def quantile_fields(self):
        return [self[name] for name, _, _ in QUANTILE_FIELDS]


class DatePredictionForm(TagsMixin, QuantilesMixin):
    """New release-date prediction: when will it have happened?"""

    question = ClaimField(
        label="Event",
        max_length=QUESTION_MAX_LENGTH,  # as the yes/no form's claim
        error_messages=BinaryPredictionForm.base_fields["question"].error_messages,
        help_text="What will happen, e.g. “GPT-5 is released to the public”.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    resolve_by = BinaryPredictionForm.base_fields["resolve_by"]
    resolution_criteria = BinaryPredictionForm.base_fields["resolution_criteria"]
    notes = BinaryPredictionForm.base_fields["notes"]
    visibility = BinaryPredictionForm.base_fields["visibility"]

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_owner(owner)
        self.add_quantile_fields(profile_for(owner).today())
        self.order_fields(["question", *[name for name, _, _ in QUANTILE_FIELDS], *TRAILING_FIELDS])

    def clean(self):
        cleaned = super().clean()
        self.check_order()
        return cleaned


class DateForecastForm(QuantilesMixin):
    rationale = OptionForecastForm.base_fields["rationale"]
    evidence = OptionForecastForm.base_fields["evidence"]

    def __init__(self, *args, prediction: Prediction, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_quantile_fields(lambda: profile_for(prediction.owner).today())
        self.order_fields([name for name, _, _ in QUANTILE_FIELDS])
        offer_evidence(self, prediction)
        self.start_from(prediction, author)

    def clean(self):
        cleaned = super().clean()
        self.check_order()
        return cleaned


class ResolveOptionForm(ResolveForm):
    """Resolve a multiple-choice prediction: the winning option, or annul."""

    # Django drops an inherited declared field that a subclass sets to None; the stubs
    # only see a ChoiceField attribute overridden with another type.
    outcome = None  # type: ignore[assignment]
    winner: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which option happened?",
    )
    annul = forms.BooleanField(required=False, label="Annul instead (nobody is scored)")
    field_order = ["winner", "annul"]

    def __init__(self, *args, prediction: Prediction, **kwargs):
        super().__init__(*args, prediction=prediction, **kwargs)
        winner = self.fields["winner"]
        assert isinstance(winner, forms.ModelChoiceField)  # declared above
        winner.queryset = prediction.options.all()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("annul") and not cleaned.get("winner"):
            raise ValidationError("Choose the option that happened, or annul.", code="required")
        return cleaned

    def outcome_value(self):
        return "annulled" if self.cleaned_data["annul"] else self.cleaned_data["winner"]


class ResolveDateForm(ResolveForm):
    """Resolve a release-date prediction: the date it happened, or annul."""

    # Django drops an inherited declared field that a subclass sets to None; the stubs
    # only see a ChoiceField attribute overridden with another type.
    outcome = None  # type: ignore[assignment]
    actual_date = BoundedDateField(label="It happened on", required=False)
    annul = forms.BooleanField(required=False, label="Annul instead (nobody is scored)")
    field_order = ["actual_date", "annul"]

    def clean(self):
        cleaned = super().clean()
        actual = cleaned.get("actual_date")
        if not cleaned.get("annul") and not actual:
            raise ValidationError("Give the date it happened, or annul.", code="required")
        if actual:
            try:
                rules.actual_date(actual, today=timezone.localdate(), field="actual_date")
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def outcome_value(self):
        return "annulled" if self.cleaned_data["annul"] else self.cleaned_data["actual_date"]


class ExtendForm(forms.Form):
    resolve_by = BoundedDateField(label="New resolve-by date")
    note = forms.CharField(required=False, max_length=300, label="Why (optional)")


class ForecastFormClass(Protocol):
    """A forecast form class: built for one prediction, given as a keyword, for the
    author who forecasts (None: the owner)."""

    def __call__(
        self, *args: Any, prediction: Prediction, author: Any = None, **kwargs: Any
    ) -> forms.Form: ...


# Keyed by str: Prediction.Kind is a str TextChoices and lookups pass the stored kind.
CREATE_FORMS: dict[str, type[forms.Form]] = {
    Prediction.Kind.BINARY: BinaryPredictionForm,
    Prediction.Kind.MULTIPLE_CHOICE: MultipleChoicePredictionForm,
    Prediction.Kind.DATE: DatePredictionForm,
}
FORECAST_FORMS: dict[str, ForecastFormClass] = {
    Prediction.Kind.BINARY: ForecastForm,
    Prediction.Kind.MULTIPLE_CHOICE: OptionForecastForm,
    Prediction.Kind.DATE: DateForecastForm,
}
RESOLVE_FORMS: dict[str, type[ResolveForm]] = {
    Prediction.Kind.BINARY: ResolveForm,
    Prediction.Kind.MULTIPLE_CHOICE: ResolveOptionForm,
    Prediction.Kind.DATE: ResolveDateForm,
}


def create_payload(form) -> dict:
    """The kind-specific keyword arguments of prediction_create for a valid form."""
    if isinstance(form, MultipleChoicePredictionForm):
        return {"options": form.labels(), "option_probabilities": form.probabilities()}
    if isinstance(form, DatePredictionForm):
        return {"quantiles": form.quantiles()}
    reading = form.cleaned_data["probability"]
    return {"probability": reading.probability, "phrase": reading.phrase}


def forecast_payload(form) -> dict:
    """The kind-specific keyword arguments of forecast_create for a valid form."""
    if isinstance(form, OptionForecastForm):
        return {"option_probabilities": form.probabilities()}
    if isinstance(form, DateForecastForm):
        return {"quantiles": form.quantiles()}
    reading = form.cleaned_data["probability"]
    return {"probability": reading.probability, "phrase": reading.phrase}


def create_from_form(form, *, owner, kind: str) -> Prediction | None:
    """Saves a valid entry form through the service, or puts its refusal on the form
    (None). The new-prediction page and the API both save through here."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            tags = form.chosen_tags() + services.tags_for_names(
                owner=owner, names=form.new_tag_names()
            )
            return services.prediction_create(
                owner=owner,
                kind=kind,
                question=data["question"],
                resolve_by=data["resolve_by"],
                resolution_criteria=data["resolution_criteria"],
                tags=tags,
                notes=data["notes"],
                visibility=data["visibility"],
                **create_payload(form),
            )
    except ValidationError as exc:
        add_form_errors(form, exc)
        return None


def forecast_from_form(form, *, prediction: Prediction, author):
    """Saves a valid forecast form's forecast (the page and the API); the service's
    ValidationError goes to the caller."""
    return services.forecast_create(
        prediction=prediction,
        author=author,
        rationale=form.cleaned_data["rationale"],
        evidence=form.cleaned_data.get("evidence"),
        **forecast_payload(form),
    )


def resolve_from_form(form: ResolveForm, *, prediction: Prediction) -> Prediction:
    """Resolves as a valid resolve form says (the page and the API); the service's
    ValidationError goes to the caller."""
    data = form.cleaned_data
    return services.prediction_resolve(
        prediction=prediction,
        outcome=form.outcome_value(),
        known_at=data["known_at"],
        note=data["note"],
        evidence=data.get("evidence"),
    )


def extend_from_form(form: ExtendForm, *, prediction: Prediction) -> Prediction:
    """Moves the resolve-by date as a valid extend form says (the page and the API)."""
    return services.prediction_extend(
        prediction=prediction,
        resolve_by=form.cleaned_data["resolve_by"],
        note=form.cleaned_data["note"],
    )
