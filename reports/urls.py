from django.urls import path

from reports import export_views, import_views, views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/charts/<slug:name>.svg", views.dashboard_chart, name="chart"),
    path("charts/prediction/<int:pk>.svg", views.prediction_chart, name="prediction_chart"),
    path(
        "charts/shared/<slug:token>.svg",
        views.shared_prediction_chart,
        name="shared_prediction_chart",
    ),
    path("export/predictions.csv", export_views.export_csv, name="export_csv"),
    path("export/predictions.json", export_views.export_json, name="export_json"),
    path("export/columns/", export_views.export_columns, name="export_columns"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<slug:token>/", import_views.import_preview, name="import_preview"),
    path("import/<slug:token>/status/", import_views.import_status, name="import_status"),
    path("import/<slug:token>/retry/", import_views.import_retry, name="import_retry"),
    path("import/<slug:token>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<slug:token>/cancel/", import_views.import_cancel, name="import_cancel"),
]
