"""The groups pages: your groups, a group's page, invitations, and the member actions.

Every URL of a group answers 404 to anyone who is not a member of it now (outsiders,
former members): a group's existence is private to its members. A member who lacks the
role for an action gets a 403 page saying why (the rules are in `groups.roles`).
Every change is a POST (with Django's CSRF check) and goes through `groups.services`.
"""

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import roles, selectors, services
from groups.calibration import member_calibration_context
from groups.forms import GroupForm
from groups.leaderboard import group_leaderboard_context
from groups.models import Membership
from predictions.names import member_name
from predictions.services import profile_for
from reports.export_views import csv_download, json_download
from reports.exports.scope import group_questions, group_scope
from web.forms import add_form_errors
from web.pagination import paginate


def member_view(view):
    """Passes the viewer's membership of group `pk` to `view` as `me` (404 for anyone
    who is not a member), and turns a PermissionDenied raised by a rule into the 403
    page with the rule's message."""

    @functools.wraps(view)
    def wrapped(request, pk: int, **kwargs):
        me = selectors.membership_for(request.user, pk)
        if roles.can_view(me):
            try:
                return view(request, me, **kwargs)
            except PermissionDenied as exc:
                context = {"group": me.group, "message": str(exc), "nav": "groups"}
                return render(request, "groups/forbidden.html", context, status=403)
        raise Http404("No such group.")

    return wrapped


def _target(me: Membership, member: int) -> Membership:
    """A membership of the viewer's group (404 for another group's, or a stale id)."""
    memberships = Membership.objects.select_related("user__profile")
    return get_object_or_404(memberships, pk=member, group_id=me.group_id)


def _back(me: Membership):
    return redirect("groups:detail", me.group_id)


def _run(request, me: Membership, change, done: str, *, then=None, **kwargs):
    """Calls the service `change(**kwargs)`: a refusal about the group's state becomes a
    message, success the message `done`; then back to the group page (or to `then`).
    (A lacking role raises PermissionDenied, which `member_view` answers.)"""
    try:
        change(**kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(me)
    messages.success(request, done)
    return then or _back(me)


@require_http_methods(["GET", "POST"])
def group_list(request):
    """Your groups, and the form that creates one (you become its owner)."""
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, f"{group.name} is created. Invite people with its link.")
            return redirect("groups:detail", group.pk)
    context = {"memberships": selectors.memberships_of(request.user), "form": form, "nav": "groups"}
    return render(request, "groups/list.html", context, status=400 if form.errors else 200)


@require_GET
@member_view
def group_detail(request, me: Membership):
    group = me.group
    members = selectors.members_of(group)
    for member in members:
        member.removable = roles.can_remove(me, member.membership)
        member.role_changeable = roles.can_change_role(me, member.membership)
    pages = paginate(request, selectors.open_questions(group, request.user))
    pages["page"].object_list = selectors.with_summaries(pages["page"].object_list)
    invite_url = ""
    if roles.can_see_invite(me) and group.invite_token:
        invite_url = request.build_absolute_uri(reverse("groups:join", args=[group.invite_token]))
    context = {
        **pages,
        "group": group,
        "me": me,
        "members": members,
        "resolved": selectors.recently_resolved(group, request.user),
        "today": profile_for(request.user).today(),
        "invite_url": invite_url,
        "can_see_invite": roles.can_see_invite(me),
        "can_change_invite": roles.can_change_invite(me),
        "can_rename": roles.can_rename(me),
        "can_manage": roles.is_manager(me),
        "can_delete": roles.can_delete(me),
        "can_export": roles.can_export(me),
        "nav": "groups",
        **group_leaderboard_context(group, request.GET, viewer=request.user),
    }
    return render(request, "groups/detail.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def group_edit(request, me: Membership):
    roles.require(roles.can_rename(me), roles.MSG_NOT_ALLOWED)
    # Not bound to the group itself: a refused name must not show as the group's name.
    initial = {"name": me.group.name, "description": me.group.description}
    form = GroupForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=me, **form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return _back(me)
    context = {"group": me.group, "form": form, "nav": "groups"}
    return render(request, "groups/edit.html", context, status=400 if form.errors else 200)


def _group_export(request, me: Membership, download):
    """The group's questions with every current member's forecasts that the exporting
    owner or admin may see now (hidden ones left out while hidden): decision 0028."""
    roles.require(roles.can_export(me), roles.MSG_NOT_ALLOWED)
    members = Membership.objects.filter(group_id=me.group_id).values("user_id")
    qs = group_questions(me.group_id)
    scope = group_scope(request.user, members)
    return download(request, qs, scope, stem=f"falsifiable-group-{me.group_id}")


@require_GET
@member_view
def group_export_csv(request, me: Membership):
    return _group_export(request, me, csv_download)


@require_GET
@member_view
def group_export_json(request, me: Membership):
    return _group_export(request, me, json_download)


@require_http_methods(["GET", "POST"])
def group_join(request, token: str):
    """The invitation link: the group's name and a Join button. A revoked or unknown
    link is a 404; joining twice changes nothing. (Logging in is required, as on every
    page: an anonymous visitor logs in and is sent back here.)"""
    group = selectors.group_for_token(token)
    if group is None:
        raise Http404("This invitation link does not work (any more).")
    if request.method == "POST":
        membership, created = services.join(group=group, user=request.user)
        if created:
            messages.success(request, f"You joined {group.name}.")
        else:
            messages.info(request, f"You are already a member of {group.name}.")
        return _back(membership)
    current = selectors.membership_for(request.user, group.pk)
    context = {"group": group, "membership": current, "nav": "groups"}
    return render(request, "groups/join.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def group_leave(request, me: Membership):
    """GET asks for confirmation; POST leaves (refused to the owner, with the reason)."""
    if request.method == "POST":
        done = f"You left {me.group.name}."
        then = redirect("groups:list")
        return _run(request, me, services.leave, done, then=then, membership=me)
    refusal = roles.leave_refusal(me, me.group.memberships.exclude(pk=me.pk).count())
    context = {"group": me.group, "refusal": refusal, "nav": "groups"}
    return render(request, "groups/leave.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def group_delete(request, me: Membership):
    """GET asks for confirmation; POST deletes (the owner only)."""
    roles.require(roles.can_delete(me), roles.MSG_OWNER_ONLY)
    if request.method == "POST":
        done = f"{me.group.name} is deleted. Its questions stay with their owners, unshared."
        then = redirect("groups:list")
        return _run(request, me, services.group_delete, done, then=then, actor=me)
    context = {"group": me.group, "shared": me.group.predictions.count(), "nav": "groups"}
    return render(request, "groups/delete.html", context)


@require_POST
@member_view
def invite_new(request, me: Membership):
    done = "The group has a new invitation link; any earlier link no longer works."
    return _run(request, me, services.invite_replace, done, actor=me)


@require_POST
@member_view
def invite_off(request, me: Membership):
    done = "The invitation link is turned off: nobody can join until you make a new one."
    return _run(request, me, services.invite_turn_off, done, actor=me)


@require_POST
@member_view
def member_remove(request, me: Membership, member: int):
    target = _target(me, member)
    done = f"{member_name(target.user)} is no longer a member."
    return _run(request, me, services.member_remove, done, actor=me, target=target)


@require_POST
@member_view
def member_role(request, me: Membership, member: int):
    target = _target(me, member)
    role = request.POST.get("role", "")
    what = "an admin" if role == Membership.Role.ADMIN else "a member"
    done = f"{member_name(target.user)} is now {what}."
    return _run(request, me, services.role_set, done, actor=me, target=target, role=role)


@require_POST
@member_view
def member_owner(request, me: Membership, member: int):
    target = _target(me, member)
    done = f"{member_name(target.user)} is now the owner; you are an admin."
    return _run(request, me, services.ownership_transfer, done, actor=me, target=target)


@require_POST
@member_view
def calibration_sharing(request, me: Membership):
    """The viewer's own choice: show their calibration over this group's questions to
    its other members, or not (`on` is "1" or absent)."""
    on = request.POST.get("on") == "1"
    services.calibration_sharing_set(membership=me, on=on)
    if on:
        messages.success(request, "The other members can now see your calibration here.")
    else:
        messages.success(request, "Your calibration is hidden from the other members.")
    return _back(me)


@require_GET
@member_view
def member_calibration(request, me: Membership, member: int):
    """A member's calibration over this group's questions, for the group's members while
    that member opts in; a 404 otherwise (as for another group's member or a stale id),
    so the page says nothing about who has opted out."""
    target = _target(me, member)
    if not roles.can_see_calibration(me, target):
        raise Http404("No such page.")
    name = member_name(target.user)
    context = {
        "group": me.group,
        "member_name": name,
        "is_me": target.pk == me.pk,
        "nav": "groups",
        **member_calibration_context(target, name),
    }
    return render(request, "groups/calibration.html", context)
