"""Sign-up and profile pages; log-in, log-out and passwords are django.contrib.auth's."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from predictions import throttle
from predictions.forms import ProfileForm, SignupForm
from predictions.services import profile_for


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses log-in attempts after repeated failures (see predictions.throttle)."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttle.is_locked(username, address):
            self.locked = True
            raise ValidationError(throttle.MSG_LOCKED, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.clear(username, address)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked", False):
            response.status_code = 429
        return response


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("predictions:list")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                profile = profile_for(user)
                profile.timezone = form.cleaned_data["timezone"]
                profile.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Record your first prediction below.")
            return redirect("predictions:create")
    else:
        form = SignupForm()
    return render(request, "registration/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def profile(request):
    instance = profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form, "nav": "profile"})
