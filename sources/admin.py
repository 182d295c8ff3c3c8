from django.contrib import admin

from sources.forms import SourceAdminForm
from sources.models import EvidenceLink, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm  # only http/https URLs, normalised like everywhere else
    list_display = ["title", "url", "owner", "published_date"]
    search_fields = ["title", "url", "publisher"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["prediction", "source", "stance", "created_at"]
    list_filter = ["stance"]
    raw_id_fields = ["prediction", "source"]
