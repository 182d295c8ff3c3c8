"""The daily activity digest: the notifications (notifications.feed) since the user's
previous digest, in one mail, to confirmed addresses that did not turn it off.

The events come through the same sources as the notifications page, with the sharing
rules applied for the recipient on the day it is sent, so a forecast hidden from them is
not in the mail either. Each digest records a SentMail for the recipient's local date
(at most one a day; two workers cannot both send it) whose `sent_at` is the end of the
interval it covered: the next digest starts there, or 24 hours back when there was none.
Nothing is sent when nothing happened.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from groups.models import Membership
from notifications.feed import Event, events
from notifications.kinds import MailKind
from notifications.mailing import AlreadySent, Outcome, mail_each, one_line, send_recorded
from notifications.models import SentMail
from notifications.preferences import recipients_q
from notifications.scores import with_scores
from predictions.models import Forecast, Prediction, Profile

KIND = MailKind.GROUP_DIGEST
FIRST_COVERS = timedelta(hours=24)
MAX_LISTED = 50


def _since(user, now: datetime) -> datetime:
    previous = SentMail.objects.filter(user=user, kind=KIND).order_by("-sent_at").first()
    return previous.sent_at if previous is not None else now - FIRST_COVERS


def _message(found: list[Event], base_url: str, profile: Profile) -> tuple[str, str]:
    if len(found) == 1:
        subject = f"{found[0].actor} {found[0].text} on “{one_line(found[0].question, 70)}”"
    else:
        subject = f"{len(found)} new things on questions you follow"
    lines = ["What happened on the questions you own, forecast on or share with a group:", ""]
    for event in found[:MAX_LISTED]:
        when = event.at.astimezone(profile.tzinfo)
        lines.append(f"- {event.question}")
        lines.append(f"  {event.actor} {event.text} ({when:%d %b %Y, %H:%M})")
        if event.score:
            lines.append(f"  {event.score}")
        lines.append(f"  {base_url}{event.url}")
    if len(found) > MAX_LISTED:
        lines.append(f"... and {len(found) - MAX_LISTED} more on the notifications page.")
    return subject, "\n".join(lines)


def _recipients():
    """Users who own, forecast on or are in a group: a cheap superset of those with
    something to hear about (the events are read per user)."""
    pk = OuterRef("pk")
    involved = (
        Exists(Prediction.objects.filter(owner=pk))
        | Exists(Forecast.objects.filter(author=pk))
        | Exists(Membership.objects.filter(user=pk))
    )
    users = get_user_model().objects.filter(Q(involved)).filter(recipients_q(KIND))
    return users.order_by("pk")


def send_activity_digests(base_url: str) -> Outcome:
    base_url = base_url.rstrip("/")
    return mail_each(_recipients(), lambda user: _digest(user, base_url), "activity digest")


def _digest(user, base_url: str) -> str | None:
    with transaction.atomic():
        # Serialises two workers on one user, so the second sees the first's record.
        profile, _ = Profile.objects.get_or_create(user=user)
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        user.profile = profile  # the feed reads the recipient's date from it
        now = timezone.now()
        found = events(user, since=_since(user, now), until=now)
        if not found:
            return None
        found.reverse()  # oldest first, as it happened
        found = with_scores(user, found[:MAX_LISTED]) + found[MAX_LISTED:]  # the listed ones
        subject, body = _message(found, base_url, profile)
        key = [(0, profile.today().isoformat())]
        try:
            send_recorded(user, KIND, key, subject, body, base_url, sent_at=now)
        except AlreadySent:
            return None
    return f"{user.get_username()}: {subject}"
