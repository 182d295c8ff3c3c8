"""POST /parse: the quick-capture reading of one line (predictions.quick_entry.read_entry,
the capture line's own reader), so clients can offer the same one-line entry. Reads only:
nothing is saved, so a read-only token may call it."""

from ninja import Router

from api.errors import COMMON_ERRORS
from api.schemas.parse import ParseIn, ParseOut
from predictions.quick_entry import read_entry
from predictions.services import profile_for

router = Router(tags=["parse"])


@router.post("/parse", response={200: ParseOut, **COMMON_ERRORS})
def parse(request, payload: ParseIn):
    # The owner's local today, as the capture line reads "by Friday".
    reading = read_entry(payload.text, payload.resolve_by, profile_for(request.user).today())
    probability = reading.probability
    problems: dict[str, list[str]] = {}
    for problem in reading.problems:
        problems.setdefault(problem.field, []).append(problem.message)
    return {
        "claim": reading.claim,
        "probability": float(probability.probability) if probability else None,
        "probability_phrase": probability.phrase if probability else "",
        "probability_warning": probability.warning if probability else "",
        "resolve_by": reading.deadline.day if reading.deadline else None,
        "resolve_by_phrase": reading.deadline.phrase if reading.deadline else "",
        "tags": list(reading.tags),
        "problems": problems,
    }
