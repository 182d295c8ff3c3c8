"""Whose forecasts an export holds and how it names people (decision 0028).

Two exports share one loading path and one pair of writers; they differ only here:
- yours: your forecasts, on your questions and on others' questions shared with you;
  the others' questions carry their owner's name, yours an empty owner;
- a group's (for its owner and admins): every current member's forecasts on the
  group's questions, each named by its author, and hidden ones left out while the
  hiding rule (predictions.sharing) hides them from the exporting admin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from predictions.models import Forecast, Prediction
from predictions.services import profile_for
from predictions.sharing import seeing_others


@dataclass(frozen=True, slots=True)
class ExportScope:
    # The chunk's predictions (a values("pk") subquery) -> the forecasts to export.
    forecasts: Callable[[QuerySet], QuerySet]
    # Whose questions get an empty owner (your own in your export; None: always named).
    me_id: int | None
    # Whether each forecast names its author (in your export every forecast is yours).
    name_authors: bool


def personal_scope(user) -> ExportScope:
    """Your forecasts only: on your questions these are the owner's, as before."""
    return ExportScope(
        forecasts=lambda members: Forecast.objects.filter(prediction_id__in=members, author=user),
        me_id=user.pk,
        name_authors=False,
    )


def group_scope(viewer, member_ids: QuerySet) -> ExportScope:
    """Forecasts by the group's current members (`member_ids`, a values("user_id")
    subquery) that `viewer` may see now: on a question hiding others' forecasts from
    the viewer, only the viewer's own."""
    today = profile_for(viewer).today()

    def forecasts(members: QuerySet) -> QuerySet:
        questions = Prediction.objects.filter(pk__in=members).only(
            "pk", "hidden_until", "hide_until_forecast"
        )
        visible = seeing_others(questions, viewer, today)
        return Forecast.objects.filter(prediction_id__in=members, author_id__in=member_ids).filter(
            Q(prediction_id__in=visible) | Q(author=viewer)
        )

    return ExportScope(forecasts=forecasts, me_id=None, name_authors=True)


def group_questions(group_id: int) -> QuerySet:
    """The questions shared with the group, whoever owns them."""
    return Prediction.objects.filter(shares__group_id=group_id)
