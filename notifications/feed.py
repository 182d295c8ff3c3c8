"""What happened on the questions a user follows: the notifications, derived at the
moment of reading from the rows that record it (docs/decisions/0026-derived-notifications.md).

Nothing is written when a forecast, a resolution or a share happens; `events` reads
Forecast, ResolutionEvent and Share rows and passes them through the sharing rules
(`predictions.sharing`) with the reader's date, so a forecast hidden from the reader is
left out (and not counted), and shows once the reader may see it. Only questions the
reader may read now (`PredictionQuerySet.readable_by`) are looked at, so someone who
left a group stops hearing about its questions.

Each source is one function of `SOURCES` and costs a fixed number of queries however
many events it finds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from comments.models import Comment
from predictions.models import Forecast, Prediction, ResolutionEvent, Share
from predictions.names import member_name
from predictions.services import profile_for
from predictions.sharing import seeing_others
from predictions.templatetags.forecasting import outcome_words


@dataclass(frozen=True)
class Event:
    kind: str  # "forecast", "resolution", "share" or "comment"
    at: datetime
    prediction_id: int
    question: str
    actor: str  # who did it, by display name
    text: str  # what they did, a short sentence without the question
    url: str  # a path; mails put the site's address in front
    resolved: bool = False  # a resolution with an outcome (not an annulment or reopening)
    score: str = ""  # the reader's own score, filled in where shown (notifications.scores)

    @property
    def key(self) -> tuple:
        return (self.at, self.kind, self.prediction_id, self.actor)


@dataclass(frozen=True)
class Window:
    """The reader and the interval (since, until] asked about."""

    user: Any  # the reader (a User)
    since: datetime
    until: datetime | None
    limit: int | None

    def between(self, rows: QuerySet, field: str) -> QuerySet:
        rows = rows.filter(**{f"{field}__gt": self.since})
        if self.until is not None:
            rows = rows.filter(**{f"{field}__lte": self.until})
        return rows.order_by(f"-{field}", "-pk")[: self.limit]


def _detail_url(prediction_id: int) -> str:
    return reverse("predictions:detail", args=[prediction_id])


def _forecast_on(user) -> Exists:
    return Exists(Forecast.objects.filter(prediction=OuterRef("pk"), author=user))


def forecast_events(window: Window) -> list[Event]:
    """Forecasts by others on questions the reader owns or has forecast on, where the
    reader may see others' forecasts (never a hidden one, nor a sign of it)."""
    user = window.user
    others = Forecast.objects.filter(prediction=OuterRef("pk")).exclude(author=user)
    others = others.filter(created_at__gt=window.since)
    if window.until is not None:
        others = others.filter(created_at__lte=window.until)
    followed = (
        Prediction.objects.readable_by(user)
        .filter(Q(owner=user) | _forecast_on(user))
        .filter(Exists(others))
    )
    visible = seeing_others(followed, user, profile_for(user).today())
    forecasts = Forecast.objects.filter(prediction_id__in=visible).exclude(author=user)
    forecasts = forecasts.select_related("prediction", "author__profile")
    return [
        Event(
            "forecast",
            f.created_at,
            f.prediction_id,
            f.prediction.question,
            member_name(f.author),
            "made a forecast",
            _detail_url(f.prediction_id),
        )
        for f in window.between(forecasts, "created_at")
    ]


ACTION_TEXT = {
    ResolutionEvent.Action.RESOLVE: "resolved it: {outcome}",
    ResolutionEvent.Action.ANNUL: "annulled it",
    ResolutionEvent.Action.UNDO: "reopened it",
}


def _outcome(event: ResolutionEvent) -> str:
    """The outcome in the words the prediction pages use (forecasting.outcome_words),
    for the state this event set rather than the prediction's current one."""
    settled = SimpleNamespace(
        status="resolved",
        kind=event.prediction.kind,
        outcome=event.outcome,
        outcome_option_id=event.outcome_option_id,
        outcome_option=event.outcome_option,
        outcome_date=event.outcome_date,
    )
    return outcome_words(settled)


def resolution_events(window: Window) -> list[Event]:
    """Resolving, annulling and reopening questions the reader forecast on but does not
    own (the owner did it). The reader's score is added where the events are shown
    (notifications.scores), not here: the unread count reads this source too."""
    user = window.user
    followed = Prediction.objects.readable_by(user).exclude(owner=user).filter(_forecast_on(user))
    rows = ResolutionEvent.objects.filter(prediction__in=followed)
    rows = rows.select_related("prediction__owner__profile", "outcome_option")
    return [
        Event(
            "resolution",
            e.created_at,
            e.prediction_id,
            e.prediction.question,
            member_name(e.prediction.owner),
            ACTION_TEXT[ResolutionEvent.Action(e.action)].format(outcome=_outcome(e)),
            _detail_url(e.prediction_id),
            resolved=e.action == ResolutionEvent.Action.RESOLVE,
        )
        for e in window.between(rows, "created_at")
    ]


def share_events(window: Window) -> list[Event]:
    """Questions shared with a group the reader belongs to, by someone else."""
    user = window.user
    shares = Share.objects.filter(group__memberships__user=user).exclude(prediction__owner=user)
    shares = shares.select_related("prediction__owner__profile", "group")
    return [
        Event(
            "share",
            s.shared_at,
            s.prediction_id,
            s.prediction.question,
            member_name(s.prediction.owner),
            f"shared it with {s.group.name}",
            _detail_url(s.prediction_id),
        )
        for s in window.between(shares, "shared_at")
    ]


def comment_events(window: Window) -> list[Event]:
    """Comments by others on questions the reader owns or has forecast on (deleted
    ones are gone: the thread no longer shows them either)."""
    user = window.user
    followed = Prediction.objects.readable_by(user).filter(Q(owner=user) | _forecast_on(user))
    rows = Comment.objects.filter(prediction__in=followed, deleted_at__isnull=True)
    rows = rows.exclude(author=user).select_related("prediction", "author__profile")
    return [
        Event(
            "comment",
            c.created_at,
            c.prediction_id,
            c.prediction.question,
            member_name(c.author),
            "commented",
            f"{_detail_url(c.prediction_id)}#comment-{c.pk}",
        )
        for c in window.between(rows, "created_at")
    ]


SOURCES: tuple[Callable[[Window], list[Event]], ...] = (
    forecast_events,
    resolution_events,
    share_events,
    comment_events,
)


def events(
    user, *, since: datetime, until: datetime | None = None, limit: int | None = None
) -> list[Event]:
    """The reader's events after `since` and up to `until`, newest first (at most
    `limit` of them)."""
    window = Window(user, since, until, limit)
    found = [event for source in SOURCES for event in source(window)]
    found.sort(key=lambda e: e.key, reverse=True)
    return found[:limit]
