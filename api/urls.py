from django.urls import path

from api import views

urlpatterns = [
    path("create/", views.create, name="api_token_create"),
    path("<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
