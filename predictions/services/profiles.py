"""Profiles and tags: the per-user records every other write may need."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from predictions import rules
from predictions.models import Prediction, Profile, Tag, new_data_version

MSG_NOT_YOUR_TAGS = "Choose your own tags."


def profile_for(user) -> Profile:
    """The user's profile, created on first use and cached on the user object."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def data_changed(*user_ids: int) -> None:
    """Gives these users' profiles a new data version: every write service that changes
    a user's predictions, forecasts, resolutions, tags or evidence calls this inside
    its transaction, so the reports' cache keys (reports.selectors.version) change when
    the data is committed and never otherwise. One indexed update, for any number of
    users (a forecast changes its author's dashboard and the owner's)."""
    wanted = set(user_ids)
    version = new_data_version()
    if Profile.objects.filter(user_id__in=wanted).update(data_version=version) < len(wanted):
        have = set(Profile.objects.filter(user_id__in=wanted).values_list("user_id", flat=True))
        for user_id in wanted - have:
            Profile.objects.get_or_create(user_id=user_id)  # a fresh one: a fresh version


def question_changed(prediction: Prediction) -> None:
    """`data_changed` for the owner and everyone who forecast on `prediction`: its
    resolution, dates and kind feed each forecaster's own scores
    (docs/decisions/0027-a-members-own-dashboard.md). One query for the authors."""
    authors = prediction.forecasts.order_by().values_list("author_id", flat=True).distinct()
    data_changed(prediction.owner_id, *authors)


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
