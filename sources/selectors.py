"""Reads for the evidence pages, each a fixed number of queries however many rows."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from predictions.models import Prediction
from sources.models import EvidenceLink, Source


@dataclass(frozen=True)
class StanceGroup:
    stance: str
    label: str
    links: list[EvidenceLink]


def evidence_by_stance(prediction: Prediction) -> list[StanceGroup]:
    """The prediction's evidence grouped by stance (in the Stance order), empty groups left out.

    One query: links with their sources, oldest first within a group.
    """
    links = list(prediction.evidence_links.select_related("source"))
    groups = []
    for stance, label in EvidenceLink.Stance.choices:
        in_group = [link for link in links if link.stance == stance]
        if in_group:
            groups.append(StanceGroup(stance=stance, label=label, links=in_group))
    return groups


def library_sources(*, owner, query: str = "") -> QuerySet[Source]:
    """The owner's sources, newest first, optionally searched, each with its links.

    Searches title, URL, publisher, author, notes and the question of any linked
    prediction. Each source carries `links` (prefetched, with their predictions) so the
    page costs the same number of queries for 3 sources or 300.
    """
    sources = Source.objects.filter(owner=owner)
    # NUL is dropped: stored text never holds it (forms refuse it), and PostgreSQL
    # would raise DataError on it rather than find nothing.
    query = query.replace("\x00", "").strip()
    if query:
        matching = Source.objects.filter(owner=owner).filter(
            Q(title__icontains=query)
            | Q(url__icontains=query)
            | Q(publisher__icontains=query)
            | Q(author__icontains=query)
            | Q(notes__icontains=query)
            | Q(links__prediction__question__icontains=query)
        )
        # A subquery, not a join on the outer query: no duplicate rows, no DISTINCT.
        sources = sources.filter(pk__in=matching.values("pk"))
    links = EvidenceLink.objects.select_related("prediction").order_by("created_at", "pk")
    return sources.prefetch_related(Prefetch("links", queryset=links))
