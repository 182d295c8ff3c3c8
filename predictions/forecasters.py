"""One question as a viewer sees it: whose line they follow (their own, or the owner's on
a shared link), the other forecasters' latest forecasts and the community forecast,
only when predictions.sharing lets them see others' forecasts. The detail page, the
shared page and the question's chart all read through `question_view`, so what one
shows the others show too.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from predictions import community, sharing
from predictions.models import Forecast, OptionProbability, Prediction
from predictions.names import member_name


def with_payload(prediction: Prediction, forecasts: QuerySet[Forecast]) -> QuerySet[Forecast]:
    """`forecasts` with their kind's option probabilities or quantiles prefetched."""
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
        with_options = OptionProbability.objects.select_related("option")
        return forecasts.prefetch_related(Prefetch("option_probabilities", with_options))
    if prediction.kind == Prediction.Kind.DATE:
        return forecasts.prefetch_related("quantiles")
    return forecasts


def payload(prediction: Prediction, forecast: Forecast):
    """What predictions.community pools of one forecast (its kind's numbers)."""
    if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
        return [float(row.probability) for row in forecast.option_probabilities.all()]
    if prediction.kind == Prediction.Kind.DATE:
        return {float(row.level): row.value for row in forecast.quantiles.all()}
    return float(forecast.probability or 0)


POOLS: dict[str, Callable[[list[Any]], Any]] = {
    Prediction.Kind.BINARY: community.binary,
    Prediction.Kind.MULTIPLE_CHOICE: community.choice,
    Prediction.Kind.DATE: community.dates,
}


@dataclass
class QuestionView:
    line: list[Forecast]  # the followed author's forecasts, oldest first
    # Shared with a group and the viewer may see the others: what they see of them.
    together: bool = False
    latest: list[Forecast] = field(default_factory=list)  # one per forecaster, newest first
    community: object = None  # a predictions.community result
    history: list[tuple[datetime, object]] = field(default_factory=list)
    options: list[tuple[str, float]] = field(default_factory=list)  # multiple choice
    # Shared with a group but the others are hidden from the viewer (for now).
    hidden: bool = False
    # Whose line `line` is (the viewer's, or the owner's on a shared link): the score
    # block scores this author's forecasts (reports.selectors.one_score).
    follows: int | None = None
    # Every forecast the viewer may see (predictions.sharing), oldest first: the API's.
    visible: list[Forecast] = field(default_factory=list)


def question_view(prediction: Prediction, viewer, today: date) -> QuestionView:
    """The forecasts of `prediction` that `viewer` (anonymous too) sees: the line of
    their own forecasts if they may forecast on it, else of its owner's (a shared link
    shows the owner's), and, on a shared question whose others they may see, the
    forecasters and the community forecast. `today` is the viewer's date. Prefetch
    `shared_with` on `prediction` to save the queries asking whether it is shared."""
    visible = with_payload(
        prediction,
        sharing.forecasts_visible_to(prediction, viewer, today).select_related(
            "evidence__source", "author__profile"
        ),
    )
    forecasts = list(visible)
    follows = viewer.pk if sharing.can_forecast(prediction, viewer) else prediction.owner_id
    view = QuestionView(
        line=[f for f in forecasts if f.author_id == follows], follows=follows, visible=forecasts
    )
    if sharing.is_shared(prediction) and not sharing.sees_others(prediction, viewer, today):
        view.hidden = True
        return view
    if not sharing.is_shared(prediction):
        return view
    pool = POOLS[prediction.kind]
    latest: dict[int, Forecast] = {}
    for forecast in forecasts:
        latest[forecast.author_id] = forecast
    view.together = True
    view.latest = sorted(latest.values(), key=lambda f: (f.created_at, f.pk), reverse=True)
    for forecast in view.latest:
        forecast.forecaster = member_name(forecast.author)  # type: ignore[attr-defined]
    view.community = pool([payload(prediction, f) for f in latest.values()])
    if isinstance(view.community, community.ChoiceCommunity):
        labels = [option.label for option in prediction.options.all()]
        view.options = list(zip(labels, view.community.probabilities, strict=True))
    view.history = community.history(
        ((f.created_at, f.author_id, payload(prediction, f)) for f in forecasts), pool
    )
    return view
