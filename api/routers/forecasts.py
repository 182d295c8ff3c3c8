"""Adding a forecast: the forecast form of the question's kind and forecast_create, as
predictions/views.py forecast_add. The owner and members of a group the question is
shared with may forecast (readable_by, then sharing.can_forecast in the service); anyone
else, a former member included, gets 404."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from api.auth import require_write
from api.errors import COMMON_ERRORS, ErrorOut
from api.routers.writing import probability_text, refused, valid
from api.schemas.forecasts import ForecastIn, ForecastSavedOut
from predictions import kinds
from predictions.models import Prediction

router = Router(tags=["forecasts"])


@router.post(
    "/predictions/{pk}/forecasts", response={201: ForecastSavedOut, **COMMON_ERRORS, 409: ErrorOut}
)
def forecast_add(request, pk: int, payload: ForecastIn):
    require_write(request)
    prediction = get_object_or_404(Prediction.objects.readable_by(request.user), pk=pk)
    data = {key: value for key, value in payload.dict().items() if value is not None}
    data["probability"] = probability_text(payload.probability)
    form_class = kinds.FORECAST_FORMS[prediction.kind]
    form = valid(form_class(data, prediction=prediction, author=request.user), data)
    try:
        forecast = kinds.forecast_from_form(form, prediction=prediction, author=request.user)
    except ValidationError as exc:
        refused(form, exc)
    return Status(201, forecast)
