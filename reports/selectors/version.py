"""The version of everything the reports show about a user, for cache keys."""

from __future__ import annotations

from predictions.models import Profile
from predictions.services import profile_for


def data_version(*, user) -> str:
    """16 hex digits that change whenever anything the reports show about the user
    changes: `Profile.data_version`, which every write service replaces in the
    transaction of its write (`predictions.services.profiles.data_changed`;
    docs/decisions/0021-data-version-kept-by-writes.md). One indexed row read, made
    afresh: the profile cached on the user object may predate a write in this process.
    """
    if not user.is_authenticated:
        return "anonymous"
    found = Profile.objects.filter(user=user).values_list("data_version", flat=True).first()
    if found is None:  # no profile yet: created with a fresh version
        found = profile_for(user).data_version
    return f"{found:016x}"
