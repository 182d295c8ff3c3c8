"""A prediction's thread: its comments, the forecasts the viewer may see and its
resolution events, in one time order.

Forecasts come through `predictions.sharing.forecasts_visible_to`, so a forecast hidden
from the viewer (hide until you forecast, hidden until a date) is not in the thread
either. On a shared link's page the viewer is anonymous whoever is logged in: that page
shows what anyone holding the link sees.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from comments.models import Comment
from predictions.forecasters import with_payload
from predictions.models import Prediction
from predictions.names import member_name, public_name
from predictions.services import profile_for
from predictions.sharing import forecasts_visible_to

# Within one instant a forecast comes before the resolution it led to, and comments last.
KIND_ORDER = {"forecast": 0, "resolution": 1, "comment": 2}


@dataclass(frozen=True)
class Entry:
    kind: str  # a key of KIND_ORDER
    at: datetime
    author: str
    item: Any  # the Forecast, ResolutionEvent or Comment


def author_name(user, *, public: bool) -> str:
    """The display name; inside the app it falls back to the user name (as group member
    lists do), on a shared link's page to the same words as the owner's byline."""
    return public_name(user) if public else member_name(user)


def viewer_today(viewer) -> date:
    """The viewer's date, which decides whether forecasts hidden until a date show."""
    if viewer.is_authenticated:
        return profile_for(viewer).today()
    return timezone.now().date()


def thread_entries(prediction: Prediction, viewer, *, public: bool) -> list[Entry]:
    """Everything in the thread, oldest first, in a fixed number of queries however
    long it is (authors and their profiles joined, each kind's details prefetched)."""
    if public:
        viewer = AnonymousUser()
    forecasts = forecasts_visible_to(prediction, viewer, viewer_today(viewer))
    forecasts = with_payload(prediction, forecasts.select_related("author__profile"))
    comments = Comment.objects.filter(prediction=prediction).select_related("author__profile")
    events = list(prediction.resolution_events.select_related("outcome_option"))
    entries = [
        Entry("forecast", f.created_at, author_name(f.author, public=public), f) for f in forecasts
    ]
    entries += [
        Entry("comment", c.created_at, author_name(c.author, public=public), c) for c in comments
    ]
    if events:
        # Only the owner resolves; on their own page the owner is the viewer, loaded already.
        owner = viewer if viewer.pk == prediction.owner_id else prediction.owner
        name = author_name(owner, public=public)
        entries += [Entry("resolution", e.created_at, name, e) for e in events]
    entries.sort(key=lambda e: (e.at, KIND_ORDER[e.kind], e.item.pk))
    return entries
