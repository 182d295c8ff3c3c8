"""Unsubscribe links: signed per user and kind of mail, so they work without logging in
and nobody can make one for another account (django.core.signing with the secret key).

They do not expire: a link in a year-old mail must still stop the mail. Each mail also
carries the List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058), so mail
programs can offer their own one-click button, which POSTs to the same address.
"""

from django.core import signing
from django.urls import reverse

from notifications.kinds import MailKind

SALT = "notifications.unsubscribe"


def make_token(user, kind: MailKind) -> str:
    return signing.dumps([user.pk, kind.value], salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, MailKind] | None:
    """(user id, kind) the token was signed for, or None if it was not signed by us."""
    try:
        pk, kind = signing.loads(token, salt=SALT)
        return int(pk), MailKind(kind)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(base_url: str, user, kind: MailKind) -> str:
    return base_url + reverse("notifications:unsubscribe", args=[make_token(user, kind)])


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 wants an absolute https (or http) address; a relative one is left out."""
    if not url.startswith(("https://", "http://")):
        return {}
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
