"""The notifications page, at /notifications/ (mail choices are under /mail/)."""

from django.urls import path

from notifications import views

app_name = "inbox"

urlpatterns = [
    path("", views.notification_list, name="list"),
]
