"""Loading an export's predictions a chunk at a time, with everything the files show.

Predictions are read in chunks of CHUNK_SIZE (a fixed number of queries per chunk,
whatever the chunk holds) through the reports' raw reader, then scored by
`reports.exports.scores`, so no export is ever all in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from predictions.models import (
    DateQuantile,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
)
from predictions.names import member_name
from reports.exports.records import ForecastData, PredictionData
from reports.exports.scope import ExportScope
from reports.exports.scores import score_chunk
from reports.exports.values import aware_iso, day_text, naive_iso, uid_text
from reports.selectors.raw import as_text, raw_rows
from sources.models import EvidenceLink

CHUNK_SIZE = 2000  # predictions per round of queries


def _load_chunk(members: QuerySet, scope: ExportScope, *, full: bool) -> list[PredictionData]:
    """The predictions selected by `members` (a values("pk") subquery), in the order they
    were entered, with everything the export shows, in at most six queries (nine with
    `full`, for JSON), one more naming owners or authors when the export shows any, and
    the scope's own (the group export's hiding rule: two). Every query filters by that
    subquery, not by a list of ids, which Django would prepare value by value."""
    float_prob = Cast("probability", FloatField())
    columns = [
        "pk",
        "question",
        "kind",
        "status",
        "outcome",
        "outcome_option_id",
        "outcome_date",
        as_text("known_at"),
        as_text("resolved_at"),
        as_text("created_at"),
        "resolve_by",
        "uid",
        "owner_id",
    ]
    extra = ["resolution_criteria", "notes", "visibility", "resolution_note"]
    extra += ["resolution_evidence_id"]
    rows = raw_rows(
        Prediction.objects.filter(pk__in=members)
        .order_by("pk")
        .values_list(*columns, *(extra * full))
    )
    by_id: dict[int, PredictionData] = {}
    for row in rows:
        p = PredictionData(
            id=row[0],
            question=row[1],
            kind=row[2],
            status=row[3],
            outcome=None if row[4] is None else bool(row[4]),
            outcome_option_id=row[5],
            outcome_date=day_text(row[6]),
            known_at=naive_iso(row[7]),
            resolved_at=naive_iso(row[8]),
            created_at=naive_iso(row[9]),
            resolve_by=day_text(row[10]),
            uid=uid_text(row[11]),
            owner_id=row[12],
        )
        if full:
            p.extra = dict(zip(extra, row[len(columns) :], strict=True))
        by_id[p.id] = p

    selected = scope.forecasts(members)
    forecast_columns = ["prediction_id", "pk", as_text("created_at"), float_prob, "rationale"]
    forecast_columns += ["author_id"]
    if full:
        forecast_columns += ["phrase", "evidence_id"]
    forecasts: dict[int, ForecastData] = {}
    for row in raw_rows(
        selected.order_by("prediction_id", "created_at", "pk").values_list(*forecast_columns)
    ):
        f = ForecastData(
            id=row[1], at=naive_iso(row[2]), probability=row[3], rationale=row[4], author_id=row[5]
        )
        if full:
            f.phrase, f.evidence_id = row[6], row[7]
        forecasts[f.id] = f
        by_id[row[0]].forecasts.append(f)

    # Options and quantiles are read only for the chunk's predictions of those kinds
    # (and not at all when it has none), so a yes/no export costs three queries a chunk.
    kinds = {p.kind for p in by_id.values()}
    if Prediction.Kind.MULTIPLE_CHOICE in kinds:
        choice_ids = members.filter(kind=Prediction.Kind.MULTIPLE_CHOICE)
        for prediction_id, pk, label, pos in raw_rows(
            Option.objects.filter(prediction_id__in=choice_ids)
            .order_by("prediction_id", "position")
            .values_list("prediction_id", "pk", "label", "position")
        ):
            by_id[prediction_id].options.append((pk, label, pos))
        # In option order, so each forecast's list lines up with its options.
        for forecast_id, probability in raw_rows(
            OptionProbability.objects.filter(
                forecast__in=selected.filter(prediction_id__in=choice_ids)
            )
            .order_by("forecast_id", "option__position")
            .values_list("forecast_id", float_prob)
        ):
            forecasts[forecast_id].options.append(probability)
    if Prediction.Kind.DATE in kinds:
        date_ids = members.filter(kind=Prediction.Kind.DATE)
        for forecast_id, level, value in raw_rows(
            DateQuantile.objects.filter(forecast__in=selected.filter(prediction_id__in=date_ids))
            .order_by("forecast_id", "level")
            .values_list("forecast_id", Cast("level", FloatField()), "value")
        ):
            forecasts[forecast_id].quantiles.append((level, day_text(value)))

    for prediction_id, name in raw_rows(
        Prediction.tags.through.objects.filter(prediction_id__in=members)
        .order_by("tag__name")
        .values_list("prediction_id", "tag__name")
    ):
        by_id[prediction_id].tags.append(name)

    if full:
        _load_history(members, by_id)
    _name_people(by_id.values(), scope)
    predictions = _by_author(by_id.values())
    _score_in_layers(predictions)
    return predictions


def _score_in_layers(predictions: list[PredictionData]) -> None:
    """The scoring keys records by prediction id: score them in layers in which each
    question appears once (the first forecaster of each, then the second, ...)."""
    layers: list[list[PredictionData]] = []
    seen: dict[int, int] = {}
    for p in predictions:
        depth = seen[p.id] = seen.get(p.id, -1) + 1
        if depth == len(layers):
            layers.append([])
        layers[depth].append(p)
    for layer in layers:
        score_chunk(layer)


def _name_people(predictions, scope: ExportScope) -> None:
    """Owners (but the exporter) and, where the scope names them, forecasters, by
    predictions.names.member_name, in one query for the chunk."""
    ids = {p.owner_id for p in predictions if p.owner_id != scope.me_id}
    if scope.name_authors:
        ids.update(f.author_id for p in predictions for f in p.forecasts)
    if not ids:
        return
    users = get_user_model().objects.filter(pk__in=ids).select_related("profile")
    names = {user.pk: member_name(user) for user in users}
    for p in predictions:
        if p.owner_id != scope.me_id:
            p.owner = names[p.owner_id]
        if scope.name_authors:
            for f in p.forecasts:
                f.author = names[f.author_id]


def _by_author(predictions) -> list[PredictionData]:
    """One record per question and forecaster, so each record's scores are one person's
    (the owner's first, then by name); a question without forecasts keeps one record."""
    records: list[PredictionData] = []
    for p in predictions:
        authors: dict[int, list[ForecastData]] = {}
        for f in p.forecasts:
            authors.setdefault(f.author_id, []).append(f)
        if len(authors) <= 1:
            records.append(p)
            continue
        order = sorted(authors, key=lambda a: (a != p.owner_id, authors[a][0].author, a))
        records.extend(dataclasses.replace(p, forecasts=authors[a]) for a in order)
    return records


def _load_history(ids: QuerySet, by_id: dict[int, PredictionData]) -> None:
    """Evidence links with their sources, resolution events and edits (JSON only)."""
    for p in by_id.values():
        p.extra.update(evidence=[], history=[], edits=[])
    for link in (
        EvidenceLink.objects.filter(prediction_id__in=ids).select_related("source").order_by("pk")
    ):
        s = link.source
        by_id[link.prediction_id].extra["evidence"].append(
            {
                "id": link.pk,
                "stance": link.stance,
                "quote": link.quote,
                "note": link.note,
                "created_at": aware_iso(link.created_at),
                "source": {
                    "url": s.url,
                    "title": s.title,
                    "publisher": s.publisher,
                    "author": s.author,
                    "published_date": day_text(s.published_date),
                    "language": s.language,
                    "accessed_date": day_text(s.accessed_date),
                    "archive_url": s.archive_url,
                    "notes": s.notes,
                    "created_at": aware_iso(s.created_at),
                },
            }
        )
    labels = {}
    for p in by_id.values():
        labels.update({pk: label for pk, label, _ in p.options})
    for event in ResolutionEvent.objects.filter(prediction_id__in=ids).order_by("pk"):
        by_id[event.prediction_id].extra["history"].append(
            {
                "action": event.action,
                "outcome": _outcome_text(event, labels),
                "known_at": aware_iso(event.known_at),
                "note": event.note,
                "evidence_id": event.evidence_id,
                "created_at": aware_iso(event.created_at),
            }
        )
    for edit in PredictionEdit.objects.filter(prediction_id__in=ids).order_by("pk"):
        by_id[edit.prediction_id].extra["edits"].append(
            {
                "field": edit.field,
                "old_value": edit.old_value,
                "new_value": edit.new_value,
                "created_at": aware_iso(edit.created_at),
            }
        )


def _outcome_text(event: ResolutionEvent, labels: dict[int, str]) -> str | None:
    if event.action != ResolutionEvent.Action.RESOLVE:
        return None
    if event.outcome is not None:
        return "yes" if event.outcome else "no"
    if event.outcome_option_id is not None:
        return labels.get(event.outcome_option_id)
    return day_text(event.outcome_date)


def iter_predictions(
    qs: QuerySet, scope: ExportScope, *, full: bool = False
) -> Iterator[PredictionData]:
    """The QuerySet's predictions with the scope's forecasts, loaded and scored a chunk
    at a time."""
    ids = [row[0] for row in raw_rows(qs.order_by("pk").values_list("pk"))]
    unordered = qs.order_by()
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        members = unordered.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).values("pk")
        yield from _load_chunk(members, scope, full=full)
