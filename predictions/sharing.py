"""Who may forecast on a prediction and whose forecasts a viewer may see.

The one place for these rules: pages, fragments, charts, exports, mails and counts ask
here (or use `PredictionQuerySet.readable_by`), so a hidden forecast cannot leak through
a path that forgot a check.

Hiding (against anchoring) applies to predictions shared with a group: while
`hide_until_forecast` is on, a viewer who has not forecast on the question sees only
their own forecasts (none), and while `hidden_until` lies in the future nobody sees
anyone else's. A prediction shared with no group is its owner's alone, so nothing is
hidden on it (its owner's forecasts show on its shared link as before).
"""

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial

from django.db.models import QuerySet

from predictions.models import Forecast, Prediction, Share

MSG_CANNOT_FORECAST = (
    "Only the owner and members of a group it is shared with can forecast on this prediction."
)


def groups_of(user) -> QuerySet:
    """The groups `user` belongs to, by name: those they may share a prediction with.
    Through the user's memberships, by relation (predictions imports no groups)."""
    group_model = Prediction.shared_with.field.related_model
    if not user.is_authenticated:
        return group_model._default_manager.none()
    memberships = user.group_memberships.values("group_id")
    return group_model._default_manager.filter(pk__in=memberships).order_by("name", "pk")


def is_shared(prediction: Prediction) -> bool:
    return prediction.shared_with.exists()


def can_forecast(prediction: Prediction, user) -> bool:
    """The owner, and members of a group the prediction is shared with."""
    if not user.is_authenticated:
        return False
    if user.pk == prediction.owner_id:
        return True
    return prediction.shared_with.filter(memberships__user=user).exists()


def has_forecast(prediction: Prediction, user) -> bool:
    return user.is_authenticated and prediction.forecasts.filter(author=user).exists()


def sees_others(prediction: Prediction, viewer, today: date) -> bool:
    """Whether `viewer` (any user, anonymous included) may see forecasts made by others
    on `prediction`, and what is derived from them (community forecast, chart lines,
    counts). `today` is the viewer's date (their profile's, or UTC when anonymous)."""
    return _sees_others(
        prediction, today, is_shared(prediction), lambda: has_forecast(prediction, viewer)
    )


def seeing_others(predictions: Iterable[Prediction], viewer, today: date) -> set[int]:
    """The ids of `predictions` on which `sees_others` holds for `viewer`, in two queries
    however many there are (feeds and digests list many questions at once)."""
    predictions = list(predictions)
    ids = [p.pk for p in predictions]
    shared = set(
        Share.objects.filter(prediction_id__in=ids).values_list("prediction_id", flat=True)
    )
    mine: set[int] = set()
    if viewer.is_authenticated and shared:
        mine = set(
            Forecast.objects.filter(prediction_id__in=shared, author=viewer).values_list(
                "prediction_id", flat=True
            )
        )
    return {
        p.pk
        for p in predictions
        if _sees_others(p, today, p.pk in shared, partial(mine.__contains__, p.pk))
    }


def _sees_others(
    prediction: Prediction, today: date, shared: bool, has_forecast: Callable[[], bool]
) -> bool:
    """The rule itself, given whether the prediction is shared and (asked only when it
    matters) whether the viewer has forecast on it."""
    if not shared:
        return True
    if prediction.hidden_until is not None and today < prediction.hidden_until:
        return False
    if prediction.hide_until_forecast:
        return has_forecast()
    return True


def forecasts_visible_to(prediction: Prediction, viewer, today: date) -> QuerySet[Forecast]:
    """The forecasts on `prediction` that `viewer` may see, in time order."""
    forecasts = prediction.forecasts.all()
    if sees_others(prediction, viewer, today):
        return forecasts
    if not viewer.is_authenticated:
        return forecasts.none()
    return forecasts.filter(author=viewer)


def latest_forecast(prediction: Prediction, author=None) -> Forecast | None:
    """The latest forecast `author` (by default the owner) made on `prediction`."""
    author_id = prediction.owner_id if author is None else author.pk
    return prediction.forecasts.filter(author_id=author_id).order_by("-created_at", "-pk").first()
