"""Mounted at the site's root (config/urls.py), beside the prediction's own URLs."""

from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("p/<int:pk>/comments/", views.thread, name="thread"),
    path("p/<int:pk>/comments/<int:comment_pk>/edit/", views.edit, name="edit"),
    path("p/<int:pk>/comments/<int:comment_pk>/delete/", views.delete, name="delete"),
    path("p/<int:pk>/comments/<int:comment_pk>/history/", views.history, name="history"),
]
