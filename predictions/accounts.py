"""Sign-up, profile and email confirmation pages; log-in, log-out and passwords are
django.contrib.auth's."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from predictions import verification
from predictions.forms import ProfileForm, SignupForm
from predictions.services import profile_for

MSG_SENT = "We sent a link to {email}: open it to confirm the address and get reminders."
MSG_TOO_SOON = "A confirmation email was sent moments ago; wait a couple of minutes."
MSG_CONFIRMED = "Thank you: {email} is confirmed, and reminders will go there."


class LoginView(auth_views.LoginView):
    """django.contrib.auth's, throttled by django-axes and predictions.login_gate."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        """The landing page around the form says whether the demo account is there."""
        context = super().get_context_data(**kwargs)
        username = getattr(settings, "DEMO_USERNAME", "")
        if username and get_user_model().objects.filter(username=username).exists():
            context["demo_login"] = (username, settings.DEMO_PASSWORD)
        return context


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("predictions:list")
    # Where to go once signed up, as the log-in page's `next`: only a page of this site.
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                profile = profile_for(user)
                profile.timezone = form.cleaned_data["timezone"]
                profile.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if not next_url:
                messages.success(request, "Welcome! Record your first prediction below.")
            if verification.send_verification(request, user):
                messages.info(request, MSG_SENT.format(email=user.email))
            # Back where they came from (a group's invitation link), else the first entry.
            return redirect(next_url or "predictions:create")
    else:
        form = SignupForm()
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


class EmailForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ("email",)
        help_texts = {"email": "Reminders go here once you confirm it; leave empty for none."}


def _profile_page(request, *, form=None, email_form=None):
    user = request.user
    context = {
        "form": form or ProfileForm(instance=profile_for(user)),
        "email_form": email_form or EmailForm(instance=user),
        "email_verified": verification.has_verified_email(user),
        "nav": "profile",
    }
    return render(request, "registration/profile.html", context)


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return _profile_page(request, form=form)


@require_POST
def profile_email(request):
    """Changes the address; the new one is unconfirmed until its link is opened."""
    previous = request.user.email
    form = EmailForm(request.POST, instance=request.user)
    if not form.is_valid():
        return _profile_page(request, email_form=form)
    user = form.save()
    if user.email != previous:
        messages.success(request, "Email address saved.")
        if verification.send_verification(request, user):
            messages.info(request, MSG_SENT.format(email=user.email))
    return redirect("profile")


@require_POST
def resend_verification(request):
    user = request.user
    if user.email and not verification.has_verified_email(user):
        if verification.send_verification(request, user):
            messages.info(request, MSG_SENT.format(email=user.email))
        else:
            messages.warning(request, MSG_TOO_SOON)
    return redirect("profile")


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_email(request, token: str):
    """The link in the mail: GET shows a button, POST confirms (scanners only GET)."""
    user = verification.user_for_token(token)
    if user is None:
        return render(request, "registration/verify_email.html", {"invalid": True}, status=400)
    if request.method == "POST":
        verification.confirm(user)
        messages.success(request, MSG_CONFIRMED.format(email=user.email))
        return redirect("profile" if request.user == user else "login")
    return render(request, "registration/verify_email.html", {"email": user.email})
