from django.urls import path

from predictions import embed, reading, views

app_name = "predictions"
urlpatterns = [
    path("", views.prediction_list, name="list"),
    path("new/", views.prediction_create, name="create"),
    path("new/capture/", views.capture_save, name="capture"),
    path("new/capture/preview/", views.capture_preview, name="capture_preview"),
    path("new/date/reading/", views.date_reading, name="date_reading"),
    path("due/", views.due_queue, name="due"),
    path("due/badge/", views.due_badge, name="due_badge"),
    path("new/total/", views.option_total, name="option_total"),
    path("probability/reading/", reading.probability_reading, name="probability_reading"),
    path("p/<int:pk>/extend/", views.prediction_extend, name="extend"),
    path("p/<int:pk>/", views.prediction_detail, name="detail"),
    path("p/<int:pk>/forecast/", views.forecast_add, name="forecast"),
    path("p/<int:pk>/forecast/evidence/", views.forecast_evidence, name="forecast_evidence"),
    path("p/<int:pk>/resolve/", views.prediction_resolve, name="resolve"),
    path("p/<int:pk>/reopen/", views.prediction_reopen, name="reopen"),
    path("p/<int:pk>/edit/", views.prediction_edit, name="edit"),
    path("p/<int:pk>/share/", views.prediction_share, name="share"),
    # Share tokens are URL-safe base64 (secrets.token_urlsafe): a slug. Anything else is a
    # 404 from the resolver, before a NUL byte can reach PostgreSQL as a DataError.
    path("s/<slug:token>/", views.prediction_shared, name="shared"),
    path("embed/<slug:token>/", embed.embed_card, name="embed"),
]
