from django.urls import path

from sources import views

app_name = "sources"
urlpatterns = [
    path("", views.source_list, name="library"),
    path("source/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("prediction/<int:pk>/", views.evidence_section, name="prediction_evidence"),
    path("prediction/<int:pk>/add/", views.evidence_create, name="evidence_create"),
    path(
        "prediction/<int:pk>/fetch-title/",
        views.evidence_fetch_title,
        name="evidence_fetch_title",
    ),
    path("link/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("link/<int:pk>/edit/", views.evidence_edit, name="evidence_edit"),
    path("link/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
]
