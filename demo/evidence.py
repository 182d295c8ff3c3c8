"""Evidence for the worked example (docs/design.md §1): the Heise report that prompted the
forecast, and OpenAI's announcement that resolved it."""

from dataclasses import dataclass
from datetime import date, datetime

from demo.account import BERLIN
from sources.models import EvidenceLink
from sources.services import evidence_link_create


@dataclass(frozen=True)
class DemoEvidence:
    """A source as the demo forecaster linked it: the page, the quote, their note, when."""

    url: str
    title: str
    publisher: str
    published_date: date
    quote: str
    note: str
    linked_at: datetime
    language: str = "en"


HEISE = DemoEvidence(
    url="https://www.heise.de/news/GPT-4-is-coming-next-week-and-it-will-be-multimodal-says-Microsoft-Germany-7540972.html",
    title="GPT-4 is coming next week – and it will be multimodal, says Microsoft Germany",
    publisher="heise online",
    published_date=date(2023, 3, 10),
    quote="We will introduce GPT-4 next week, there we will have multimodal models "
    "that will offer completely different possibilities.",
    note="Supports the claim on its face, but I doubt it: most likely he misspoke or "
    "was paraphrased loosely at a partner event; a real launch would come from OpenAI.",
    linked_at=datetime(2023, 3, 13, 8, 35, tzinfo=BERLIN),
)
ANNOUNCEMENT = DemoEvidence(
    url="https://openai.com/research/gpt-4",
    title="GPT-4",
    publisher="OpenAI",
    published_date=date(2023, 3, 14),
    quote="We've created GPT-4, the latest milestone in OpenAI's effort in scaling up "
    "deep learning.",
    note="The official announcement, on Tuesday of that week.",
    linked_at=datetime(2023, 3, 14, 19, 0, tzinfo=BERLIN),
)


def attach_worked_example_evidence(prediction) -> EvidenceLink:
    """Links both sources to `prediction`; returns the announcement's link, which the
    caller cites when it resolves the prediction."""
    _link(prediction, HEISE, EvidenceLink.Stance.SUPPORTS)
    # Linked as context: resolving the prediction with it makes it "resolves".
    return _link(prediction, ANNOUNCEMENT, EvidenceLink.Stance.CONTEXT)


def _link(prediction, evidence: DemoEvidence, stance: str) -> EvidenceLink:
    return evidence_link_create(
        prediction=prediction,
        owner=prediction.owner,
        stance=stance,
        url=evidence.url,
        quote=evidence.quote,
        note=evidence.note,
        created_at=evidence.linked_at,
        title=evidence.title,
        publisher=evidence.publisher,
        published_date=evidence.published_date,
        language=evidence.language,
    )
