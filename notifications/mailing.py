"""Sending one mail exactly once: the SentMail rows go in first, the mail goes out in
the same transaction, and a failed send rolls the rows back so the next run retries.

Every mail ends with its unsubscribe link and a link to the profile's mail choices.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import MailKind
from notifications.models import SentMail
from notifications.unsubscribe import list_unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

SUBJECT_MAX = 120  # characters; the rest of a long question is in the body


@dataclass
class Outcome:
    """What a run did: mails sent (or that would be), and who could not be mailed."""

    sent: list[str] = field(default_factory=list)  # "username: subject"
    failed: list[str] = field(default_factory=list)  # "username: error"

    def as_dict(self) -> dict[str, int]:
        return {"sent": len(self.sent), "failed": len(self.failed)}


def mail_each(users: Iterable, remind: Callable[..., str | None], what: str) -> Outcome:
    """Calls `remind(user)` for each user (it returns "username: subject" when it sent,
    None when there was nothing to send). One address failing does not stop the others':
    nothing was recorded for it, so the next run retries it."""
    outcome = Outcome()
    for user in users:
        try:
            line = remind(user)
        except Exception as exc:  # one bad address must not stop everyone's mail
            logger.warning("Could not send the %s to %s: %s", what, user.get_username(), exc)
            outcome.failed.append(f"{user.get_username()}: {exc}")
            continue
        if line:
            outcome.sent.append(line)
    return outcome


class AlreadySent(Exception):
    """Another scheduler or worker recorded this mail first."""


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Header-safe text: whitespace (newlines included) collapsed, long text shortened."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def footer(base_url: str, user, kind: MailKind) -> tuple[str, str]:
    """The footer lines and the unsubscribe address."""
    url = unsubscribe_url(base_url, user, kind)
    lines = [
        "",
        "--",
        f"You get these {kind.short_label} because they are turned on for your account.",
        f"Stop them: {url}",
        f"Choose which emails you get: {base_url}{reverse('profile')}",
    ]
    return "\n".join(lines), url


def send_recorded(
    user,
    kind: MailKind,
    keys: Iterable[tuple[int, str]],
    subject: str,
    body: str,
    base_url: str,
    *,
    sent_at: datetime | None = None,
) -> None:
    """Records (subject id, period) `keys` for `user` and `kind`, then sends the mail.
    `sent_at` (default now) is recorded as the moment the mail covers up to.

    Raises AlreadySent (and sends nothing) when any key was recorded before; raises the
    sending error, with nothing recorded, when the mail could not be sent.
    """
    text, url = footer(base_url, user, kind)
    message = EmailMessage(
        one_line(subject),
        body + "\n" + text,
        None,
        [user.email],
        headers=list_unsubscribe_headers(url),
    )
    with transaction.atomic():
        at = sent_at or timezone.now()
        rows = [SentMail(user=user, kind=kind, subject_id=s, period=p, sent_at=at) for s, p in keys]
        try:
            with transaction.atomic():
                SentMail.objects.bulk_create(rows)
        except IntegrityError as exc:
            raise AlreadySent from exc
        message.send()
