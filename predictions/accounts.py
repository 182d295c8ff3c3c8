"""Sign-up and profile pages; log-in, log-out and passwords are django.contrib.auth's."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from predictions.forms import ProfileForm, SignupForm
from predictions.services import profile_for


class LoginView(auth_views.LoginView):
    """django.contrib.auth's, throttled by django-axes and predictions.login_gate."""

    redirect_authenticated_user = True


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
