"""Email addresses are confirmed before the site mails them anything of its own.

Otherwise anyone could sign up with a stranger's address and have reminder digests sent
there. Until the owner of the address opens the signed link we mail them (and presses
the button on that page, so a mail scanner following links cannot confirm for them),
the address receives only this verification mail and, on request, password resets.

The confirmed address is kept in Profile.verified_email; the current address counts as
verified only while the two are equal, so any change of address, wherever it is made,
needs confirming again. Links are signed (django.core.signing) with the user and the
address, and expire after FALSIFIABLE_EMAIL_VERIFICATION_SECONDS.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse

from predictions.services import profile_for

SALT = "predictions.verification.email"
RESEND_SECONDS = 120  # a user cannot make the site mail an address more often

SUBJECT = "Confirm your email address for Falsifiable"
# Fixed text and the link only: nothing a signed-up stranger chose reaches the address.
BODY = """Someone, hopefully you, gave this address for an account on Falsifiable.

To receive reminders there, confirm the address by opening this link:

{link}

The link works for {days} days. If you did not sign up, ignore this email: nothing more
will be sent to this address.
"""


def has_verified_email(user) -> bool:
    return bool(user.email) and profile_for(user).verified_email == user.email


def verified_email_q() -> Q:
    """Users whose current address is verified (for querysets of users)."""
    return ~Q(email="") & Q(profile__verified_email=F("email"))


def make_token(user) -> str:
    return signing.dumps([user.pk, user.email], salt=SALT)


def user_for_token(token: str):
    """The user whose current address the token confirms, or None (bad, old, stale)."""
    try:
        pk, email = signing.loads(
            token, salt=SALT, max_age=settings.FALSIFIABLE_EMAIL_VERIFICATION_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not email or user.email != email:
        return None
    return user


def confirm(user) -> None:
    profile = profile_for(user)
    profile.verified_email = user.email
    profile.save(update_fields=["verified_email"])


def send_verification(request: HttpRequest, user) -> bool:
    """Mails the link to the user's address; False if one was sent moments ago."""
    if not user.email or not cache.add(f"email-verification:{user.pk}", 1, RESEND_SECONDS):
        return False
    link = request.build_absolute_uri(reverse("verify_email", args=[make_token(user)]))
    days = settings.FALSIFIABLE_EMAIL_VERIFICATION_SECONDS // (24 * 3600)
    send_mail(SUBJECT, BODY.format(link=link, days=days), None, [user.email])
    return True
