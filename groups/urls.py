from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    # Invitation tokens are URL-safe base64 (secrets.token_urlsafe): a slug; anything
    # else is the resolver's 404.
    path("join/<slug:token>/", views.group_join, name="join"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/edit/", views.group_edit, name="edit"),
    path("<int:pk>/leave/", views.group_leave, name="leave"),
    path("<int:pk>/delete/", views.group_delete, name="delete"),
    path("<int:pk>/invite/new/", views.invite_new, name="invite_new"),
    path("<int:pk>/invite/off/", views.invite_off, name="invite_off"),
    path("<int:pk>/members/<int:member>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/members/<int:member>/role/", views.member_role, name="member_role"),
    path("<int:pk>/members/<int:member>/owner/", views.member_owner, name="member_owner"),
]
