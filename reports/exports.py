"""Export of a user's scored prediction history as CSV and JSON (DESIGN §5).

Both formats stream: predictions are read in chunks of CHUNK_SIZE (a fixed number of
queries per chunk, whatever the chunk holds) and rows are produced as they are
formatted, so no export is ever one string in memory. Scores come from
`reports.scoring` (binary histories through `selectors.score_histories`, the function
the dashboard uses), so the export shows the dashboard's numbers.

CSV: one row per forecast, per option for multiple choice and per quantile for release
dates (`probability` is then the quantile level and `value` its date); a prediction
without forecasts gets one row with the forecast columns empty. JSON: one object per
prediction with its options, forecasts, evidence (with sources), resolution history and
edits; the layout puts each prediction on a line of its own so the importer can read a
large file a prediction at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import CharField, F, FloatField, QuerySet
from django.db.models.functions import Cast
from django.http import QueryDict
from django.urls import reverse

from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
)
from predictions.services import profile_for
from reports import scoring
from reports.dashboard import DashboardFilterForm
from reports.selectors import (
    filtered_predictions,
    score_choice_histories,
    score_date_histories,
    score_histories,
)
from sources.models import EvidenceLink

FORMAT_VERSION = 1
CHUNK_SIZE = 2000  # predictions per round of queries
ROWS_PER_WRITE = 2000  # CSV rows joined into one piece of the streamed response

# DESIGN §5, in this order; then the columns a re-import needs and the date scores.
CSV_COLUMNS = [
    "prediction_id",
    "question",
    "kind",
    "option",
    "forecast_id",
    "forecast_at",
    "probability",
    "value",
    "is_final",
    "is_late",
    "status",
    "resolution",
    "known_at",
    "outcome",
    "brier",
    "log_loss",
    "prediction_brier",
    "prediction_brier_time_avg",
    "tags",
    "url",
    "resolve_by",
    "created_at",
    "resolved_at",
    "prediction_log_loss",
    "pinball_loss",
    "prediction_wis",
    "rationale",
]
# What each column holds, for the columns reference page.
COLUMN_HELP = {
    "prediction_id": "Id of the prediction (the same on every row of one prediction).",
    "question": "The claim, as worded now.",
    "kind": "binary, multiple_choice or date.",
    "option": "Multiple choice: the option this row is about. Empty otherwise.",
    "forecast_id": "Id of the forecast; empty for a prediction without forecasts.",
    "forecast_at": "When the forecast was made (ISO 8601, UTC).",
    "probability": "0–1. Yes/no: the probability of YES. Multiple choice: of this row's "
    "option. Release date: the quantile level (0.1 = 10% sure it has happened by `value`).",
    "value": "Release date: the date of this quantile. Empty otherwise.",
    "is_final": "1 for the forecast that counts (the last one made before the outcome was "
    "known; for open predictions the latest), else 0.",
    "is_late": "1 if made after the outcome became known (never scored), else 0.",
    "status": "open, resolved or annulled.",
    "resolution": "yes / no, the winning option, the actual date, or annulled; empty while open.",
    "known_at": "When the outcome became known (ISO 8601, UTC); empty while open.",
    "outcome": "1 if this row's event happened (YES; this option won; the date fell on or "
    "before `value`), 0 if not; empty when open or annulled.",
    "brier": "This row's own Brier score (p − outcome)², 0–1 convention; empty for late "
    "forecasts and for open or annulled predictions. Scores have 10 significant digits.",
    "log_loss": "This row's own log loss in nats, p clipped to [0.001, 0.999].",
    "prediction_brier": "The prediction's Brier score from its final forecast (multiple "
    "choice: ½ Σ over options), as on the dashboard.",
    "prediction_brier_time_avg": "The prediction's time-averaged Brier score: each "
    "forecast weighted by how long it stood, from the first forecast to known_at.",
    "tags": "The prediction's tags, separated by “; ”.",
    "url": "The prediction's page.",
    "resolve_by": "The date by which the prediction should be decidable.",
    "created_at": "When the prediction was made (ISO 8601, UTC).",
    "resolved_at": "When it was resolved (ISO 8601, UTC).",
    "prediction_log_loss": "The prediction's log loss from its final forecast, in nats.",
    "pinball_loss": "Release date: this quantile's pinball loss in days.",
    "prediction_wis": "Release date: weighted interval score of the final forecast, in days.",
    "rationale": "Why the forecast was made, as written then.",
}
TAG_SEPARATOR = "; "
# A spreadsheet runs a cell starting with one of these as a formula; the apostrophe
# makes it text. A leading apostrophe is escaped the same way so that the importer can
# strip exactly one and get the original back.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
LIST_STATUSES = ("open", "due", "resolved", "annulled")
_URL_PLACEHOLDER = 987654321


def neutralise(text: str) -> str:
    """`text` made safe to open in a spreadsheet: an apostrophe before a formula start."""
    return "'" + text if text and text.startswith(FORMULA_TRIGGERS) else text


def _number(value: float | None) -> str:
    """A score for the CSV: 10 significant digits, empty when undefined."""
    if value is None or value != value:
        return ""
    return format(value, ".10g")


def _json_number(value: float | None) -> float | None:
    if value is None or value != value:
        return None
    return float(format(value, ".10g"))


def _probability_text(value: float) -> str:
    text = repr(round(value, 3))
    return text[:-2] if text.endswith(".0") else text


# Stored probabilities take 1,001 values: their text is computed once each.
_PROBABILITY_TEXT = {
    permille / 1000: _probability_text(permille / 1000) for permille in range(1001)
}


def _probability(value) -> str:
    """A stored probability (0.001 resolution) as short text: 0.7, 1, 0.05."""
    text = _PROBABILITY_TEXT.get(value)
    return text if text is not None else _probability_text(float(value))


def _naive_iso(value) -> str | None:
    """A UTC timestamp as 'YYYY-MM-DDTHH:MM:SS[.ffffff]' from what the driver returned:
    SQLite gives Django's stored text, PostgreSQL an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T", 1).removesuffix("+00:00").removesuffix("+00")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def _day(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _z(naive: str | None) -> str:
    return "" if naive is None else naive + "Z"


def _fetch(qs: QuerySet) -> list[tuple]:
    """Raw rows of a values_list QuerySet, without Django's per-value converters (a
    datetime parse and a Decimal per value would cost more than the export itself)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. text with NUL)
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Which predictions ---------------------------------------------------------------


def export_queryset(*, user, params: Mapping) -> QuerySet:
    """The user's predictions matching the filters in `params`, in export order (the
    order they were entered).

    Accepts the prediction list's filters (`status` open/due/resolved/annulled, `tag`,
    `q`) and the dashboard's (`tag` repeated, `created_from`, `created_to`,
    `resolved_from`, `resolved_to`, `kind`); invalid values are ignored as on those
    pages. Never includes another user's predictions.
    """
    if not isinstance(params, QueryDict):  # a plain mapping, e.g. from the command
        query = QueryDict(mutable=True)
        for name, value in params.items():
            query.setlist(
                name, [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        params = query
    filters = DashboardFilterForm(params, user=user).filters()
    qs = filtered_predictions(user=user, **filters.selector_kwargs())
    status = params.get("status", "")
    if status in LIST_STATUSES:
        today = profile_for(user).today()
        if status == "due":
            qs = qs.due(today)
        elif status == "open":
            qs = qs.open().filter(resolve_by__gte=today)
        else:
            qs = qs.filter(status=status)
    qs = qs.search(str(params.get("q", ""))[:200])
    return qs.order_by("pk")


# --- Loading and scoring a chunk -----------------------------------------------------


@dataclass(slots=True)
class ForecastData:
    id: int
    at: str  # naive UTC ISO
    probability: float | None
    rationale: str
    phrase: str = ""
    evidence_id: int | None = None
    options: list[float] = field(default_factory=list)  # in option order
    quantiles: list[tuple[float, str]] = field(default_factory=list)  # (level, date)
    late: bool = False
    final: bool = False
    row_brier: list[float | None] = field(default_factory=list)  # per option/quantile
    row_log_loss: list[float | None] = field(default_factory=list)
    row_pinball: list[float | None] = field(default_factory=list)
    brier: float | None = None  # the forecast's own score (multi-option Brier)
    log_loss: float | None = None
    wis: float | None = None


@dataclass(slots=True)
class PredictionData:
    id: int
    question: str
    kind: str
    status: str
    outcome: bool | None
    outcome_option_id: int | None
    outcome_date: str | None
    known_at: str | None
    resolved_at: str | None
    created_at: str
    resolve_by: str
    extra: dict = field(default_factory=dict)  # JSON-only fields
    options: list[tuple[int, str, int]] = field(default_factory=list)  # (id, label, pos)
    forecasts: list[ForecastData] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    brier: float | None = None
    brier_time_avg: float | None = None
    log_loss: float | None = None
    wis: float | None = None

    @property
    def scored(self) -> bool:
        return self.status == Prediction.Status.RESOLVED

    @property
    def resolution(self) -> str:
        if self.status == Prediction.Status.ANNULLED:
            return "annulled"
        if self.status != Prediction.Status.RESOLVED:
            return ""
        if self.kind == Prediction.Kind.BINARY:
            return "yes" if self.outcome else "no"
        if self.kind == Prediction.Kind.MULTIPLE_CHOICE:
            winner = self.outcome_option_id
            return next((label for pk, label, _ in self.options if pk == winner), "")
        return self.outcome_date or ""


def _stored(name: str):
    """A timestamp column as text where that is cheapest: SQLite's stored text, and on
    PostgreSQL the column cast to text in the session's time zone, UTC under USE_TZ
    ("2024-03-01 12:00:00.5+00"); parsing every value into a datetime only to format it
    back costs more than the rest of the row. Elsewhere the column itself."""
    if connection.vendor in ("sqlite", "postgresql"):
        return Cast(name, CharField())
    return F(name)


def _load_chunk(members: QuerySet, *, full: bool) -> list[PredictionData]:
    """The predictions selected by `members` (a values("pk") subquery), in the order they
    were entered, with everything the export shows, in at most six queries (nine with
    `full`, for JSON). Every query filters by that subquery, not by a list of ids, which
    Django would prepare value by value."""
    float_prob = Cast("probability", FloatField())
    columns = [
        "pk",
        "question",
        "kind",
        "status",
        "outcome",
        "outcome_option_id",
        "outcome_date",
        _stored("known_at"),
        _stored("resolved_at"),
        _stored("created_at"),
        "resolve_by",
    ]
    extra = ["resolution_criteria", "notes", "visibility", "resolution_note"]
    extra += ["resolution_evidence_id"]
    rows = _fetch(
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
            outcome_date=_day(row[6]),
            known_at=_naive_iso(row[7]),
            resolved_at=_naive_iso(row[8]),
            created_at=_naive_iso(row[9]),
            resolve_by=_day(row[10]),
        )
        if full:
            p.extra = dict(zip(extra, row[len(columns) :], strict=True))
        by_id[p.id] = p

    forecast_columns = ["prediction_id", "pk", _stored("created_at"), float_prob, "rationale"]
    if full:
        forecast_columns += ["phrase", "evidence_id"]
    forecasts: dict[int, ForecastData] = {}
    for row in _fetch(
        Forecast.objects.filter(prediction_id__in=members)
        .order_by("prediction_id", "created_at", "pk")
        .values_list(*forecast_columns)
    ):
        f = ForecastData(id=row[1], at=_naive_iso(row[2]), probability=row[3], rationale=row[4])
        if full:
            f.phrase, f.evidence_id = row[5], row[6]
        forecasts[f.id] = f
        by_id[row[0]].forecasts.append(f)

    # Options and quantiles are read only for the chunk's predictions of those kinds
    # (and not at all when it has none), so a yes/no export costs three queries a chunk.
    kinds = {p.kind for p in by_id.values()}
    if Prediction.Kind.MULTIPLE_CHOICE in kinds:
        choice_ids = members.filter(kind=Prediction.Kind.MULTIPLE_CHOICE)
        for prediction_id, pk, label, pos in _fetch(
            Option.objects.filter(prediction_id__in=choice_ids)
            .order_by("prediction_id", "position")
            .values_list("prediction_id", "pk", "label", "position")
        ):
            by_id[prediction_id].options.append((pk, label, pos))
        # In option order, so each forecast's list lines up with its options.
        for forecast_id, probability in _fetch(
            OptionProbability.objects.filter(forecast__prediction_id__in=choice_ids)
            .order_by("forecast_id", "option__position")
            .values_list("forecast_id", float_prob)
        ):
            forecasts[forecast_id].options.append(probability)
    if Prediction.Kind.DATE in kinds:
        date_ids = members.filter(kind=Prediction.Kind.DATE)
        for forecast_id, level, value in _fetch(
            DateQuantile.objects.filter(forecast__prediction_id__in=date_ids)
            .order_by("forecast_id", "level")
            .values_list("forecast_id", Cast("level", FloatField()), "value")
        ):
            forecasts[forecast_id].quantiles.append((level, _day(value)))

    for prediction_id, name in _fetch(
        Prediction.tags.through.objects.filter(prediction_id__in=members)
        .order_by("tag__name")
        .values_list("prediction_id", "tag__name")
    ):
        by_id[prediction_id].tags.append(name)

    if full:
        _load_history(members, by_id)
    predictions = list(by_id.values())  # in pk order, as read
    _score(predictions)
    return predictions


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
                "created_at": _iso(link.created_at),
                "source": {
                    "url": s.url,
                    "title": s.title,
                    "publisher": s.publisher,
                    "author": s.author,
                    "published_date": _day(s.published_date),
                    "language": s.language,
                    "accessed_date": _day(s.accessed_date),
                    "archive_url": s.archive_url,
                    "notes": s.notes,
                    "created_at": _iso(s.created_at),
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
                "known_at": _iso(event.known_at),
                "note": event.note,
                "evidence_id": event.evidence_id,
                "created_at": _iso(event.created_at),
            }
        )
    for edit in PredictionEdit.objects.filter(prediction_id__in=ids).order_by("pk"):
        by_id[edit.prediction_id].extra["edits"].append(
            {
                "field": edit.field,
                "old_value": edit.old_value,
                "new_value": edit.new_value,
                "created_at": _iso(edit.created_at),
            }
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else _z(_naive_iso(value))


def _outcome_text(event: ResolutionEvent, labels: dict[int, str]) -> str | None:
    if event.action != ResolutionEvent.Action.RESOLVE:
        return None
    if event.outcome is not None:
        return "yes" if event.outcome else "no"
    if event.outcome_option_id is not None:
        return labels.get(event.outcome_option_id)
    return _day(event.outcome_date)


def _ns(naive: list[str]) -> np.ndarray:
    return np.array(naive, dtype="datetime64[us]").astype("datetime64[ns]")


def _mark_late_and_final(p: PredictionData) -> None:
    """Late: made after known_at. Final: the last forecast not late, in the order they
    were made (time, then id); for open predictions the latest. (For scored predictions
    the selectors' choice, the dashboard's, is applied over this in `_score`.)"""
    known = p.known_at
    final = None
    for f in p.forecasts:  # already ordered by (time, id)
        # Both are fixed-width ISO text up to the seconds, so text order is time order.
        f.late = known is not None and f.at > known
        if not f.late:
            final = f
    if final is not None:
        final.final = True


def _utc_index(values: list[str]) -> pd.DatetimeIndex:
    return pd.to_datetime(_ns(values), utc=True)


def _history_frames(predictions: list[PredictionData], **columns) -> tuple:
    """The selectors' inputs: predictions (index prediction_id, known_at and the given
    outcome columns) and their forecasts (prediction_id, forecast_id, created_at)."""
    frame = pd.DataFrame(
        {"known_at": _utc_index([p.known_at for p in predictions]), **columns},
        index=pd.Index([p.id for p in predictions], name="prediction_id"),
    )
    rows = [(p, f) for p in predictions for f in p.forecasts]
    forecasts = pd.DataFrame(
        {
            "prediction_id": [p.id for p, _ in rows],
            "forecast_id": [f.id for _, f in rows],
            "created_at": _utc_index([f.at for _, f in rows]),
        }
    )
    return frame, forecasts, rows


def _apply(predictions: list[PredictionData], scored: pd.DataFrame, columns: dict) -> None:
    """Copies the selectors' prediction scores (`columns`: attribute -> column) and
    their choice of final forecast onto the predictions."""
    values = [scored[c].tolist() for c in columns.values()]
    final_ids = scored["final_forecast_id"].tolist()
    by_id = dict(zip(scored.index.tolist(), zip(final_ids, *values, strict=True), strict=True))
    for p in predictions:
        found = by_id.get(p.id)
        if found is None:
            continue
        for f in p.forecasts:
            f.final = f.id == found[0]
        for name, value in zip(columns, found[1:], strict=True):
            setattr(p, name, value)


def _score(predictions: list[PredictionData]) -> None:
    """Attaches scores (DESIGN §4) to a chunk's predictions: each row's own score with
    `reports.scoring`, each prediction's with the selectors the dashboard uses."""
    by_kind: dict[str, list[PredictionData]] = {kind: [] for kind in Prediction.Kind.values}
    for p in predictions:
        _mark_late_and_final(p)
        if p.scored and p.forecasts:
            by_kind[p.kind].append(p)
    if by_kind[Prediction.Kind.BINARY]:
        _score_binary(by_kind[Prediction.Kind.BINARY])
    if by_kind[Prediction.Kind.MULTIPLE_CHOICE]:
        _score_options(by_kind[Prediction.Kind.MULTIPLE_CHOICE])
    if by_kind[Prediction.Kind.DATE]:
        _score_dates(by_kind[Prediction.Kind.DATE])


def _score_binary(predictions: list[PredictionData]) -> None:
    """Row scores with `scoring.brier` / `log_loss_binary` over the whole chunk; the
    prediction scores with `selectors.score_histories`, exactly as the dashboard."""
    outcomes_by_prediction = [int(p.outcome) for p in predictions]
    frame, forecasts, rows = _history_frames(predictions, outcome=outcomes_by_prediction)
    probs = np.array([f.probability for _, f in rows], dtype=float)
    outcomes = np.array([int(p.outcome) for p, _ in rows], dtype=float)
    briers = scoring.brier(probs, outcomes).tolist()
    losses = scoring.log_loss_binary(probs, outcomes).tolist()
    for (_, f), b, loss in zip(rows, briers, losses, strict=True):
        if not f.late:
            f.row_brier, f.row_log_loss = [b], [loss]
            f.brier, f.log_loss = b, loss
    forecasts["probability"] = probs
    scored = score_histories(frame, forecasts)
    columns = {"brier": "brier_final", "brier_time_avg": "brier_time_avg"}
    _apply(predictions, scored, {**columns, "log_loss": "log_loss_final"})


def _score_options(predictions: list[PredictionData]) -> None:
    """Multiple choice: one-vs-rest row scores (`scoring.brier`, `log_loss_binary`) and
    each forecast's ½ Σ (p − o)² (`scoring.brier_multi`); the prediction's final and
    time-averaged scores from `selectors.score_choice_histories`."""
    frame, forecasts, rows = _history_frames(
        predictions, outcome_option_id=[p.outcome_option_id for p in predictions]
    )
    option_rows = []
    for p, f in rows:
        winner = [pk for pk, _, _ in p.options].index(p.outcome_option_id)
        onehot = np.zeros(len(p.options))
        onehot[winner] = 1
        probs = np.array(f.options, dtype=float)
        if not f.late:
            f.row_brier = scoring.brier(probs, onehot).tolist()
            f.row_log_loss = scoring.log_loss_binary(probs, onehot).tolist()
            f.brier = float(scoring.brier_multi(probs, onehot))
            f.log_loss = float(scoring.log_loss(probs[winner]))
        option_rows.extend(
            (f.id, pk, position, probability)
            for (pk, _, position), probability in zip(p.options, f.options, strict=True)
        )
    options = pd.DataFrame(
        option_rows, columns=["forecast_id", "option_id", "position", "probability"]
    )
    scored, _ = score_choice_histories(frame, forecasts, options)
    columns = {"brier": "brier_final", "brier_time_avg": "brier_time_avg"}
    _apply(predictions, scored, {**columns, "log_loss": "log_loss_final"})


_EPOCH = date(1970, 1, 1).toordinal()


def _days(iso_day: str) -> float:
    """A date as days since 1970-01-01, the selectors' unit."""
    return float(date.fromisoformat(iso_day).toordinal() - _EPOCH)


def _score_dates(predictions: list[PredictionData]) -> None:
    """Release dates: each quantile is the event "the date falls on or before q" with
    probability τ (row Brier and log loss) and has its pinball loss in days; each
    forecast its weighted interval score (`scoring.weighted_interval_score`); the
    prediction's from `selectors.score_date_histories` (the final forecast's WIS)."""
    frame, forecasts, rows = _history_frames(
        predictions, outcome_day=[_days(p.outcome_date) for p in predictions]
    )
    quantile_rows = []
    for p, f in rows:
        actual = _days(p.outcome_date)
        levels = np.array([level for level, _ in f.quantiles])
        values = np.array([_days(day) for _, day in f.quantiles])
        quantile_rows.extend(
            zip([f.id] * len(levels), levels.tolist(), values.tolist(), strict=True)
        )
        if f.late or not f.quantiles:
            continue
        happened = (actual <= values).astype(float)
        f.row_brier = scoring.brier(levels, happened).tolist()
        f.row_log_loss = scoring.log_loss_binary(levels, happened).tolist()
        f.row_pinball = scoring.pinball_loss(values, levels, actual).tolist()
        try:
            f.wis = scoring.weighted_interval_score(levels, values, actual)
        except ValueError:  # no median: the WIS is undefined
            f.wis = None
    quantiles = pd.DataFrame(quantile_rows, columns=["forecast_id", "level", "day"])
    scored, _ = score_date_histories(frame, forecasts, quantiles)
    _apply(predictions, scored, {"wis": "wis"})


def iter_predictions(qs: QuerySet, *, full: bool = False) -> Iterator[PredictionData]:
    """The QuerySet's predictions, loaded and scored a chunk at a time."""
    ids = [row[0] for row in _fetch(qs.order_by("pk").values_list("pk"))]
    unordered = qs.order_by()
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        members = unordered.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).values("pk")
        yield from _load_chunk(members, full=full)


# --- CSV -----------------------------------------------------------------------------


class Echo:
    """A file-like object whose write() returns what it was given, so csv.writer
    formats a row into a string instead of writing it anywhere."""

    def write(self, value: str) -> str:
        return value


def _url_maker(base_url: str):
    """A function from prediction id to its page's URL, without a reverse() per row."""
    path = reverse("predictions:detail", args=[_URL_PLACEHOLDER])
    before, after = path.split(str(_URL_PLACEHOLDER))
    before = base_url.rstrip("/") + before
    return lambda pk: f"{before}{pk}{after}"


_WRITER = csv.writer(Echo())
_NEEDS_QUOTES = frozenset(',"\r\n')


def _fragment(cells: list[str]) -> str:
    """Several cells as CSV text without the line end, quoted as csv.writer does."""
    return _WRITER.writerow(cells)[:-2]


def _cell(text: str) -> str:
    """One cell as csv.writer writes it (minimal quoting, doubled quotes)."""
    if _NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_lines(qs: QuerySet, *, base_url: str = "") -> Iterator[str]:
    """The CSV export of the predictions in `qs`, a line at a time, header first
    (RFC 4180: CRLF line ends, quotes only where needed).

    What is the same on every row of a prediction is encoded once per prediction; a
    forecast row then only adds its own cells, which is most of the export's speed.
    """
    yield _WRITER.writerow(CSV_COLUMNS)
    url = _url_maker(base_url)
    for p in iter_predictions(qs):
        known = "" if p.status == Prediction.Status.OPEN else _z(p.known_at)
        pre = _fragment([str(p.id), neutralise(p.question), p.kind])
        mid = _fragment([p.status, neutralise(p.resolution), known])
        tail = _fragment(
            [
                _number(p.brier),
                _number(p.brier_time_avg),
                neutralise(TAG_SEPARATOR.join(p.tags)),
                neutralise(url(p.id)),
                p.resolve_by,
                _z(p.created_at),
                _z(p.resolved_at),
                _number(p.log_loss),
            ]
        )
        wis = _number(p.wis)
        if not p.forecasts:
            empty = ["", "", "", "", "", "", ""]  # option … is_late
            yield ",".join([pre, *empty, mid, "", "", "", tail, "", wis, ""]) + "\r\n"
            continue
        for f in p.forecasts:
            fid, at = str(f.id), _z(f.at)
            final, late = ("1" if f.final else "0"), ("1" if f.late else "0")
            rationale = _cell(neutralise(f.rationale))
            briers, losses = f.row_brier, f.row_log_loss
            if p.kind == Prediction.Kind.BINARY:
                outcome = _outcome(p, p.outcome)
                brier = _number(briers[0]) if briers else ""
                loss = _number(losses[0]) if losses else ""
                prob = _probability(f.probability)
                yield (
                    f"{pre},,{fid},{at},{prob},,{final},{late},{mid},{outcome},{brier},{loss},"
                    f"{tail},,,{rationale}\r\n"
                )
            elif p.kind == Prediction.Kind.MULTIPLE_CHOICE:
                for i, (option_id, label, _) in enumerate(p.options):
                    cells = [
                        pre,
                        _cell(neutralise(label)),
                        fid,
                        at,
                        _probability(f.options[i]),
                        "",
                        final,
                        late,
                        mid,
                        _outcome(p, option_id == p.outcome_option_id),
                        _number(briers[i]) if briers else "",
                        _number(losses[i]) if losses else "",
                        tail,
                        "",
                        "",
                        rationale,
                    ]
                    yield ",".join(cells) + "\r\n"
            else:
                for i, (level, day) in enumerate(f.quantiles):
                    happened = p.outcome_date is not None and p.outcome_date <= day
                    cells = [
                        pre,
                        "",
                        fid,
                        at,
                        _probability(level),
                        day,
                        final,
                        late,
                        mid,
                        _outcome(p, happened),
                        _number(briers[i]) if briers else "",
                        _number(losses[i]) if losses else "",
                        tail,
                        _number(f.row_pinball[i]) if f.row_pinball else "",
                        wis,
                        rationale,
                    ]
                    yield ",".join(cells) + "\r\n"


def _outcome(p: PredictionData, happened: bool) -> str:
    if p.status != Prediction.Status.RESOLVED:
        return ""
    return "1" if happened else "0"


def csv_stream(lines: Iterable[str]) -> Iterator[str]:
    """The lines joined into pieces of about ROWS_PER_WRITE rows, for a streaming
    response or a file (each piece a few hundred kilobytes, never the whole export)."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


# --- JSON ----------------------------------------------------------------------------

JSON_HEAD = {
    "format_version": FORMAT_VERSION,
    "generator": "Falsifiable",
    "conventions": {
        "times": "ISO 8601, UTC",
        "probability": "0-1",
        "brier": "0-1 convention, (p - y)^2; multiple choice 1/2 sum over options",
        "log_loss": "nats, p clipped to [0.001, 0.999]",
        "wis": "weighted interval score of a release-date forecast, in days",
    },
}


def _prediction_json(p: PredictionData, url) -> dict:
    x = p.extra
    forecasts = []
    for f in p.forecasts:
        item = {
            "id": f.id,
            "created_at": _z(f.at),
            "probability": None if f.probability is None else float(_probability(f.probability)),
            "phrase": f.phrase,
            "rationale": f.rationale,
            "evidence_id": f.evidence_id,
            "is_late": f.late,
            "is_final": f.final,
            "brier": _json_number(f.brier),
            "log_loss": _json_number(f.log_loss),
        }
        if p.kind == Prediction.Kind.MULTIPLE_CHOICE:
            item["option_probabilities"] = [
                {"option": label, "probability": float(_probability(f.options[i]))}
                for i, (_, label, _) in enumerate(p.options)
            ]
        if p.kind == Prediction.Kind.DATE:
            item["quantiles"] = [
                {"level": float(_probability(level)), "value": day} for level, day in f.quantiles
            ]
            item["wis"] = _json_number(f.wis)
        forecasts.append(item)
    closed = p.status != Prediction.Status.OPEN
    return {
        "id": p.id,
        "question": p.question,
        "kind": p.kind,
        "resolution_criteria": x["resolution_criteria"],
        "resolve_by": p.resolve_by,
        "created_at": _z(p.created_at),
        "notes": x["notes"],
        "visibility": x["visibility"],
        "url": url(p.id),
        "tags": p.tags,
        "options": [{"id": pk, "label": label, "position": pos} for pk, label, pos in p.options],
        "forecasts": forecasts,
        "evidence": x["evidence"],
        "resolution": {
            "status": p.status,
            "outcome": p.resolution if p.status == Prediction.Status.RESOLVED else None,
            "known_at": _z(p.known_at) if closed else None,
            "resolved_at": _z(p.resolved_at) if closed else None,
            "note": x["resolution_note"],
            "evidence_id": x["resolution_evidence_id"],
        },
        "resolution_history": x["history"],
        "edits": x["edits"],
        "scores": {
            "brier": _json_number(p.brier),
            "brier_time_avg": _json_number(p.brier_time_avg),
            "log_loss": _json_number(p.log_loss),
            "wis": _json_number(p.wis),
        },
    }


def json_stream(qs: QuerySet, *, base_url: str = "") -> Iterator[str]:
    """The JSON export in pieces: a head line, then one line per prediction."""
    head = json.dumps(JSON_HEAD, ensure_ascii=False)
    yield head[:-1] + ', "predictions": [\n'
    url = _url_maker(base_url)
    separator = ""
    for p in iter_predictions(qs, full=True):
        item = _prediction_json(p, url)
        yield separator + json.dumps(item, ensure_ascii=False, allow_nan=False)
        separator = ",\n"
    yield "\n]}\n"
