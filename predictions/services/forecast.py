"""Appending a forecast: the payload each kind takes, checked by the rules."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from predictions import rules, sharing
from predictions.models import DateQuantile, Forecast, OptionProbability, Prediction
from predictions.services.profiles import data_changed

MSG_RESOLVED_NO_FORECAST = "This prediction is closed; reopen it before adding a forecast."
MSG_EVIDENCE_ELSEWHERE = "That evidence belongs to another prediction."


@transaction.atomic
def forecast_create(
    *,
    prediction: Prediction,
    author,
    probability: Decimal | None = None,
    option_probabilities: Sequence[Decimal] | None = None,
    quantiles: Mapping[Decimal, date] | None = None,
    rationale: str = "",
    evidence=None,
    phrase: str = "",
    created_at: datetime | None = None,
    import_key: str = "",
) -> Forecast:
    """Appends a forecast. Closed predictions take no new forecasts (imports may add the
    late forecasts a history had, so they keep their `import_key`).

    The payload depends on the kind: `probability` of YES; `option_probabilities` in
    option order, totalling 100% (±0.1); or `quantiles`, at least the 10/50/90% dates,
    strictly increasing. `created_at` is for imports; forms always forecast "now".
    The author is the owner or a member of a group it is shared with; each author's
    forecasts are their own history.
    """
    if not sharing.can_forecast(prediction, author):
        raise ValidationError(sharing.MSG_CANNOT_FORECAST)
    # Re-read the status under the transaction's lock so a concurrent resolve wins cleanly.
    status = Prediction.objects.filter(pk=prediction.pk).values_list("status", flat=True).get()
    if status != Prediction.Status.OPEN and not import_key:
        raise ValidationError(MSG_RESOLVED_NO_FORECAST)
    if evidence is not None and evidence.prediction_id != prediction.pk:
        raise ValidationError({"evidence": MSG_EVIDENCE_ELSEWHERE})
    options = (
        list(prediction.options.order_by("position"))
        if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE
        else []
    )
    forecast, option_rows, quantile_rows = new_forecast(
        prediction.kind,
        option_count=len(options),
        probability=probability,
        option_probabilities=option_probabilities,
        quantiles=quantiles,
        phrase=phrase,
        rationale=rationale,
        created_at=created_at or timezone.now(),
        import_key=import_key,
    )
    forecast.prediction, forecast.evidence, forecast.author = prediction, evidence, author
    forecast.full_clean(validate_constraints=bool(import_key))  # see prediction_create
    forecast.save()
    for option, option_row in zip(options, option_rows, strict=True):
        option_row.forecast, option_row.option = forecast, option
    for quantile_row in quantile_rows:
        quantile_row.forecast = forecast
    OptionProbability.objects.bulk_create(option_rows)
    DateQuantile.objects.bulk_create(quantile_rows)
    data_changed(prediction.owner_id, author.pk)  # the owner's counts, the author's scores
    return forecast


def new_forecast(
    kind: str,
    *,
    option_count: int,
    probability: Decimal | None,
    option_probabilities: Sequence[Decimal] | None,
    quantiles: Mapping[Decimal, date] | None,
    phrase: str,
    rationale: str,
    created_at: datetime,
    import_key: str,
) -> tuple[Forecast, list[OptionProbability], list[DateQuantile]]:
    """An unsaved forecast whose payload the rules accept, with its unsaved option
    probabilities (in option order) and quantiles."""
    pairs = rules.forecast_payload(
        kind,
        probability=probability,
        option_probabilities=option_probabilities,
        quantiles=quantiles,
        option_count=option_count,
    )
    rules.date_in_range(created_at, "created_at")
    forecast = Forecast(
        probability=probability,
        phrase=phrase,
        rationale=rationale.strip(),
        created_at=created_at,
        import_key=import_key,
    )
    option_rows = [OptionProbability(probability=p) for p in option_probabilities or ()]
    for row in option_rows:
        row.full_clean(exclude=["forecast", "option"], validate_constraints=False)
    quantile_rows = [DateQuantile(level=level, value=day) for level, day in pairs]
    return forecast, option_rows, quantile_rows
