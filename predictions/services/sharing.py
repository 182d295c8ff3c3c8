"""Sharing a prediction with groups, so that their members forecast on it too."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from predictions import rules, sharing
from predictions.models import Prediction

MSG_NOT_YOUR_GROUP = "You can only share with groups you belong to."


@transaction.atomic
def prediction_share_with_groups(
    *,
    prediction: Prediction,
    groups: Iterable,
    hide_until_forecast: bool = True,
    hidden_until: date | None = None,
) -> Prediction:
    """Sets the groups whose members may read and forecast on the prediction (any of
    its owner's groups; none makes it the owner's alone again) and the hiding of each
    other's forecasts (predictions.sharing). Forecasts already made stay."""
    groups = list(groups)
    own = set(sharing.groups_of(prediction.owner).values_list("pk", flat=True))
    if any(group.pk not in own for group in groups):
        raise ValidationError({"groups": MSG_NOT_YOUR_GROUP})
    rules.date_in_range(hidden_until, "hidden_until")
    prediction.hide_until_forecast = hide_until_forecast
    prediction.hidden_until = hidden_until
    prediction.full_clean()
    prediction.save(update_fields=["hide_until_forecast", "hidden_until"])
    prediction.shared_with.set(groups)
    return prediction
