"""Admin for predictions. Forecasts and histories are append-only, so read-only here;
a prediction's wording and deadline change only through the edit service, so the admin's
changes are in its edit history exactly as the edit page's are."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from predictions import rules, services
from predictions.models import (
    DateQuantile,
    Forecast,
    OptionProbability,
    Prediction,
    PredictionEdit,
    Profile,
    ResolutionEvent,
    Tag,
)
from predictions.services.profiles import MSG_NOT_YOUR_TAGS
from web.forms import DateInput


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: viewable, never added, changed or deleted by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ForecastInline(ReadOnlyInline):
    model = Forecast
    fields = ["created_at", "probability", "phrase", "rationale", "evidence"]


class ResolutionEventInline(ReadOnlyInline):
    model = ResolutionEvent
    fields = [
        "created_at",
        "action",
        "outcome",
        "outcome_option",
        "outcome_date",
        "known_at",
        "note",
    ]


class PredictionEditInline(ReadOnlyInline):
    model = PredictionEdit
    fields = ["created_at", "field", "old_value", "new_value"]


class PredictionAdminForm(forms.ModelForm):
    """The edit page's rules: dates in range, the owner's own tags."""

    class Meta:
        model = Prediction
        # What an admin may change; everything else is read-only (PredictionAdmin).
        fields = ["question", "resolution_criteria", "resolve_by", "notes", "visibility", "tags"]
        widgets = {"resolve_by": DateInput}  # ISO, as every date input (web.forms)

    def clean_resolve_by(self):
        value = self.cleaned_data["resolve_by"]
        try:
            rules.date_in_range(value, "resolve_by")
        except ValidationError as exc:
            raise rules.without_field(exc) from exc
        return value

    def clean_tags(self):
        tags = self.cleaned_data["tags"]
        if any(tag.owner_id != self.instance.owner_id for tag in tags):
            raise ValidationError(MSG_NOT_YOUR_TAGS)
        return tags


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    form = PredictionAdminForm
    list_display = ["question", "owner", "kind", "status", "resolve_by", "created_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["question"]
    raw_id_fields = ["outcome_option", "resolution_evidence"]
    # Resolution state changes only through the resolve service, which records history;
    # owner, kind and share link are the app's.
    readonly_fields = [
        "owner",
        "kind",
        "share_token",
        "created_at",
        "status",
        "outcome",
        "outcome_option",
        "outcome_date",
        "known_at",
        "resolved_at",
        "resolution_note",
        "resolution_evidence",
        "import_key",
    ]
    inlines = [ForecastInline, ResolutionEventInline, PredictionEditInline]

    def has_add_permission(self, request) -> bool:
        return False  # owners make predictions in the app, through prediction_create

    def save_model(self, request, obj, form, change) -> None:
        """Through the services: the stored prediction (the form has already changed
        `obj`) gets the new wording, deadline and notes from `prediction_update`, which
        records what changed after the first forecast, and its visibility from
        `prediction_share`. Tags follow in save_related, as in any admin."""
        stored = Prediction.objects.get(pk=obj.pk)
        services.prediction_update(
            prediction=stored,
            question=obj.question,
            resolve_by=obj.resolve_by,
            resolution_criteria=obj.resolution_criteria,
            notes=obj.notes,
            tags=None,
        )
        if obj.visibility != stored.visibility:
            services.prediction_share(prediction=stored, visibility=obj.visibility)
        obj.refresh_from_db()


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ["prediction", "probability", "created_at"]
    raw_id_fields = ["prediction", "evidence"]


@admin.register(OptionProbability)
class OptionProbabilityAdmin(ReadOnlyAdmin):
    list_display = ["forecast", "option", "probability"]


@admin.register(DateQuantile)
class DateQuantileAdmin(ReadOnlyAdmin):
    list_display = ["forecast", "level", "value"]


@admin.register(ResolutionEvent)
class ResolutionEventAdmin(ReadOnlyAdmin):
    list_display = ["prediction", "action", "outcome", "known_at", "created_at"]


@admin.register(PredictionEdit)
class PredictionEditAdmin(ReadOnlyAdmin):
    list_display = ["prediction", "field", "created_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "owner"]
    search_fields = ["name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "timezone"]
