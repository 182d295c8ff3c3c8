"""Groups with one member of each role, for the groups tests."""

from groups.models import Group, Membership
from tests.predictions.factories import UserFactory

Role = Membership.Role


class Cast:
    """A group with an owner, an admin and a plain member; an outsider; a former member
    (joined, then left); and a second group the outsider owns."""

    def __init__(self, name: str = "Forecasters"):
        self.group = Group.objects.create(name=name)
        self.owner, self.admin, self.member, self.outsider, self.former = (
            UserFactory() for _ in range(5)
        )
        self.owner_m = Membership.objects.create(group=self.group, user=self.owner, role=Role.OWNER)
        self.admin_m = Membership.objects.create(group=self.group, user=self.admin, role=Role.ADMIN)
        # The plain member shows their calibration to the group (decision 0030), so that
        # its page exists for the group's members and the isolation table can try it.
        self.member_m = Membership.objects.create(
            group=self.group, user=self.member, shows_calibration=True
        )
        Membership.objects.create(group=self.group, user=self.former).delete()
        self.other = Group.objects.create(name="Elsewhere")
        self.other_m = Membership.objects.create(
            group=self.other, user=self.outsider, role=Role.OWNER
        )

    def by_role(self) -> dict[str, Membership]:
        return {"owner": self.owner_m, "admin": self.admin_m, "member": self.member_m}
