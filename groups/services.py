"""Every write to groups and memberships, each in one transaction.

Each function that acts on behalf of a member checks the rule in `groups.roles` and
raises PermissionDenied with the rule's message when it does not hold; a refusal that
is about the group's state (the owner leaving) is a ValidationError. Views turn the
first into a 403 page and the second into a message; nothing is written in either case.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction

from groups import roles
from groups.models import DESCRIPTION_MAX_LENGTH, Group, Membership, new_invite_token
from predictions import rules

Role = Membership.Role


def _locked(membership: Membership) -> Membership:
    """The membership as stored now, its group row locked, so two changes to one group
    (two admins removing each other, a leave and a hand-over) happen one after the other."""
    Group.objects.select_for_update().get(pk=membership.group_id)
    return Membership.objects.select_related("group", "user").get(pk=membership.pk)


def _clean_text(group: Group, name: str, description: str) -> None:
    group.name = rules.one_line(name)
    group.description = description.strip()
    group.full_clean(exclude=["invite_token"])
    # full_clean() leaves a TextField's max_length to forms; the services hold it too.
    try:
        MaxLengthValidator(DESCRIPTION_MAX_LENGTH)(group.description)
    except ValidationError as exc:
        raise ValidationError({"description": exc.messages}) from None


@transaction.atomic
def group_create(*, owner, name: str, description: str = "") -> Group:
    """A new group with `owner` as its owner and only member, and an invitation link."""
    group = Group()
    _clean_text(group, name, description)
    group.save()
    Membership.objects.create(group=group, user=owner, role=Role.OWNER)
    return group


@transaction.atomic
def group_update(*, actor: Membership, name: str, description: str = "") -> Group:
    actor = _locked(actor)
    roles.require(roles.can_rename(actor), roles.MSG_NOT_ALLOWED)
    group = actor.group
    _clean_text(group, name, description)
    group.save(update_fields=["name", "description"])
    return group


def invite_replace(*, actor: Membership) -> Group:
    """A new invitation link; the old one (if any) stops working at once."""
    return _set_invite(actor, new_invite_token())


def invite_turn_off(*, actor: Membership) -> Group:
    """No link at all until an admin makes a new one."""
    return _set_invite(actor, None)


@transaction.atomic
def _set_invite(actor: Membership, token: str | None) -> Group:
    actor = _locked(actor)
    roles.require(roles.can_change_invite(actor), roles.MSG_NOT_ALLOWED)
    group = actor.group
    group.invite_token = token
    group.save(update_fields=["invite_token"])
    return group


@transaction.atomic
def join(*, group: Group, user) -> tuple[Membership, bool]:
    """Makes `user` a member (a plain one); joining again changes nothing. Returns the
    membership and whether it is new."""
    Group.objects.select_for_update().get(pk=group.pk)
    return Membership.objects.get_or_create(group=group, user=user, defaults={"role": Role.MEMBER})


@transaction.atomic
def leave(*, membership: Membership) -> None:
    membership = _locked(membership)
    others = Membership.objects.filter(group_id=membership.group_id).exclude(pk=membership.pk)
    refusal = roles.leave_refusal(membership, others.count())
    if refusal:
        raise ValidationError(refusal)
    membership.delete()


@transaction.atomic
def member_remove(*, actor: Membership, target: Membership) -> None:
    actor, target = _locked(actor), Membership.objects.get(pk=target.pk)
    roles.require(roles.can_remove(actor, target), roles.MSG_CANNOT_REMOVE)
    target.delete()


@transaction.atomic
def role_set(*, actor: Membership, target: Membership, role: str) -> Membership:
    """Makes `target` an admin or a plain member again (the owner's to decide)."""
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ValidationError("Choose admin or member.")
    actor, target = _locked(actor), Membership.objects.get(pk=target.pk)
    roles.require(roles.can_change_role(actor, target), roles.MSG_CANNOT_CHANGE_ROLE)
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def ownership_transfer(*, actor: Membership, target: Membership) -> None:
    """`target` becomes the owner and the owner an admin: a group keeps exactly one."""
    actor, target = _locked(actor), Membership.objects.get(pk=target.pk)
    roles.require(roles.can_change_role(actor, target), roles.MSG_CANNOT_CHANGE_ROLE)
    actor.role, target.role = Role.ADMIN, Role.OWNER
    actor.save(update_fields=["role"])
    target.save(update_fields=["role"])


def calibration_sharing_set(*, membership: Membership, on: bool) -> Membership:
    """Shows (or hides) the member's calibration over the group's questions to the
    group's other members; it is their own choice, per group. One UPDATE, so a hidden
    page is hidden at the next request (the page reads the flag on every request)."""
    Membership.objects.filter(pk=membership.pk).update(shows_calibration=on)
    membership.shows_calibration = on
    return membership


@transaction.atomic
def group_delete(*, actor: Membership) -> None:
    """Deletes the group and its memberships. Its questions are unshared from it (the
    relation's rows go with the group); no prediction or forecast is deleted."""
    actor = _locked(actor)
    roles.require(roles.can_delete(actor), roles.MSG_OWNER_ONLY)
    actor.group.delete()
