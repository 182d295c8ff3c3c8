"""Profiles and tags: the per-user records every other write may need."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from predictions import rules
from predictions.models import Profile, Tag, new_data_version

MSG_NOT_YOUR_TAGS = "Choose your own tags."


def profile_for(user) -> Profile:
    """The user's profile, created on first use and cached on the user object."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def data_changed(owner_id: int) -> None:
    """Gives the owner's profile a new data version: every write service that changes
    the owner's predictions, forecasts, resolutions, tags or evidence calls this inside
    its transaction, so the reports' cache keys (reports.selectors.version) change when
    the data is committed and never otherwise. One indexed update."""
    version = new_data_version()
    if not Profile.objects.filter(user_id=owner_id).update(data_version=version):
        Profile.objects.get_or_create(user_id=owner_id)  # a fresh one: a fresh version


def tags_for_names(*, owner, names: Iterable[str]) -> list[Tag]:
    """The owner's tags with these names, creating missing ones (case-insensitive)."""
    wanted = rules.tag_names(names)
    if not wanted:
        return []
    existing = {t.name.lower(): t for t in Tag.objects.filter(owner=owner)}
    tags = []
    for name in wanted:
        tag = existing.get(name.lower())
        if tag is None:
            tag = Tag(owner=owner, name=name)
            tag.full_clean(validate_constraints=False)
            tag.save()
        tags.append(tag)
    return tags


def check_own_tags(tags: list[Tag], owner_id: int) -> None:
    if any(tag.owner_id != owner_id for tag in tags):
        raise ValidationError({"tags": MSG_NOT_YOUR_TAGS})
