from django.contrib import admin

from notifications.models import MailOptOut, ScheduledRun, SentMail


@admin.register(MailOptOut)
class MailOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("user",)


@admin.register(SentMail)
class SentMailAdmin(admin.ModelAdmin):
    """Read-only: the rows are what keeps a mail from being sent twice."""

    list_display = ("user", "kind", "subject_id", "period", "sent_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ("job", "period_start", "enqueued_at", "task_result_id")
    list_filter = ("job",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
