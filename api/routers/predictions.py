"""Reading predictions: the list (the list page's filters, through
predictions.list_filters.select_list) and one prediction (what its page shows, through
predictions.forecasters.question_view, so hidden forecasts stay hidden here too).

Another user's prediction, or one of a group the reader has left, is 404, as on the pages.
"""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from api.errors import COMMON_ERRORS, FormInvalid
from api.schemas.predictions import PredictionOut, PredictionPageOut
from predictions import community
from predictions.forecasters import question_view
from predictions.list_filters import select_list
from predictions.models import Prediction, attach_summaries
from predictions.names import member_name
from predictions.services import profile_for
from reports.selectors.one_score import prediction_score
from sources.selectors import evidence_by_stance

router = Router(tags=["predictions"])

MAX_LIMIT = 100
TAG_QUERY = Query([], description="Tag ids (any of them); repeat the parameter for more.")
MSG_CURSOR = "This cursor is not one this API gave out."


def _cursor(pk: int) -> str:
    # Opaque to clients, so the order it encodes may change without breaking them.
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def _after(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "id" or not number.isdigit() or len(number) > 18:
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        # api/errors.py answers 400 with the field's message.
        raise ValidationError({"cursor": [MSG_CURSOR]}) from exc


def _latest(prediction) -> dict | None:
    if prediction.latest_forecast_id is None:
        return None
    probability = prediction.latest_probability
    return {
        "created_at": prediction.latest_forecast_at,
        "probability": None if probability is None else float(probability),
        "summary": prediction.current,
    }


@router.get("/predictions", response={200: PredictionPageOut, **COMMON_ERRORS})
def prediction_list(
    request,
    status: str = "",
    q: str = Query("", description="Words to search, or a bucket range such as 20%-80%."),
    tag: list[str] = TAG_QUERY,
    kind: str = "",
    group: str = Query("", description="A group id: questions shared with it."),
    created_from: str = "",
    created_to: str = "",
    resolved_from: str = "",
    resolved_to: str = "",
    period: str = Query("", description="3m or 12m."),
    p: str = Query("", description="Calibration buckets, such as 20-80."),
    cursor: str = Query("", max_length=100),
    limit: int = Query(25, ge=1, le=MAX_LIMIT),
):
    """The reader's questions (own, and shared ones they forecast on), newest first, with
    the list page's filters. The declared parameters document the query string; the list
    page's own form reads it, so its checks and messages are the page's."""
    selection = select_list(request.GET, request.user, profile_for(request.user))
    if selection.form.errors:
        raise FormInvalid(selection.form)
    predictions = selection.predictions.for_list(author=request.user).select_related(
        "owner__profile"
    )
    if cursor:
        predictions = predictions.filter(pk__lt=_after(cursor))
    # By id, newest first: stable however many rows share a creation time.
    rows = list(predictions.order_by("-pk")[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    attach_summaries(page)
    items = [
        {
            "id": row.pk,
            "question": row.question,
            "kind": row.kind,
            "status": row.status,
            "resolve_by": row.resolve_by,
            "created_at": row.created_at,
            "owner": member_name(row.owner),
            "latest_forecast": _latest(row),
        }
        for row in page
    ]
    return {"items": items, "next_cursor": _cursor(page[-1].pk) if more else None}


def _forecast(prediction, forecast, reader) -> dict:
    kind = prediction.kind
    return {
        "id": forecast.pk,
        "author": member_name(forecast.author),
        "mine": forecast.author_id == reader.pk,
        "created_at": forecast.created_at,
        "probability": None if forecast.probability is None else float(forecast.probability),
        "phrase": forecast.phrase,
        "rationale": forecast.rationale,
        "evidence_id": forecast.evidence_id,
        # Prefetched by question_view for the kind that has them; empty otherwise.
        "options": [
            {"option_id": row.option_id, "probability": float(row.probability)}
            for row in (
                forecast.option_probabilities.all()
                if kind == Prediction.Kind.MULTIPLE_CHOICE
                else []
            )
        ],
        "quantiles": [
            {"level": float(row.level), "value": row.value}
            for row in (forecast.quantiles.all() if kind == Prediction.Kind.DATE else [])
        ],
    }


def _community(pooled, options) -> dict | None:
    if isinstance(pooled, community.BinaryCommunity):
        return {
            "forecasters": pooled.forecasters,
            "probability": pooled.probability,
            "median": pooled.median,
        }
    if isinstance(pooled, community.ChoiceCommunity):
        return {
            "forecasters": pooled.forecasters,
            "options": [
                {"option_id": option.pk, "probability": probability}
                for option, probability in zip(options, pooled.probabilities, strict=True)
            ],
        }
    if isinstance(pooled, community.DateCommunity):
        return {
            "forecasters": pooled.forecasters,
            "quantiles": [{"level": level, "value": day} for level, day in pooled.quantiles],
        }
    return None


@router.get("/predictions/{prediction_id}", response={200: PredictionOut, **COMMON_ERRORS})
def prediction_detail(request, prediction_id: int):
    """One prediction as its page shows it to the reader: the forecasts they may see,
    options, evidence, resolution history, the community forecast when others' forecasts
    are visible to them, and their score once resolved."""
    readable = Prediction.objects.readable_by(request.user).prefetch_related("shared_with")
    prediction = get_object_or_404(readable.select_related("owner__profile"), pk=prediction_id)
    view = question_view(prediction, request.user, profile_for(request.user).today())
    options = list(prediction.options.all())
    score = None
    if prediction.status != Prediction.Status.OPEN:
        one = prediction_score(prediction, author_id=request.user.pk)
        score = {**one.__dict__, "scored": one.scored}
    events = prediction.resolution_events.all()
    return {
        "id": prediction.pk,
        "question": prediction.question,
        "kind": prediction.kind,
        "status": prediction.status,
        "resolve_by": prediction.resolve_by,
        "created_at": prediction.created_at,
        "owner": member_name(prediction.owner),
        "resolution_criteria": prediction.resolution_criteria,
        "outcome": prediction.outcome,
        "outcome_option_id": prediction.outcome_option_id,
        "outcome_date": prediction.outcome_date,
        "known_at": prediction.known_at,
        "options": [{"id": o.pk, "label": o.label} for o in options],
        "forecasts": [_forecast(prediction, f, request.user) for f in view.visible],
        "others_hidden": view.hidden,
        "community": _community(view.community, options) if view.together else None,
        "evidence": [
            {
                "id": link.pk,
                "url": link.source.url,
                "title": link.source.title,
                "stance": link.stance,
                "quote": link.quote,
                "note": link.note,
                "created_at": link.created_at,
            }
            for group in evidence_by_stance(prediction)
            for link in group.links
        ],
        "resolution_history": [
            {
                "action": e.action,
                "outcome": e.outcome,
                "outcome_option_id": e.outcome_option_id,
                "outcome_date": e.outcome_date,
                "known_at": e.known_at,
                "evidence_id": e.evidence_id,
                "created_at": e.created_at,
            }
            for e in events
        ],
        "score": score,
    }
