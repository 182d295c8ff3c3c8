"""Creating, resolving, undoing and extending predictions: the pages' forms and services
(predictions/views.py prediction_create, prediction_resolve, prediction_reopen,
prediction_extend), so the API has no second write path and no second validation.
Owner-only, like the pages: anyone else's question is 404."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Status

from api.auth import require_write
from api.errors import COMMON_ERRORS, ErrorOut, FormInvalid
from api.routers.predictions import router
from api.routers.writing import probability_text, refused, valid
from api.schemas.prediction_writes import ExtendIn, PredictionIn, PredictionSavedOut, ResolveIn
from predictions import kinds, services
from predictions.models import Prediction
from predictions.quick_entry import past_date_to_confirm
from predictions.services import profile_for

# On the reads' router (imported above): two routers with the same path ("/predictions")
# would each answer only their own method (Django stops at the first matching URL: 405).
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


def _own(request, pk: int) -> Prediction:
    # The pages' _own_prediction rule: the owner's, else 404.
    return get_object_or_404(Prediction.objects.visible_to(request.user), pk=pk)


@router.post("/predictions", response={201: PredictionSavedOut, **WRITE_ERRORS})
def prediction_create(request, payload: PredictionIn):
    """A yes/no prediction with its first forecast, through the new-prediction form."""
    require_write(request)
    kind = Prediction.Kind.BINARY
    data = payload.dict()
    data["probability"] = probability_text(payload.probability)
    data["new_tags"] = data.pop("tags")
    if not payload.confirm_past:
        data.pop("confirm_past")
    form = valid(kinds.BinaryPredictionForm(data, owner=request.user))
    today = profile_for(request.user).today()
    if warning := past_date_to_confirm(form.cleaned_data["resolve_by"], today, data):
        # The page asks to confirm a past date; here "confirm_past": true does.
        form.add_error("resolve_by", warning)
        raise FormInvalid(form)
    prediction = kinds.create_from_form(form, owner=request.user, kind=kind)
    if prediction is None:
        raise FormInvalid(form)
    return Status(201, prediction)


@router.post("/predictions/{pk}/resolve", response={200: PredictionSavedOut, **WRITE_ERRORS})
def prediction_resolve(request, pk: int, payload: ResolveIn):
    """YES / NO / ANNULLED; re-resolving is allowed and recorded, as on the page."""
    require_write(request)
    prediction = _own(request, pk)
    data = {key: value for key, value in payload.dict().items() if value is not None}
    form = valid(kinds.RESOLVE_FORMS[prediction.kind](data, prediction=prediction), data)
    try:
        kinds.resolve_from_form(form, prediction=prediction)
    except ValidationError as exc:
        refused(form, exc)
    return prediction


@router.post("/predictions/{pk}/undo", response={200: PredictionSavedOut, **WRITE_ERRORS})
def prediction_undo(request, pk: int):
    """Undoes the resolution (kept in the history); 409 on an open question."""
    require_write(request)
    prediction = _own(request, pk)
    try:
        services.prediction_reopen(prediction=prediction)
    except ValidationError as exc:
        refused(None, exc)
    return prediction


@router.post("/predictions/{pk}/extend", response={200: PredictionSavedOut, **WRITE_ERRORS})
def prediction_extend(request, pk: int, payload: ExtendIn):
    """A later resolve-by date for an open question (recorded); 409 once resolved."""
    require_write(request)
    prediction = _own(request, pk)
    form = valid(kinds.ExtendForm(payload.dict()))
    try:
        kinds.extend_from_form(form, prediction=prediction)
    except ValidationError as exc:
        refused(form, exc)
    return prediction
