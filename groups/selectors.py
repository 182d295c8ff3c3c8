"""Reads for the groups pages: a user's groups, a group's members and its questions.

Which predictions a member may read is `PredictionQuerySet.readable_by` (the access rule
of predictions.sharing); these queries narrow it to one group and never widen it.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groups.models import Group, Membership
from predictions.models import Forecast, Prediction, PredictionQuerySet, Share, attach_summaries
from predictions.names import member_name

RECENTLY_RESOLVED = 10


def membership_for(user, group_pk: int) -> Membership | None:
    """The user's membership of the group, with the group; None for anyone else."""
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("group").filter(user=user, group_id=group_pk).first()


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT, so two counts on one row do not multiply each other's joins."""
    counted = queryset.order_by().values("group_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def memberships_of(user) -> QuerySet[Membership]:
    """The user's groups (as memberships, with the group), by name, each with
    `member_count` and `open_count` (open questions shared with it)."""
    shared_open = Share.objects.filter(
        group_id=OuterRef("group_id"), prediction__status=Prediction.Status.OPEN
    )
    return (
        Membership.objects.filter(user=user)
        .select_related("group")
        .annotate(
            member_count=_count(Membership.objects.filter(group_id=OuterRef("group_id"))),
            open_count=_count(shared_open),
        )
        .order_by("group__name", "group_id")
    )


@dataclass
class Member:
    """A row of the member list; `removable` and `role_changeable` say what the viewer
    may do to it (set by the view from groups.roles)."""

    membership: Membership
    name: str
    removable: bool = False
    role_changeable: bool = False


def members_of(group: Group) -> list[Member]:
    """The group's members in joining order, with their display names."""
    memberships = group.memberships.select_related("user__profile")
    return [Member(membership, member_name(membership.user)) for membership in memberships]


def _questions(group: Group, viewer) -> PredictionQuerySet:
    return Prediction.objects.readable_by(viewer).filter(shared_with=group)


def open_questions(group: Group, viewer) -> PredictionQuerySet:
    """Open questions shared with the group, due soonest first, each annotated with the
    VIEWER's latest forecast only (`latest_forecast_id`, `latest_probability`, the names
    `attach_summaries` reads): nobody else's forecast shows on the group page."""
    mine = Forecast.objects.filter(prediction=OuterRef("pk"), author=viewer).order_by(
        "-created_at", "-pk"
    )
    return (
        _questions(group, viewer)
        .open()
        .annotate(
            latest_forecast_id=Subquery(mine.values("pk")[:1]),
            latest_probability=Subquery(mine.values("probability")[:1]),
        )
        .order_by("resolve_by", "pk")
    )


def with_summaries(predictions) -> list[Prediction]:
    """The rows, each with `current` (the viewer's latest forecast in words, "" if none)."""
    rows = list(predictions)
    attach_summaries(rows)
    return rows


def recently_resolved(group: Group, viewer) -> list[Prediction]:
    """The last questions shared with the group to be resolved or annulled, newest first."""
    settled = ~Q(status=Prediction.Status.OPEN)
    return list(
        _questions(group, viewer)
        .filter(settled)
        .select_related("outcome_option")
        .order_by("-resolved_at", "-pk")[:RECENTLY_RESOLVED]
    )


def group_for_token(token: str) -> Group | None:
    """The group a live invitation link leads to; None for a revoked or unknown token."""
    if not token:
        return None
    return Group.objects.filter(invite_token=token).first()
