"""Admin for predictions. Forecasts and histories are append-only, so read-only here."""

from django.contrib import admin

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


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    list_display = ["question", "owner", "kind", "status", "resolve_by", "created_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["question"]
    raw_id_fields = ["owner", "outcome_option", "resolution_evidence"]
    # Resolution state changes only through the resolve service, which records history.
    readonly_fields = [
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
