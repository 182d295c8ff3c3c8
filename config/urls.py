from django.contrib import admin
from django.urls import include, path

from api.main import urls as api_urls

urlpatterns = [
    # /healthz is answered by operations.middleware, before sessions are read.
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    path("accounts/", include("predictions.account_urls")),
    path("evidence/", include("sources.urls")),
    path("mail/", include("notifications.urls")),
    path("", include("comments.urls")),  # p/<id>/comments/…
    path("groups/", include("groups.urls")),
    path("notifications/", include("notifications.inbox_urls")),
    path("", include("reports.urls")),
    path("", include("predictions.urls")),
]
