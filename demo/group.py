"""The demo group: the demo user and two friends forecasting on a dozen shared questions
(demo/group_questions.py), written through the groups, predictions and comments services.

Idempotent like the rest of the demo: the group is found by its name among the demo
user's owned groups, and a question whose import key ("demo:group:<slug>") its owner
already has is skipped whole (forecasts, resolution and comments come with it). The two
friends have no usable password: they exist to be forecast against (docs/design.md).
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model

from comments.services import comment_post
from demo.account import BERLIN
from demo.claims import KEY_PREFIX, percent, rng_for
from demo.group_questions import COMMENTS, GROUP_DESCRIPTION, GROUP_NAME, QUESTIONS
from groups import services as groups
from groups.models import Group, Membership
from predictions.models import Prediction
from predictions.services import (
    forecast_create,
    prediction_create,
    prediction_resolve,
    prediction_share_with_groups,
    profile_for,
)

GROUP_KEY_PREFIX = f"{KEY_PREFIX}group:"
# username suffix -> display name
FRIENDS = {"ada": "Ada Moreau", "ben": "Ben Okafor"}
# Ada shows her calibration to the group (decision 0030), so its page has something.
SHOWS_CALIBRATION = ("ada",)


def _friend(key: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"demo-{key}")
    if created:
        user.set_unusable_password()
        user.save()
    profile = profile_for(user)
    profile.display_name = FRIENDS[key]
    profile.timezone = BERLIN.key
    profile.full_clean()
    profile.save()
    return user


def _group(demo) -> tuple[Group, dict]:
    """The group with its three members (created once), and the members by key."""
    people = {"demo": demo, **{key: _friend(key) for key in FRIENDS}}
    owned = Membership.objects.filter(user=demo, role=Membership.Role.OWNER)
    group = Group.objects.filter(name=GROUP_NAME, memberships__in=owned).first()
    if group is None:
        group = groups.group_create(owner=demo, name=GROUP_NAME, description=GROUP_DESCRIPTION)
    for key in FRIENDS:
        membership, created = groups.join(group=group, user=people[key])
        if created and key in SHOWS_CALIBRATION:
            groups.calibration_sharing_set(membership=membership, on=True)
    return group, people


def load_group(*, demo, now: datetime) -> tuple[int, int]:
    """Creates what is missing of the demo group; returns (questions created, skipped)."""
    group, people = _group(demo)
    existing = set(
        Prediction.objects.filter(
            owner__in=people.values(), import_key__startswith=GROUP_KEY_PREFIX
        ).values_list("import_key", flat=True)
    )
    today = now.astimezone(BERLIN).date()
    created: dict[str, Prediction] = {}
    for q in QUESTIONS:
        key = GROUP_KEY_PREFIX + q.slug
        if key in existing:
            continue
        rng = rng_for(f"group:{q.slug}")
        asked = datetime.combine(
            today - timedelta(days=q.asked_days_ago),
            time(rng.randint(8, 20), rng.randint(0, 59)),
            tzinfo=BERLIN,
        )
        # A resolved question was due, and resolved, on its resolve-by day.
        resolve_by = today + timedelta(days=q.resolves_in_days)
        owner = people[q.owner]
        first, *updates = q.forecasts[q.owner]
        prediction = prediction_create(
            owner=owner,
            question=q.question,
            resolve_by=resolve_by,
            probability=percent(first),
            created_at=asked,
            import_key=key,
        )
        prediction_share_with_groups(
            prediction=prediction, groups=[group], hide_until_forecast=q.hidden
        )
        _forecasts(prediction, q, people, asked, now, updates, rng)
        if q.outcome is not None:
            known = datetime.combine(resolve_by, time(18, 0), tzinfo=BERLIN)
            prediction_resolve(
                prediction=prediction,
                outcome="yes" if q.outcome else "no",
                known_at=known,
                resolved_at=known + timedelta(hours=rng.randint(1, 20)),
                note="It happened." if q.outcome else "It did not happen.",
            )
        created[q.slug] = prediction
    for slug, key, body in COMMENTS:
        if slug in created:
            comment_post(prediction=created[slug], author=people[key], body=body)
    return len(created), len(QUESTIONS) - len(created)


def _forecasts(prediction, q, people, asked, now, owner_updates, rng) -> None:
    """Every member's forecasts after the owner's first, spread before the question's
    end (its known-at day, or now while open), in a seeded order."""
    end = now - timedelta(hours=2)
    if q.outcome is not None:
        end = datetime.combine(prediction.resolve_by, time(9, 0), tzinfo=BERLIN)
    entries = [(q.owner, p) for p in owner_updates]
    entries += [(key, p) for key, ps in q.forecasts.items() if key != q.owner for p in ps]
    step = (end - asked) / (len(entries) + 1)
    for i, (key, pct) in enumerate(entries, start=1):
        forecast_create(
            prediction=prediction,
            author=people[key],
            probability=percent(pct),
            phrase=f"{pct}%",
            created_at=asked + step * i + step * rng.uniform(-0.2, 0.2),
        )
