"""The live reading under a probability field: "Reads as 75% (odds 3:1)".

htmx asks for it while the person types (see templates/predictions/probability_reading.html);
it is a hint, not validation, so unreadable text still answers 200 with the refusal.
"""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from predictions.probability import (
    PHRASE_MAX_LENGTH,
    ProbabilityError,
    certainty_warning,
    doubt_choices,
    doubt_message,
    parse_probability,
    simple_odds,
)


def _typed_text(query: QueryDict) -> str:
    """?text=…, or the value of the probability input itself (htmx sends it by its name:
    "probability", or a prefixed one such as "option-2-probability")."""
    if "text" in query:
        return str(query["text"])
    name = next((key for key in query if key.endswith("probability")), None)
    return str(query[name]) if name else ""


@require_GET
def probability_reading(request: HttpRequest) -> HttpResponse:
    """How the typed probability will be read, as a small fragment (empty for no text)."""
    text = _typed_text(request.GET)[:PHRASE_MAX_LENGTH].strip()
    context: dict = {"text": text, "reading": None, "odds": None, "error": ""}
    if doubt := doubt_message(text):
        # "0.3": asked, not read; the buttons put the chosen reading in the box.
        context["doubt"] = {"message": doubt, "choices": doubt_choices(text)}
    elif text:
        try:
            context["reading"] = parse_probability(text)
        except ProbabilityError as exc:
            context["error"] = str(exc)
        else:
            context["odds"] = simple_odds(context["reading"].probability)
            context["certainty"] = certainty_warning(context["reading"].probability)
    return render(request, "predictions/probability_reading.html", context)
