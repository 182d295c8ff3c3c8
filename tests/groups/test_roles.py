"""groups.roles: every rule, from each role and from those who are no member (an
outsider, a former member, an anonymous visitor: all three have no membership)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from groups import roles, selectors
from groups.models import Membership
from tests.groups.helpers import Cast
from tests.predictions.factories import UserFactory

pytestmark = pytest.mark.django_db

# The expected answers, written out by hand from the rules in the issue.
ACTORS = ["owner", "admin", "member", "outsider", "former", "anonymous"]
SINGLE = {
    "can_view": [True, True, True, False, False, False],
    "is_manager": [True, True, False, False, False, False],
    "can_see_invite": [True, True, False, False, False, False],
    "can_change_invite": [True, True, False, False, False, False],
    "can_rename": [True, True, False, False, False, False],
    "can_delete": [True, False, False, False, False, False],
}
# actor -> (on the owner, on the admin, on the plain member)
REMOVE = {
    "owner": (False, True, True),
    "admin": (False, False, True),
    "member": (False, False, False),
    "outsider": (False, False, False),
    "former": (False, False, False),
    "anonymous": (False, False, False),
}
CHANGE_ROLE = {
    "owner": (False, True, True),
    "admin": (False, False, False),
    "member": (False, False, False),
    "outsider": (False, False, False),
    "former": (False, False, False),
    "anonymous": (False, False, False),
}


@pytest.fixture
def cast():
    return Cast()


def actor(cast: Cast, name: str) -> Membership | None:
    """The actor's membership as the views look it up."""
    user = AnonymousUser() if name == "anonymous" else getattr(cast, name)
    return selectors.membership_for(user, cast.group.pk)


def test_nobody_but_members_has_a_membership(cast):
    for name in ("outsider", "former", "anonymous"):
        assert actor(cast, name) is None
    for name, membership in cast.by_role().items():
        assert actor(cast, name) == membership


@pytest.mark.parametrize("rule", sorted(SINGLE))
def test_rules_on_the_group(cast, rule):
    got = [getattr(roles, rule)(actor(cast, name)) for name in ACTORS]
    assert got == SINGLE[rule]


@pytest.mark.parametrize(
    ("rule", "table"), [("can_remove", REMOVE), ("can_change_role", CHANGE_ROLE)]
)
def test_rules_on_a_member(cast, rule, table):
    targets = (cast.owner_m, cast.admin_m, cast.member_m)
    for name, expected in table.items():
        got = tuple(getattr(roles, rule)(actor(cast, name), target) for target in targets)
        assert got == expected, name


def test_an_admin_cannot_remove_another_admin_but_the_owner_can(cast):
    second = Membership.objects.create(group=cast.group, user=UserFactory(), role="admin")
    assert not roles.can_remove(cast.admin_m, second)
    assert roles.can_remove(cast.owner_m, second)


def test_the_owner_of_another_group_has_no_say_here(cast):
    for target in (cast.admin_m, cast.member_m):
        assert not roles.can_remove(cast.other_m, target)
        assert not roles.can_change_role(cast.other_m, target)


def test_leaving(cast):
    assert roles.leave_refusal(cast.owner_m, others=2) == roles.MSG_OWNER_LEAVES
    assert roles.leave_refusal(cast.owner_m, others=0) == roles.MSG_OWNER_ALONE
    assert "make someone else owner first" in roles.MSG_OWNER_LEAVES
    for membership in (cast.admin_m, cast.member_m):
        assert roles.leave_refusal(membership, others=2) == ""
    got = [roles.can_leave(actor(cast, name), 2) for name in ACTORS]
    assert got == [False, True, True, False, False, False]
    assert not roles.can_leave(cast.owner_m, 0)
