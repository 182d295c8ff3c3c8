"""Writes parsed predictions for a user: the one path from every import format to rows.

Why not call `prediction_create` / `forecast_create` per row: each service call runs
`full_clean()` with constraint validation, which costs a query per check constraint;
measured at about 90 forecasts a second, so a 200,000-row file would take over half
an hour. This writer validates exactly what those services validate, reusing their
messages and constants (and `services._quantile_rows` itself), then writes in batches:
one `executemany` INSERT per table for the bulk of the rows (predictions, whose ids are
then read back by their import keys; yes/no forecasts, tag links, resolution events),
each value prepared by its field's own `get_db_prep_save` as the ORM would, and
`bulk_create` for the rest (options, multiple-choice and date forecasts and their rows).

Validation is `Model.clean_fields()`'s, field by field (`field_errors`: the same
`Field.clean`, so the same validators and messages, skipping blank values where blank
is allowed, as there), minus the checks that need a query, done here instead: foreign
keys are ours by construction, the owner's import keys are loaded once, and "known_at
iff closed" holds by construction. Text with NUL characters is refused as the forms
refuse it (PostgreSQL could not store it). In detail:

- prediction: the service's normalisation (question whitespace, stripped criteria and
  notes) and its fields' validation;
- tags: `services.tags_for_names` itself (one call for the whole file);
- options: 2–MAX_OPTIONS labels, none empty, no two alike (as `_options_create`);
- forecast: the payload must fit the kind (MSG_WRONG_OUTCOME), options total 100% within
  TOTAL_TOLERANCE, quantiles via `services._quantile_rows`, each value's field validation;
  a closed prediction takes a forecast because it has an import key;
- resolution history: replayed in order as `prediction_resolve` / `prediction_reopen`
  would (outcome fitting the kind, no undo of an open prediction; a backdated resolution
  skips the known-at checks exactly as the service does with `resolved_at`), the final
  state copied onto the prediction and every step kept as a ResolutionEvent;
- evidence: through `sources.services` (`source_get_or_create`, `evidence_link_create`)
  per link, then the original timestamps restored, which those services do not accept.

Everything happens inside the caller's transaction; nothing is written once any problem
is found (validation continues, so the preview can list every error).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DEFAULT_DB_ALIAS, connection, connections

from predictions import services
from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
    Tag,
)
from reports.imports.common import (
    EvidenceIn,
    ForecastIn,
    PredictionIn,
    Problems,
)
from sources import services as source_services
from sources.models import EvidenceLink, Source
from sources.normalise import normalise_url

BATCH_SIZE = 2000
PREVIEW_ROWS = 20
TagLinks = Prediction.tags.through
Kind = Prediction.Kind
Status = Prediction.Status
Action = ResolutionEvent.Action


@dataclass(frozen=True)
class PreviewRow:
    """A prediction as it will be imported, for the preview table."""

    row: int
    question: str
    kind: str
    created_at: object
    forecasts: int
    latest: str
    resolution: str
    tags: str
    action: str  # "new", "already imported", "adds 2 forecasts"


@dataclass
class Summary:
    predictions: int = 0
    predictions_existing: int = 0
    forecasts: int = 0
    forecasts_existing: int = 0
    resolved: int = 0
    evidence: int = 0
    preview: list[PreviewRow] = field(default_factory=list)

    def sentence(self, *, dry_run: bool = False) -> str:
        verb = "Will import" if dry_run else "Imported"
        text = (
            f"{verb} {_count(self.predictions, 'prediction')} with "
            f"{_count(self.forecasts, 'forecast')}"
        )
        if self.resolved:
            text += f" ({self.resolved} resolved or annulled)"
        if self.evidence:
            text += f" and {_count(self.evidence, 'evidence link')}"
        text += "."
        if self.predictions_existing or self.forecasts_existing:
            text += (
                f" Already there from an earlier import: "
                f"{_count(self.predictions_existing, 'prediction')}, "
                f"{_count(self.forecasts_existing, 'forecast')}."
            )
        return text


# Field.clean is a pure function of the value; a file repeats the same probabilities
# many times, so each (field, Decimal) is checked once.
_memo: dict[tuple, list[str]] = {}
_fields: dict[tuple, tuple] = {}
_NO_NUL = ProhibitNullCharactersValidator()


def _clean(f, value) -> list[str]:
    try:
        f.clean(value, None)
    except ValidationError as exc:
        return exc.messages
    return []


def _field(model, name: str) -> tuple:
    """(field, whether a date/datetime value needs no check: no validators, no choices)."""
    key = (model, name)
    if key not in _fields:
        f = model._meta.get_field(name)
        _fields[key] = (f, not f.validators and not f.choices)
    return _fields[key]


def field_errors(model, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each value its model field rejects: `Model.clean_fields()`
    for just these fields, without building an instance (blank values are skipped where
    the field allows blank, as there)."""
    errors = []
    for name, value in values.items():
        f, plain = _field(model, name)
        if value is None or value == "":
            if f.blank:
                continue
        elif plain and isinstance(value, date):
            continue  # a date(time) field's to_python accepts it; nothing else checks it
        if type(value) is str and "\x00" in value:
            # Model fields accept NUL, PostgreSQL does not; the forms refuse it with
            # this validator, so the import does too.
            errors.append((name, _NO_NUL.message))
            continue
        if type(value) is Decimal:
            key = (model, name, value)
            messages = _memo.get(key)
            if messages is None:
                if len(_memo) > 10_000:
                    _memo.clear()
                messages = _memo[key] = _clean(f, value)
        else:
            messages = _clean(f, value)
        if messages:
            errors.extend((name, message) for message in messages)
    return errors


def _insert(model, names: list[str], rows: list[tuple]) -> None:
    """INSERT many rows of `model` in one executemany; each value is prepared by its
    field's get_db_prep_save, exactly what bulk_create would send."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-access proxy
    fields = [model._meta.get_field(name) for name in names]
    quote = db.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    values = "({})".format(", ".join(["%s"] * len(fields)))
    prepare = [
        (i, f, f.get_internal_type())
        for i, f in enumerate(fields)
        if f.get_internal_type() in ("DateTimeField", "DateField", "DecimalField")
    ]
    if prepare:
        decimals: dict = {}  # a probability is prepared once per distinct value
        prepared = []
        for row in rows:
            row = list(row)
            for i, f, kind in prepare:
                value = row[i]
                if isinstance(value, Decimal):
                    key = (i, value)
                    if key not in decimals:
                        decimals[key] = f.get_db_prep_save(value, db)
                    row[i] = decimals[key]
                elif kind == "DateTimeField" and isinstance(value, datetime) and value.tzinfo:
                    # get_db_prep_save would return an aware datetime unchanged from its
                    # get_prep_value, then adapt it: go to the adapting step directly.
                    row[i] = db.ops.adapt_datetimefield_value(value)
                else:
                    row[i] = f.get_db_prep_save(value, db)
            prepared.append(row)
        rows = prepared
    with db.cursor() as cursor:
        # One prepared statement run per row: SQLite's fastest way; psycopg pipelines it.
        for start in range(0, len(rows), 5000):
            cursor.executemany(head + values, rows[start : start + 5000])


@dataclass(slots=True)
class _Forecast:
    """A validated forecast: the parsed values and its option or quantile rows."""

    fin: ForecastIn
    rationale: str
    options: list[OptionProbability]
    quantiles: list[DateQuantile]


@dataclass(slots=True)
class _Event:
    """A validated step of the resolution history."""

    action: str
    created_at: datetime
    note: str = ""
    outcome: bool | None = None
    winner: str | None = None  # the winning option's label
    outcome_date: date | None = None
    known_at: datetime | None = None
    evidence_ref: Any = None


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class _Built:
    """A validated new prediction and its dependents, not yet saved."""

    rec: PredictionIn
    prediction: Prediction
    options: list[Option]
    forecasts: list[_Forecast]
    events: list[_Event]
    edits: list[PredictionEdit]
    evidence: list[EvidenceIn]
    winner_label: str | None = None
    resolution_evidence_ref: object = None
    existing: bool = False


def _messages(exc: ValidationError) -> list[tuple[str | None, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (None if name == NON_FIELD_ERRORS else name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in exc.messages]


class Writer:
    """Validates and (unless `dry_run`) writes records for `owner`.

    `columns` maps model field names to the file's column names, so messages name the
    column the user sees ("Question title" rather than "question").
    """

    def __init__(
        self,
        *,
        owner,
        problems: Problems,
        dry_run: bool = False,
        columns: dict[str, str] | None = None,
    ) -> None:
        self.owner = owner
        self.problems = problems
        self.dry_run = dry_run
        self.columns = columns or {}
        self.summary = Summary()
        self.tags: dict[str, Tag] = {}
        self.seen_keys: dict[str, int] = {}

    # --- entry point ---

    def write(self, records: Sequence[PredictionIn]) -> Summary:
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
            raise RuntimeError("The import needs a database that returns ids from bulk inserts.")
        self.existing_keys = dict(
            Prediction.objects.filter(owner=self.owner)
            .exclude(import_key="")
            .values_list("import_key", "pk")
        )
        self._prepare_tags(records)
        for start in range(0, len(records), BATCH_SIZE):
            self._batch(records[start : start + BATCH_SIZE])
        return self.summary

    # --- helpers ---

    def _error(self, rec: PredictionIn, column: str | None, message: str, row: int | None = None):
        name = self.columns.get(column, column) if column else None
        self.problems.add(rec.row if row is None else row, name, message, rec.unit)

    def _errors(self, rec: PredictionIn, exc, row: int | None = None, prefix=""):
        if not isinstance(exc, ValidationError) and not exc:
            return  # an empty list from field_errors
        pairs = _messages(exc) if isinstance(exc, ValidationError) else exc
        for name, message in pairs:
            self._error(
                rec, f"{prefix}{name}" if name else prefix.rstrip(".") or None, message, row
            )

    @property
    def writing(self) -> bool:
        return not self.dry_run and not self.problems

    def _prepare_tags(self, records: Sequence[PredictionIn]) -> None:
        names: dict[str, str] = {}
        for rec in records:
            clean = []
            for raw in rec.tags:
                name = " ".join(str(raw).split())
                if not name:
                    continue
                if len(name) > Tag._meta.get_field("name").max_length:
                    self._error(rec, "tags", services.MSG_TAG_TOO_LONG)
                    continue
                if "\x00" in name:
                    self._error(rec, "tags", _NO_NUL.message)
                    continue
                clean.append(name)
                names.setdefault(name.lower(), name)
            rec.tags = clean
        if self.writing and names:
            self.tags = {
                tag.name.lower(): tag
                for tag in services.tags_for_names(owner=self.owner, names=names.values())
            }

    # --- one batch ---

    def _batch(self, records: Sequence[PredictionIn]) -> None:
        existing = self._existing(records)
        built: list[_Built] = []
        for rec in records:
            if rec.key in self.seen_keys:
                self._error(rec, None, f"the same prediction as row {self.seen_keys[rec.key]}")
                continue
            self.seen_keys[rec.key] = rec.row
            if rec.key in existing:
                result = self._check_existing(rec, existing[rec.key], same_account=False)
            elif rec.original_id is not None and rec.original_id in existing:
                result = self._check_existing(rec, existing[rec.original_id], same_account=True)
            else:
                result = self._check_new(rec)
            if result is not None:
                built.append(result)
                self._preview(result)
        if self.writing:
            self._save(built)

    def _existing(self, records: Sequence[PredictionIn]) -> dict:
        """This batch's records already imported: by import key, or (our own formats)
        by the original id when the file comes from this very account."""
        pks = {self.existing_keys[r.key] for r in records if r.key in self.existing_keys}
        originals = {r.original_id: r for r in records if r.original_id is not None}
        found: dict = {}
        if not pks and not originals:
            return found
        qs = Prediction.objects.filter(owner=self.owner)
        rows = qs.filter(pk__in=pks | set(originals))
        for prediction in rows:
            if prediction.import_key and prediction.import_key in self.existing_keys:
                found[prediction.import_key] = prediction
            rec = originals.get(prediction.pk)
            if rec is not None and rec.key not in found and prediction.created_at == rec.created_at:
                found[prediction.pk] = prediction
        if found:
            ids = [p.pk for p in found.values()]
            forecast_keys: dict[int, set] = {pk: set() for pk in ids}
            forecast_ids: dict[int, set] = {pk: set() for pk in ids}
            for prediction_id, pk, key in Forecast.objects.filter(
                prediction_id__in=ids
            ).values_list("prediction_id", "pk", "import_key"):
                forecast_ids[prediction_id].add(pk)
                if key:
                    forecast_keys[prediction_id].add(key)
            options: dict[int, list[Option]] = {pk: [] for pk in ids}
            for option in Option.objects.filter(prediction_id__in=ids).order_by("position"):
                options[option.prediction_id].append(option)
            resolved_before = set(
                ResolutionEvent.objects.filter(prediction_id__in=ids).values_list(
                    "prediction_id", flat=True
                )
            )
            for prediction in found.values():
                prediction.import_forecast_keys = forecast_keys[prediction.pk]
                prediction.import_forecast_ids = forecast_ids[prediction.pk]
                prediction.import_options = options[prediction.pk]
                prediction.import_resolved_before = prediction.pk in resolved_before
        return found

    # --- validation ---

    def _check_new(self, rec: PredictionIn) -> _Built | None:
        before = self.problems.count
        prediction = Prediction(
            owner=self.owner,
            question=" ".join(rec.question.split()),
            kind=rec.kind,
            resolve_by=rec.resolve_by,
            resolution_criteria=rec.resolution_criteria.strip(),
            notes=rec.notes.strip(),
            visibility=rec.visibility,
            created_at=rec.created_at,
            import_key=rec.key,
        )
        self._errors(
            rec,
            field_errors(
                Prediction,
                {
                    name: getattr(prediction, name)
                    for name in (
                        "question",
                        "kind",
                        "resolve_by",
                        "resolution_criteria",
                        "notes",
                        "visibility",
                        "created_at",
                        "import_key",
                    )
                },
            ),
        )
        options = self._check_options(rec, prediction) if rec.kind == Kind.MULTIPLE_CHOICE else []
        if rec.kind != Kind.MULTIPLE_CHOICE and rec.options:
            self._error(rec, "options", services.MSG_WRONG_OUTCOME)
        labels = [o.label for o in options]
        evidence = self._check_evidence(rec)
        forecasts = self._check_forecasts(rec, rec.kind, labels, known=set())
        built = _Built(
            rec=rec,
            prediction=prediction,
            options=options,
            forecasts=forecasts,
            events=[],
            edits=self._check_edits(rec),
            evidence=evidence,
        )
        self._check_events(rec, built, labels)
        if self.problems.count != before:
            return None
        return built

    def _check_existing(self, rec: PredictionIn, prediction: Prediction, *, same_account: bool):
        """An earlier import of this prediction (or, `same_account`, the prediction this
        very account exported): only forecasts it lacks are added, and its resolution if
        it has never been resolved or reopened. Forecasts match by import key, and in an
        account's own export also by their original id."""
        before = self.problems.count
        if prediction.kind != rec.kind:
            self._error(rec, "kind", f"expected {prediction.kind}, as when first imported")
            return None
        labels = [o.label for o in prediction.import_options]
        known = set(prediction.import_forecast_keys)
        if same_account:
            known |= prediction.import_forecast_ids
        built = _Built(
            rec=rec,
            prediction=prediction,
            options=prediction.import_options,
            forecasts=self._check_forecasts(rec, rec.kind, labels, known=known),
            events=[],
            edits=[],
            evidence=[],
            existing=True,
        )
        skipped = len(rec.forecasts) - len(built.forecasts)
        if not prediction.import_resolved_before and prediction.status == Status.OPEN:
            self._check_events(rec, built, labels, with_evidence=False)
        if self.problems.count != before:
            return None
        self.summary.predictions_existing += 1
        self.summary.forecasts_existing += skipped
        return built

    def _check_options(self, rec: PredictionIn, prediction: Prediction) -> list[Option]:
        labels = [" ".join(str(label).split()) for label in rec.options]
        if any(not label for label in labels):
            self._error(rec, "options", services.MSG_OPTION_EMPTY)
        elif not 2 <= len(labels) <= services.MAX_OPTIONS:
            self._error(rec, "options", services.MSG_OPTION_COUNT)
        elif len({label.lower() for label in labels}) != len(labels):
            self._error(rec, "options", services.MSG_OPTION_DUPLICATE)
        options = [
            Option(prediction=prediction, label=label, position=position)
            for position, label in enumerate(labels)
        ]
        for option in options:
            self._errors(rec, field_errors(Option, {"label": option.label}), prefix="option.")
            try:
                option.full_clean(
                    exclude=["prediction"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                self._errors(rec, exc, prefix="option.")
        return options

    def _check_forecasts(self, rec: PredictionIn, kind: str, labels: list[str], known: set):
        result = []
        seen: set[str] = set()
        for fin in rec.forecasts:
            if fin.key in known or (fin.original_id is not None and fin.original_id in known):
                continue
            if fin.key in seen:
                self._error(rec, "forecast", "the same forecast appears twice", fin.row)
                continue
            seen.add(fin.key)
            checked = self._check_forecast(rec, kind, labels, fin)
            if checked is not None:
                result.append(checked)
        return result

    def _check_forecast(self, rec: PredictionIn, kind: str, labels: list[str], fin: ForecastIn):
        """The checks of `services.forecast_create`, without its queries."""
        before = self.problems.count
        if (fin.probability is not None) != (kind == Kind.BINARY):
            self._error(rec, "probability", services.MSG_WRONG_OUTCOME, fin.row)
        option_rows: list[OptionProbability] = []
        if kind == Kind.MULTIPLE_CHOICE:
            probabilities = fin.option_probabilities
            if probabilities is None or len(probabilities) != len(labels):
                self._error(rec, "probability", services.MSG_OPTIONS_MISMATCH, fin.row)
            else:
                total = sum(probabilities, Decimal(0))
                if abs(total - 1) > services.TOTAL_TOLERANCE:
                    percent = f"{(total * 100).normalize():f}%"
                    message = services.MSG_OPTIONS_TOTAL.format(total=percent)
                    self._error(rec, "probability", message, fin.row)
                for p in probabilities:
                    self._errors(rec, field_errors(OptionProbability, {"probability": p}), fin.row)
                option_rows = [OptionProbability(probability=p) for p in probabilities]
        elif fin.option_probabilities is not None:
            self._error(rec, "probability", services.MSG_WRONG_OUTCOME, fin.row)
        quantile_rows: list[DateQuantile] = []
        if kind == Kind.DATE or fin.quantiles is not None:
            try:
                quantile_rows = services._quantile_rows(SimpleNamespace(kind=kind), fin.quantiles)
            except ValidationError as exc:
                self._errors(rec, exc, fin.row)
        rationale = fin.rationale.strip()
        values = {
            "probability": fin.probability,
            "phrase": fin.phrase,
            "rationale": rationale,
            "created_at": fin.created_at,
            "import_key": fin.key,
        }
        self._errors(rec, field_errors(Forecast, values), fin.row)
        if fin.evidence_ref is not None and not any(
            e.ref == fin.evidence_ref for e in rec.evidence
        ):
            self._error(rec, "evidence", "expected the id of one of its evidence links", fin.row)
        if self.problems.count != before:
            return None
        return _Forecast(fin, rationale, option_rows, quantile_rows)

    def _check_evidence(self, rec: PredictionIn) -> list[EvidenceIn]:
        urls: set[str] = set()
        for ev in rec.evidence:
            try:
                url = normalise_url(ev.url)
            except ValidationError as exc:
                self._errors(rec, exc, ev.row, prefix="evidence.url")
                continue
            if url in urls:
                self._error(rec, "evidence.url", source_services.MSG_ALREADY_LINKED, ev.row)
            urls.add(url)
            link = EvidenceLink(stance=ev.stance, quote=ev.quote.strip(), note=ev.note.strip())
            source = Source(url=url, **ev.source)
            texts = {"quote": link.quote, "note": link.note}
            self._errors(rec, field_errors(EvidenceLink, texts), ev.row, prefix="evidence.")
            texts = {k: v for k, v in ev.source.items() if isinstance(v, str)}
            self._errors(rec, field_errors(Source, texts), ev.row, prefix="evidence.source.")
            for obj, exclude, prefix in (
                (link, ["prediction", "source"], "evidence."),
                (source, ["owner"], "evidence.source."),
            ):
                try:
                    obj.full_clean(
                        exclude=exclude, validate_unique=False, validate_constraints=False
                    )
                except ValidationError as exc:
                    self._errors(rec, exc, ev.row, prefix=prefix)
        return list(rec.evidence)

    def _check_edits(self, rec: PredictionIn) -> list[PredictionEdit]:
        edits = []
        for edit in rec.edits:
            texts = {"field": edit.field, "old_value": edit.old_value, "new_value": edit.new_value}
            self._errors(rec, field_errors(PredictionEdit, texts), edit.row, prefix="edits.")
            row = PredictionEdit(
                field=edit.field,
                old_value=edit.old_value,
                new_value=edit.new_value,
                created_at=edit.created_at,
            )
            try:
                row.full_clean(
                    exclude=["prediction"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                self._errors(rec, exc, edit.row, prefix="edits.")
            edits.append(row)
        return edits

    def _check_events(self, rec, built: _Built, labels: list[str], with_evidence=True) -> None:
        """Replays the resolution history as the services would and sets the final
        state on the (unsaved or existing) prediction."""
        prediction = built.prediction
        by_label = {label.lower(): label for label in labels}
        refs = {e.ref for e in rec.evidence} if with_evidence else set()
        status = prediction.status
        last = None
        for ev in rec.events:
            evidence_ref = ev.evidence_ref if ev.evidence_ref in refs else None
            if ev.evidence_ref is not None and with_evidence and evidence_ref is None:
                self._error(rec, "evidence", "expected the id of one of its evidence links", ev.row)
            event = _Event(
                action=ev.action,
                created_at=ev.created_at,
                note=ev.note.strip(),
                evidence_ref=evidence_ref,
            )
            if ev.action == Action.UNDO:
                if status == Status.OPEN:
                    self._error(rec, "resolution", services.MSG_ALREADY_OPEN, ev.row)
                status = Status.OPEN
            elif ev.action in (Action.RESOLVE, Action.ANNUL):
                event.known_at = ev.known_at or ev.created_at
                if ev.action == Action.ANNUL:
                    status = Status.ANNULLED
                elif rec.kind == Kind.BINARY and ev.outcome in ("yes", "no"):
                    event.outcome = ev.outcome == "yes"
                    status = Status.RESOLVED
                elif rec.kind == Kind.MULTIPLE_CHOICE and str(ev.outcome).lower() in by_label:
                    event.winner = by_label[str(ev.outcome).lower()]
                    status = Status.RESOLVED
                elif rec.kind == Kind.DATE and isinstance(ev.outcome, date):
                    event.outcome_date = ev.outcome
                    status = Status.RESOLVED
                else:
                    message = (
                        services.MSG_OUTCOME_REQUIRED
                        if rec.kind == Kind.BINARY
                        else services.MSG_WRONG_OUTCOME
                    )
                    self._error(rec, "resolution", message, ev.row)
            else:
                self._error(rec, "resolution", "expected resolve, annul or undo", ev.row)
            values = {"note": event.note, "created_at": event.created_at}
            self._errors(rec, field_errors(ResolutionEvent, values), ev.row, prefix="resolution.")
            built.events.append(event)
            last = event
        if last is None:
            return
        closed = status != Status.OPEN
        prediction.status = status
        prediction.outcome = last.outcome if closed else None
        prediction.outcome_date = last.outcome_date if closed else None
        prediction.known_at = last.known_at if closed else None
        prediction.resolved_at = last.created_at if closed else None
        prediction.resolution_note = last.note if closed else ""
        built.winner_label = last.winner if closed else None
        built.resolution_evidence_ref = last.evidence_ref if closed else None

    def _preview(self, built: _Built) -> None:
        s = self.summary
        new_forecasts = len(built.forecasts)
        s.forecasts += new_forecasts
        if built.events and built.prediction.status != Status.OPEN:
            s.resolved += 1
        if not built.existing:
            s.predictions += 1
            s.evidence += len(built.evidence)
        if len(s.preview) >= PREVIEW_ROWS:
            return
        rec, prediction = built.rec, built.prediction
        latest = ""
        if rec.forecasts:
            last = rec.forecasts[-1]
            if last.probability is not None:
                latest = f"{last.probability * 100:.1f}%".replace(".0%", "%")
            elif last.option_probabilities:
                pairs = zip(rec.options, last.option_probabilities, strict=False)
                latest = ", ".join(f"{label} {p * 100:.1f}%" for label, p in pairs)
                latest = latest.replace(".0%", "%")
            elif last.quantiles:
                median = last.quantiles.get(Decimal("0.5")) or last.quantiles.get(Decimal("0.500"))
                latest = f"median {median}" if median else ""
        resolution = ""
        if prediction.status == Status.ANNULLED:
            resolution = "annulled"
        elif prediction.status == Status.RESOLVED:
            resolution = (
                ("yes" if prediction.outcome else "no")
                if rec.kind == Kind.BINARY
                else str(built.winner_label or prediction.outcome_date or "")
            )
        if built.existing:
            action = (
                f"adds {_count(new_forecasts, 'forecast')}" if new_forecasts else "already imported"
            )
        else:
            action = "new"
        s.preview.append(
            PreviewRow(
                row=rec.row,
                question=prediction.question,
                kind=rec.kind,
                created_at=rec.created_at,
                forecasts=len(rec.forecasts),
                latest=latest,
                resolution=resolution,
                tags=", ".join(rec.tags),
                action=action,
            )
        )

    # --- writing ---

    def _save(self, built: list[_Built]) -> None:
        new = [b for b in built if not b.existing]
        self._insert_predictions([b.prediction for b in new])
        _insert(
            TagLinks,
            ["prediction", "tag"],
            [
                (b.prediction.pk, self.tags[name.lower()].pk)
                for b in new
                for name in dict.fromkeys(b.rec.tags)
                if name.lower() in self.tags
            ],
        )
        Option.objects.bulk_create([o for b in new for o in b.options])
        links = {id(b): self._save_evidence(b) for b in new if b.evidence}

        plain, rich = [], []
        for b in built:
            b_links = links.get(id(b), {})
            for f in b.forecasts:
                fin = f.fin
                link = b_links.get(fin.evidence_ref) if fin.evidence_ref is not None else None
                if not f.options and not f.quantiles:
                    plain.append(
                        (
                            b.prediction.pk,
                            fin.created_at,
                            fin.probability,
                            fin.phrase,
                            f.rationale,
                            link.pk if link else None,
                            fin.key,
                        )
                    )
                    continue
                forecast = Forecast(
                    prediction=b.prediction,
                    created_at=fin.created_at,
                    probability=fin.probability,
                    phrase=fin.phrase,
                    rationale=f.rationale,
                    evidence=link,
                    import_key=fin.key,
                )
                rich.append((forecast, f, b))
        _insert(
            Forecast,
            [
                "prediction",
                "created_at",
                "probability",
                "phrase",
                "rationale",
                "evidence",
                "import_key",
            ],
            plain,
        )
        Forecast.objects.bulk_create([forecast for forecast, _, _ in rich])
        option_rows, quantile_rows = [], []
        for forecast, f, b in rich:
            for option, row in zip(b.options, f.options, strict=True):
                row.forecast, row.option = forecast, option
                option_rows.append(row)
            for row in f.quantiles:
                row.forecast = forecast
                quantile_rows.append(row)
        OptionProbability.objects.bulk_create(option_rows)
        DateQuantile.objects.bulk_create(quantile_rows)

        events, edits, changed = [], [], []
        for b in built:
            options = {o.label: o for o in b.options}
            b_links = links.get(id(b), {})
            for e in b.events:
                winner = options[e.winner] if e.winner else None
                link = b_links.get(e.evidence_ref) if e.evidence_ref is not None else None
                events.append(
                    (
                        b.prediction.pk,
                        e.action,
                        e.outcome,
                        winner.pk if winner else None,
                        e.outcome_date,
                        e.known_at,
                        e.note,
                        link.pk if link else None,
                        e.created_at,
                    )
                )
            for edit in b.edits:
                edit.prediction = b.prediction
                edits.append(edit)
            # New predictions were saved in their final state; what is left are the
            # links to rows created after them (the winning option, the resolving
            # evidence) and earlier imports given their resolution now.
            p = b.prediction
            winner = options.get(b.winner_label) if b.winner_label else None
            evidence = b_links.get(b.resolution_evidence_ref)
            if (b.existing and b.events) or winner is not None or evidence is not None:
                p.outcome_option, p.resolution_evidence = winner, evidence
                changed.append(p)
        _insert(
            ResolutionEvent,
            [
                "prediction",
                "action",
                "outcome",
                "outcome_option",
                "outcome_date",
                "known_at",
                "note",
                "evidence",
                "created_at",
            ],
            events,
        )
        PredictionEdit.objects.bulk_create(edits)
        for p in changed:  # few: bulk_update's CASE per row costs more than this
            Prediction.objects.filter(pk=p.pk).update(
                status=p.status,
                outcome=p.outcome,
                outcome_option=p.outcome_option,
                outcome_date=p.outcome_date,
                known_at=p.known_at,
                resolved_at=p.resolved_at,
                resolution_note=p.resolution_note,
                resolution_evidence=p.resolution_evidence,
            )

    def _insert_predictions(self, predictions: list[Prediction]) -> None:
        """Inserts the predictions in one executemany, then reads their ids back by
        import key (unique per owner; every imported prediction has one), which costs a
        fraction of bulk_create's per-field work on these wide rows."""
        if not predictions:
            return
        table = Prediction._meta.db_table
        since = (
            Prediction.objects.filter(owner=self.owner)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        ) or 0
        fields = [f for f in Prediction._meta.concrete_fields if not f.primary_key]
        _insert(
            Prediction,
            [f.name for f in fields],
            [tuple(getattr(p, f.attname) for f in fields) for p in predictions],
        )
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('import_key')}, {quote('id')} FROM {quote(table)} "
                f"WHERE {quote('owner_id')} = %s AND {quote('id')} > %s",
                [self.owner.pk, since],
            )
            ids = dict(cursor.fetchall())
        for p in predictions:
            p.pk = ids[p.import_key]
            p._state.adding = False

    def _save_evidence(self, b: _Built) -> dict:
        """The prediction's evidence links through the sources services; ref -> link."""
        links = {}
        for ev in b.evidence:
            source, created = source_services.source_get_or_create(
                owner=self.owner, url=ev.url, **ev.source
            )
            if created and ev.source_created_at:
                Source.objects.filter(pk=source.pk).update(created_at=ev.source_created_at)
            link = source_services.evidence_link_create(
                prediction=b.prediction,
                owner=self.owner,
                stance=ev.stance,
                source=source,
                quote=ev.quote,
                note=ev.note,
            )
            if ev.created_at:
                EvidenceLink.objects.filter(pk=link.pk).update(created_at=ev.created_at)
                link.created_at = ev.created_at
            links[ev.ref] = link
        return links


def write_records(
    records: Sequence[PredictionIn] | Iterable[PredictionIn],
    *,
    owner,
    problems: Problems,
    dry_run: bool = False,
    columns: dict[str, str] | None = None,
) -> Summary:
    """Validates the records and, unless `dry_run` or a problem is found, writes them
    (call inside a transaction, which the caller rolls back if `problems` is set)."""
    writer = Writer(owner=owner, problems=problems, dry_run=dry_run, columns=columns)
    return writer.write(list(records))
