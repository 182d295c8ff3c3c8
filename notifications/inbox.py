"""The notifications page and the navigation's unread count: which events are unread
(after the user's `NotificationsSeen.seen_at`) and marking them seen."""

from datetime import datetime, timedelta

from django.utils import timezone

from notifications.feed import Event, events
from notifications.models import NotificationsSeen

KEPT_FOR = timedelta(days=30)  # the page lists this much; older events are not unread
BADGE_CAP = 10  # the badge counts this many at most and shows "9+" from ten
LISTED_MAX = 500  # the page's twenty pages are plenty; a busy month costs no more


def seen_at(user) -> datetime | None:
    row = NotificationsSeen.objects.filter(user=user).only("seen_at").first()
    return row.seen_at if row is not None else None


def listed(user, now: datetime) -> list[Event]:
    """The page's events: the last KEPT_FOR up to `now`, newest first."""
    return events(user, since=now - KEPT_FOR, until=now, limit=LISTED_MAX)


def unread_count(user) -> int:
    """Unread events, counted up to BADGE_CAP (a few queries, each with that limit)."""
    since = timezone.now() - KEPT_FOR
    seen = seen_at(user)
    if seen is not None:
        since = max(seen, since)
    return len(events(user, since=since, limit=BADGE_CAP))


def badge_text(count: int) -> str:
    """ "" for none, the number up to 9, "9+" beyond."""
    if count <= 0:
        return ""
    return str(count) if count < BADGE_CAP else f"{BADGE_CAP - 1}+"


def mark_seen(user, shown: list[Event]) -> None:
    """Everything up to the newest shown event is seen; one arriving while the page was
    rendered is newer, so it stays unread. Never moves back (two tabs at once)."""
    if not shown:
        return
    newest = max(event.at for event in shown)
    row, created = NotificationsSeen.objects.get_or_create(user=user, defaults={"seen_at": newest})
    if not created:
        NotificationsSeen.objects.filter(pk=row.pk, seen_at__lt=newest).update(seen_at=newest)
