"""Every write to sources and evidence links goes through here.

Services are keyword-only, atomic and validate with full_clean() before saving, so bad
input raises ValidationError (keyed by field) and writes nothing. Ownership is checked
here as well as in the views' lookups: a service never links one user's prediction to
another user's source.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from predictions.models import Prediction
from predictions.rules import one_line
from predictions.services.profiles import data_changed
from sources.models import EvidenceLink, Source
from sources.normalise import normalise_url

MSG_NOT_YOUR_PREDICTION = "You can only add evidence to your own predictions."
MSG_NOT_YOUR_SOURCE = "Choose a source from your own library."
MSG_URL_OR_SOURCE = "Paste a link or choose a source from your library."
MSG_ALREADY_LINKED = "That source is already linked to this prediction; edit it there."
MSG_URL_TAKEN = "Another source in your library already has this address."
MSG_LINK_RESOLVES = (
    "This evidence resolves the prediction. Reopen the prediction (or resolve it with "
    "other evidence) before removing it or changing its stance."
)

# Fields of Source a user may set; everything else (owner, created_at) is the service's.
SOURCE_FIELDS = (
    "url",
    "title",
    "publisher",
    "author",
    "published_date",
    "language",
    "accessed_date",
    "archive_url",
    "notes",
)
_TEXT_FIELDS = ("title", "publisher", "author", "language", "notes")


def _clean_source_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown source fields: {', '.join(sorted(unknown))}")
    cleaned = dict(fields)
    for name in _TEXT_FIELDS:
        if name in cleaned:
            value = cleaned[name] or ""
            # Titles and names are one line; notes keep their paragraphs.
            cleaned[name] = value.strip() if name == "notes" else one_line(value)
    if cleaned.get("archive_url"):
        try:
            cleaned["archive_url"] = normalise_url(cleaned["archive_url"])
        except ValidationError as exc:
            raise ValidationError({"archive_url": exc.messages}) from exc
    return cleaned


def _normalised(url: str, *, field: str = "url") -> str:
    try:
        return normalise_url(url)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def source_get_or_create(*, owner, url: str, **fields: Any) -> tuple[Source, bool]:
    """Returns (source, created): the owner's source for this URL, made if missing.

    The URL is normalised first, so a pasted link with tracking parameters or a
    fragment finds the copy already in the library. An existing source keeps what the
    user wrote: only its blank fields are filled from `fields` (e.g. a fetched title).
    Another user's source with the same URL is never touched or revealed.
    """
    url = _normalised(url)
    fields = _clean_source_fields(fields)
    source = Source.objects.filter(owner=owner, url=url).first()
    if source is not None:
        missing = {k: v for k, v in fields.items() if v and not getattr(source, k)}
        if missing:
            for name, value in missing.items():
                setattr(source, name, value)
            source.full_clean()
            source.save(update_fields=list(missing))
        return source, False
    source = Source(owner=owner, url=url, **fields)
    source.full_clean()
    try:
        with transaction.atomic():  # a concurrent paste of the same URL wins the race
            source.save()
    except IntegrityError:
        return Source.objects.get(owner=owner, url=url), False
    return source, True


@transaction.atomic
def source_update(*, source: Source, **fields: Any) -> Source:
    """Edits a source in place and returns it; the URL is re-normalised.

    Changing the URL to one another source of the same owner already has is refused
    (merge by linking that source instead), so the library keeps one entry per document.
    """
    fields = _clean_source_fields(fields)
    if "url" in fields:
        fields["url"] = _normalised(fields["url"])
        clash = Source.objects.filter(owner_id=source.owner_id, url=fields["url"])
        if clash.exclude(pk=source.pk).exists():
            raise ValidationError({"url": MSG_URL_TAKEN})
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def evidence_link_create(
    *,
    prediction: Prediction,
    owner,
    stance: str,
    url: str = "",
    source: Source | None = None,
    quote: str = "",
    note: str = "",
    created_at: datetime | None = None,
    **source_fields: Any,
) -> EvidenceLink:
    """Links a source to the owner's prediction and returns the new EvidenceLink.

    Give either `url` (the library's source for it is reused, or created with
    `source_fields` such as title and publisher) or `source` (one of the owner's own).
    Another user's prediction or source is refused, as is a second link of the same
    source to the same prediction.
    """
    if prediction.owner_id != owner.pk:
        raise ValidationError(MSG_NOT_YOUR_PREDICTION)
    if source is not None:
        if source.owner_id != owner.pk:
            raise ValidationError({"source": MSG_NOT_YOUR_SOURCE})
        error_field = "source"
    elif url:
        source, _ = source_get_or_create(owner=owner, url=url, **source_fields)
        error_field = "url"
    else:
        raise ValidationError({"url": MSG_URL_OR_SOURCE})
    if EvidenceLink.objects.filter(prediction=prediction, source=source).exists():
        raise ValidationError({error_field: MSG_ALREADY_LINKED})
    link = EvidenceLink(
        prediction=prediction,
        source=source,
        stance=stance,
        quote=quote.strip(),
        note=note.strip(),
        created_at=created_at or timezone.now(),
    )
    link.full_clean()
    link.save()
    data_changed(owner.pk)
    return link


def _resolves_prediction(link: EvidenceLink) -> bool:
    return Prediction.objects.filter(pk=link.prediction_id, resolution_evidence=link).exists()


@transaction.atomic
def evidence_link_update(*, link: EvidenceLink, stance: str, quote: str, note: str) -> EvidenceLink:
    """Changes a link's stance, quote and note and returns it.

    The link that currently resolves its prediction keeps the stance "resolves", so
    the resolution and the evidence list never contradict each other.
    """
    if (
        link.stance == EvidenceLink.Stance.RESOLVES
        and stance != EvidenceLink.Stance.RESOLVES
        and _resolves_prediction(link)
    ):
        raise ValidationError({"stance": MSG_LINK_RESOLVES})
    link.stance = stance
    link.quote = quote.strip()
    link.note = note.strip()
    link.full_clean()
    link.save(update_fields=["stance", "quote", "note"])
    data_changed(link.prediction.owner_id)
    return link


@transaction.atomic
def evidence_link_delete(*, link: EvidenceLink) -> None:
    """Removes a link from its prediction; the source stays in the library.

    Refused for the link that resolves the prediction, which would otherwise lose the
    source of its resolution silently. Forecasts that cited the link keep their numbers
    (their `evidence` becomes empty).
    """
    if _resolves_prediction(link):
        raise ValidationError(MSG_LINK_RESOLVES)
    data_changed(link.prediction.owner_id)
    link.delete()
