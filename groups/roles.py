"""Every permission rule of groups, as small functions of memberships.

Views, services and templates ask here and nowhere else. A rule takes the acting
member's `Membership` (None for anyone who is not a member: outsiders, former members,
anonymous visitors) and, where it acts on someone, the target's `Membership`.

Reading a group needs membership; everything that changes who is in it needs a role:
- the owner (one per group) renames, deletes, hands ownership on, makes members admins
  and back, and removes anyone but themselves;
- admins rename, export, show and replace the invitation link, and remove plain members (not the
  owner, nor another admin: disputes between admins are the owner's to settle);
- members read the group and leave it, and choose whether the others see their
  calibration over the group's questions (decision 0030).
Nobody leaves a group they own: the owner first hands ownership to another member, or
deletes the group when alone in it. A group is never deleted as a side effect.
"""

from typing import TypeGuard

from django.core.exceptions import PermissionDenied

from groups.models import Membership

Role = Membership.Role

MSG_NOT_ALLOWED = "Only the group's owner or an admin can do that."
MSG_OWNER_ONLY = "Only the group's owner can do that."
MSG_OWNER_LEAVES = "You own this group: make someone else owner first."
MSG_OWNER_ALONE = "You are the group's only member: delete the group instead of leaving it."
MSG_CANNOT_REMOVE = "You cannot remove this member."
MSG_CANNOT_CHANGE_ROLE = "Only the owner can change a member's role, and not their own."


def require(allowed: bool, message: str) -> None:
    """Raises PermissionDenied(message) unless `allowed` (a rule's answer)."""
    if not allowed:
        raise PermissionDenied(message)


def _is(membership: Membership | None, *roles: str) -> bool:
    return membership is not None and membership.role in roles


def can_view(membership: Membership | None) -> TypeGuard[Membership]:
    """Members see the group's page, members and questions; nobody else learns it exists."""
    return membership is not None


def is_manager(membership: Membership | None) -> bool:
    """The owner and admins."""
    return _is(membership, Role.OWNER, Role.ADMIN)


def can_see_invite(membership: Membership | None) -> bool:
    return is_manager(membership)


def can_change_invite(membership: Membership | None) -> bool:
    """Replace the invitation link with a new one, or turn it off."""
    return is_manager(membership)


def can_rename(membership: Membership | None) -> bool:
    """Change the name and the description."""
    return is_manager(membership)


def can_export(membership: Membership | None) -> bool:
    """Download the group's questions with every member's forecasts (decision 0028)."""
    return is_manager(membership)


def can_see_calibration(viewer: Membership | None, target: Membership) -> bool:
    """A member's calibration over the group's questions: shown to the other members of
    the same group only while the member opts in (decision 0030)."""
    return viewer is not None and viewer.group_id == target.group_id and target.shows_calibration


def can_delete(membership: Membership | None) -> bool:
    return _is(membership, Role.OWNER)


def can_remove(actor: Membership | None, target: Membership) -> bool:
    """The owner removes anyone but themselves; an admin removes plain members."""
    if actor is None or actor.pk == target.pk or actor.group_id != target.group_id:
        return False
    if actor.role == Role.OWNER:
        return target.role != Role.OWNER
    return actor.role == Role.ADMIN and target.role == Role.MEMBER


def can_change_role(actor: Membership | None, target: Membership) -> bool:
    """Making a member an admin and back, and handing ownership on: the owner, to
    someone else in the group."""
    return (
        _is(actor, Role.OWNER)
        and actor is not None
        and actor.pk != target.pk
        and actor.group_id == target.group_id
        and target.role != Role.OWNER
    )


def leave_refusal(membership: Membership, others: int) -> str:
    """Why `membership` may not leave its group ("" when it may); `others` is how many
    other members the group has."""
    if membership.role != Role.OWNER:
        return ""
    return MSG_OWNER_LEAVES if others else MSG_OWNER_ALONE


def can_leave(membership: Membership | None, others: int) -> bool:
    return membership is not None and not leave_refusal(membership, others)
