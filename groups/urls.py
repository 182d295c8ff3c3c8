from django.urls import path, register_converter

from groups import views


class IdConverter:
    """A row id: at most 18 digits, so it fits a 64-bit integer. A longer one is the
    resolver's 404 (as `int` it reached SQLite, which raises OverflowError: a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    # Invitation tokens are URL-safe base64 (secrets.token_urlsafe): a slug; anything
    # else is the resolver's 404.
    path("join/<slug:token>/", views.group_join, name="join"),
    path("<id:pk>/", views.group_detail, name="detail"),
    path("<id:pk>/edit/", views.group_edit, name="edit"),
    path("<id:pk>/leave/", views.group_leave, name="leave"),
    path("<id:pk>/delete/", views.group_delete, name="delete"),
    path("<id:pk>/export.csv", views.group_export_csv, name="export_csv"),
    path("<id:pk>/export.json", views.group_export_json, name="export_json"),
    path("<id:pk>/invite/new/", views.invite_new, name="invite_new"),
    path("<id:pk>/invite/off/", views.invite_off, name="invite_off"),
    path("<id:pk>/calibration/", views.calibration_sharing, name="calibration_sharing"),
    path(
        "<id:pk>/members/<id:member>/calibration/",
        views.member_calibration,
        name="member_calibration",
    ),
    path("<id:pk>/members/<id:member>/remove/", views.member_remove, name="member_remove"),
    path("<id:pk>/members/<id:member>/role/", views.member_role, name="member_role"),
    path("<id:pk>/members/<id:member>/owner/", views.member_owner, name="member_owner"),
]
