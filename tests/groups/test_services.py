"""groups.services: each write, and each refusal writing nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groups import roles, services
from groups.models import Group, Membership
from predictions.models import Forecast, Prediction
from tests.groups.helpers import Cast
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast()


def roles_of(group: Group) -> dict[int, str]:
    return dict(group.memberships.values_list("user_id", "role"))


def test_create_makes_the_creator_its_only_member_and_owner():
    user = UserFactory()
    group = services.group_create(owner=user, name="  Weekly\n forecasts ", description=" Hi ")
    assert (group.name, group.description) == ("Weekly forecasts", "Hi")
    assert roles_of(group) == {user.pk: "owner"}
    assert group.invite_token


@pytest.mark.parametrize(
    ("name", "description", "field"),
    [
        ("", "", "name"),
        ("   ", "", "name"),
        ("x" * 81, "", "name"),
        ("Ok", "d" * 2001, "description"),
    ],
)
def test_create_refuses_bad_text_and_writes_nothing(name, description, field):
    with pytest.raises(ValidationError) as caught:
        services.group_create(owner=UserFactory(), name=name, description=description)
    assert field in caught.value.message_dict
    assert not Group.objects.exists()
    assert not Membership.objects.exists()


def test_the_longest_name_and_description_are_accepted():
    group = services.group_create(owner=UserFactory(), name="x" * 80, description="d" * 2000)
    assert len(group.name) == 80


def test_join_twice_changes_nothing(cast):
    user = UserFactory()
    first, created = services.join(group=cast.group, user=user)
    again, created_again = services.join(group=cast.group, user=user)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert again.role == "member"
    # An admin joining through the link again stays an admin.
    _, created = services.join(group=cast.group, user=cast.admin)
    assert not created
    assert roles_of(cast.group)[cast.admin.pk] == "admin"


def test_invite_replace_and_turn_off(cast):
    old = cast.group.invite_token
    group = services.invite_replace(actor=cast.admin_m)
    assert group.invite_token
    assert group.invite_token != old
    assert not Group.objects.filter(invite_token=old).exists()
    assert services.invite_turn_off(actor=cast.owner_m).invite_token is None
    assert services.invite_replace(actor=cast.owner_m).invite_token


def test_a_plain_member_changes_no_link(cast):
    old = cast.group.invite_token
    for change in (services.invite_replace, services.invite_turn_off):
        with pytest.raises(PermissionDenied):
            change(actor=cast.member_m)
    cast.group.refresh_from_db()
    assert cast.group.invite_token == old


def test_leave(cast):
    services.leave(membership=cast.member_m)
    services.leave(membership=cast.admin_m)
    assert roles_of(cast.group) == {cast.owner.pk: "owner"}


def test_the_owner_cannot_leave_with_or_without_others(cast):
    with pytest.raises(ValidationError, match="make someone else owner first"):
        services.leave(membership=cast.owner_m)
    cast.admin_m.delete()
    cast.member_m.delete()
    with pytest.raises(ValidationError, match="delete the group"):
        services.leave(membership=cast.owner_m)
    assert Group.objects.filter(pk=cast.group.pk).exists()
    assert roles_of(cast.group) == {cast.owner.pk: "owner"}


def test_remove(cast):
    services.member_remove(actor=cast.admin_m, target=cast.member_m)
    services.member_remove(actor=cast.owner_m, target=cast.admin_m)
    assert roles_of(cast.group) == {cast.owner.pk: "owner"}


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("admin_m", "owner_m"),
        ("member_m", "admin_m"),
        ("owner_m", "owner_m"),
        ("other_m", "member_m"),
    ],
)
def test_remove_refused(cast, actor, target):
    before = roles_of(cast.group)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=getattr(cast, actor), target=getattr(cast, target))
    assert roles_of(cast.group) == before


def test_roles_and_handing_ownership_on(cast):
    services.role_set(actor=cast.owner_m, target=cast.member_m, role="admin")
    services.role_set(actor=cast.owner_m, target=cast.admin_m, role="member")
    assert roles_of(cast.group) == {
        cast.owner.pk: "owner",
        cast.admin.pk: "member",
        cast.member.pk: "admin",
    }
    services.ownership_transfer(actor=cast.owner_m, target=cast.admin_m)
    assert roles_of(cast.group) == {
        cast.owner.pk: "admin",
        cast.admin.pk: "owner",
        cast.member.pk: "admin",
    }
    # The former owner is an admin now, and may leave.
    services.leave(membership=cast.owner_m)
    assert cast.owner.pk not in roles_of(cast.group)


@pytest.mark.parametrize("role", ["owner", "", "superuser"])
def test_no_other_role_can_be_set(cast, role):
    with pytest.raises(ValidationError):
        services.role_set(actor=cast.owner_m, target=cast.member_m, role=role)
    assert roles_of(cast.group)[cast.member.pk] == "member"


def test_only_the_owner_changes_roles(cast):
    before = roles_of(cast.group)
    with pytest.raises(PermissionDenied, match=roles.MSG_CANNOT_CHANGE_ROLE):
        services.role_set(actor=cast.admin_m, target=cast.member_m, role="admin")
    with pytest.raises(PermissionDenied):
        services.ownership_transfer(actor=cast.admin_m, target=cast.admin_m)
    with pytest.raises(PermissionDenied):
        services.ownership_transfer(actor=cast.owner_m, target=cast.owner_m)
    assert roles_of(cast.group) == before


def test_rename(cast):
    services.group_update(actor=cast.admin_m, name="New name", description="")
    cast.group.refresh_from_db()
    assert cast.group.name == "New name"
    with pytest.raises(PermissionDenied):
        services.group_update(actor=cast.member_m, name="Hijacked")
    with pytest.raises(ValidationError):
        services.group_update(actor=cast.owner_m, name="")
    cast.group.refresh_from_db()
    assert cast.group.name == "New name"


def test_deleting_a_group_unshares_its_questions_and_deletes_no_prediction(cast):
    prediction = PredictionFactory(owner=cast.member)
    prediction.shared_with.add(cast.group, cast.other)
    ForecastFactory(prediction=prediction)
    ForecastFactory(prediction=prediction, author=cast.admin)
    with pytest.raises(PermissionDenied):
        services.group_delete(actor=cast.admin_m)
    services.group_delete(actor=cast.owner_m)
    assert not Group.objects.filter(pk=cast.group.pk).exists()
    assert not Membership.objects.filter(group_id=cast.group.pk).exists()
    assert Prediction.objects.filter(pk=prediction.pk).exists()
    assert Forecast.objects.filter(prediction=prediction).count() == 2
    assert list(prediction.shared_with.all()) == [cast.other]
