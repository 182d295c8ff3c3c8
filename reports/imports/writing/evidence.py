"""A file's evidence links: checked like the sources services check them, saved through
those services (with the file's original timestamps restored afterwards)."""

from django.core.exceptions import ValidationError

from predictions.models import Prediction
from predictions.services.bulk import BulkPrediction, check_dates, field_errors, messages
from reports.imports.common import EvidenceIn, PredictionIn
from sources import services as source_services
from sources.models import EvidenceLink, Source
from sources.normalise import normalise_url


def check_evidence(writer, rec: PredictionIn) -> list[EvidenceIn]:
    urls: set[str] = set()
    for ev in rec.evidence:
        try:
            url = normalise_url(ev.url)
        except ValidationError as exc:
            writer.errors(rec, messages(exc), ev.row, prefix="evidence.url")
            continue
        if url in urls:
            writer.error(rec, "evidence.url", source_services.MSG_ALREADY_LINKED, ev.row)
        urls.add(url)
        link = EvidenceLink(stance=ev.stance, quote=ev.quote.strip(), note=ev.note.strip())
        source = Source(url=url, **ev.source)
        texts = {"quote": link.quote, "note": link.note}
        writer.errors(rec, field_errors(EvidenceLink, texts), ev.row, prefix="evidence.")
        for times, prefix in (
            ({"created_at": ev.created_at}, "evidence."),
            ({"created_at": ev.source_created_at}, "evidence.source."),
        ):
            writer.errors(rec, check_dates(times), ev.row, prefix=prefix)
        texts = {k: v for k, v in ev.source.items() if isinstance(v, str)}
        writer.errors(rec, field_errors(Source, texts), ev.row, prefix="evidence.source.")
        for obj, exclude, prefix in (
            (link, ["prediction", "source"], "evidence."),
            (source, ["owner"], "evidence.source."),
        ):
            try:
                obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                writer.errors(rec, messages(exc), ev.row, prefix=prefix)
    return list(rec.evidence)


def evidence_linker(owner):
    """The bulk service's `link_evidence`: a new prediction's links through the sources
    services; returns {ref: link}."""

    def link_evidence(item: BulkPrediction) -> dict:
        assert isinstance(item.prediction, Prediction)  # the bulk writer saved it as one
        links = {}
        for ev in item.evidence:
            source, created = source_services.source_get_or_create(
                owner=owner, url=ev.url, **ev.source
            )
            if created and ev.source_created_at:
                Source.objects.filter(pk=source.pk).update(created_at=ev.source_created_at)
            links[ev.ref] = source_services.evidence_link_create(
                prediction=item.prediction,
                owner=owner,
                stance=ev.stance,
                source=source,
                quote=ev.quote,
                note=ev.note,
                created_at=ev.created_at,
            )
        return links

    return link_evidence
