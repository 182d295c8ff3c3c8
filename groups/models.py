"""Groups of people who forecast on each other's shared questions (issue "Forecast
together", docs/design.md).

A prediction's owner shares it with groups they belong to (`Prediction.shared_with`);
every member can then read it and forecast on it. Who may do what is decided in
`groups.roles`; the predictions app only knows the relation by its name.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 2000


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


class Group(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The one invitation link: anyone holding it may join. Revoking replaces it, so old
    # copies stop working; None means no link is out.
    invite_token = models.CharField(
        max_length=48, unique=True, null=True, blank=True, default=new_invite_token
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="forecast_groups"
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # Whether this member shows their calibration over the group's questions to the
    # group's other members (decision 0030); off until they turn it on.
    shows_calibration = models.BooleanField(default=False)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group} ({self.role})"
