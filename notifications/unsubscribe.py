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


class UnfoldedHeader(str):
    """A header value written on one line as it is.

    Python's email package folds headers at 78 characters, and a URL has nowhere to
    fold: it would be turned into RFC 2047 encoded words, which mail programs do not read
    as an address. A value with a `name` and a `fold` method is written by `fold` instead
    (email.policy.EmailPolicy); lines may be up to 998 characters (RFC 5322).
    """

    name: str

    def __new__(cls, name: str, value: str) -> "UnfoldedHeader":
        if any(c in value for c in "\r\n") or not value.isascii():
            raise ValueError(f"{name} must be one line of ASCII")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (self.name, str(self))  # copies (the locmem outbox deep-copies messages)

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 wants an absolute https (or http) address; a relative one is left out."""
    if not url.startswith(("https://", "http://")):
        return {}
    return {
        "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", f"<{url}>"),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
