from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.http import require_http_methods

from predictions import accounts

# Django's form views handle PUT like POST; here, as everywhere else, only GET and POST
# are answered (405 otherwise). The password reset link is checked before the method,
# so without this a PUT on it would be redirected like a GET.
get_or_post = require_http_methods(["GET", "POST"])

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("login/", get_or_post(accounts.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", accounts.profile, name="profile"),
    path("profile/email/", accounts.profile_email, name="profile_email"),
    path("profile/email/confirm/", accounts.resend_verification, name="resend_verification"),
    path("email/confirm/<str:token>/", accounts.verify_email, name="verify_email"),
    path(
        "password/",
        get_or_post(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password/reset/",
        get_or_post(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        get_or_post(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
