"""Evidence for the worked example (docs/design.md §1): the Heise report that prompted the
forecast, and OpenAI's announcement that resolved it."""

from datetime import date, datetime

from demo.account import BERLIN
from sources.models import EvidenceLink
from sources.services import evidence_link_create

HEISE = {
    "url": "https://www.heise.de/news/GPT-4-is-coming-next-week-and-it-will-be-multimodal-says-Microsoft-Germany-7540972.html",
    "title": "GPT-4 is coming next week – and it will be multimodal, says Microsoft Germany",
    "publisher": "heise online",
    "published_date": date(2023, 3, 10),
    "language": "en",
    "quote": "We will introduce GPT-4 next week, there we will have multimodal models "
    "that will offer completely different possibilities.",
    "note": "Supports the claim on its face, but I doubt it: most likely he misspoke or "
    "was paraphrased loosely at a partner event; a real launch would come from OpenAI.",
}
ANNOUNCEMENT = {
    "url": "https://openai.com/research/gpt-4",
    "title": "GPT-4",
    "publisher": "OpenAI",
    "published_date": date(2023, 3, 14),
    "language": "en",
    "quote": "We've created GPT-4, the latest milestone in OpenAI's effort in scaling up "
    "deep learning.",
    "note": "The official announcement, on Tuesday of that week.",
}


def attach_worked_example_evidence(prediction) -> EvidenceLink:
    """Links both sources to `prediction`; returns the announcement's link, which the
    caller cites when it resolves the prediction."""
    owner = prediction.owner
    heise = dict(HEISE)
    evidence_link_create(
        prediction=prediction,
        owner=owner,
        stance=EvidenceLink.Stance.SUPPORTS,
        url=heise.pop("url"),
        quote=heise.pop("quote"),
        note=heise.pop("note"),
        created_at=datetime(2023, 3, 13, 8, 35, tzinfo=BERLIN),
        **heise,
    )
    announcement = dict(ANNOUNCEMENT)
    return evidence_link_create(
        prediction=prediction,
        owner=owner,
        stance=EvidenceLink.Stance.CONTEXT,  # becomes "resolves" when it resolves the claim
        url=announcement.pop("url"),
        quote=announcement.pop("quote"),
        note=announcement.pop("note"),
        created_at=datetime(2023, 3, 14, 19, 0, tzinfo=BERLIN),
        **announcement,
    )
