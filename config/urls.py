from django.contrib import admin
from django.urls import include, path

from operations.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # for load balancers; no login
    path("admin/", admin.site.urls),
    path("accounts/", include("predictions.account_urls")),
    path("evidence/", include("sources.urls")),
    path("mail/", include("notifications.urls")),
    path("groups/", include("groups.urls")),
    path("", include("reports.urls")),
    path("", include("predictions.urls")),
]
