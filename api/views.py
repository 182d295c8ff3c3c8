"""Token management pages (session log-in, CSRF): create, revoke. Listed on the profile."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from api import tokens
from api.forms import TokenForm


@require_POST
def create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "api/tokens.html", {"form": form}, status=400)
    _, secret = tokens.create_token(
        request.user, form.cleaned_data["name"], form.cleaned_data["can_write"]
    )
    # Rendered, not redirected: the secret is never stored, so this answer is its only showing.
    response = render(request, "api/tokens.html", {"secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk, revoked_at__isnull=True)
    tokens.revoke(token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect(reverse("profile") + "#api-tokens")
