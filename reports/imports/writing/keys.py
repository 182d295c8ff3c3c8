"""Which records of a file are already in the account, found by keys only
(docs/decisions/0013-import-matching-by-key.md):

- a record carrying a prediction's `uid` (our exports since it exists) is that very
  prediction when the account has a prediction with this uid (re-importing one's own
  export); uids are globally unique, so another account's or site's file never matches;
- otherwise, and for every other format, a record matches only a prediction an earlier
  import stored under the same import key.

Never by a primary key: a file's ids are another database's, and equal ours by chance.
Looked up a batch at a time, so memory does not grow with the account or the file.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Field

from predictions.models import Forecast, Option, Prediction, ResolutionEvent
from reports.imports.common import PredictionIn


@dataclass
class Existing:
    """A prediction already in the account and what matching a record against it needs.
    `same_prediction`: found by its own uid, so the file's forecast ids are its own."""

    prediction: Prediction
    same_prediction: bool = False
    forecast_keys: set[str] = field(default_factory=set)
    forecast_ids: set[int] = field(default_factory=set)
    options: list[Option] = field(default_factory=list)
    resolved_before: bool = False


def _column(name: str) -> str:
    field = Prediction._meta.get_field(name)
    assert isinstance(field, Field)  # a concrete column, not a relation's reverse side
    return connection.ops.quote_name(str(field.column))


def matching_sql(name: str, count: int, *, not_blank: bool = False) -> str:
    """SELECT the pks of an owner's predictions whose field `name` holds one of `count`
    values. `not_blank` adds the very condition of the partial unique index on (owner,
    import_key), `NOT (import_key = '')`: SQLite uses a partial index only for a query
    that states its condition term for term (with `<> ''` it scanned all the owner's
    predictions once per batch; tests/reports/test_import_rows.py reads the plan)."""
    column = _column(name)
    return "SELECT {} FROM {} WHERE {} = %s AND {}{} IN ({})".format(
        _column("id"),
        connection.ops.quote_name(Prediction._meta.db_table),
        _column("owner"),
        f"NOT ({column} = '') AND " if not_blank else "",
        column,
        ", ".join(["%s"] * count),
    )


def _matching(owner, name: str, values: list, *, not_blank: bool = False) -> list[int]:
    """The pks of the owner's predictions whose `name` holds one of `values` (prepared
    for the database)."""
    with connection.cursor() as cursor:
        cursor.execute(matching_sql(name, len(values), not_blank=not_blank), [owner.pk, *values])
        return [pk for (pk,) in cursor.fetchall()]


def existing(owner, records: Sequence[PredictionIn]) -> dict[str, Existing]:
    """{record key: Existing} for this batch's records already in the account."""
    by_uid = {r.uid: r.key for r in records if r.uid is not None}
    by_key = {r.key for r in records}
    if not by_key:
        return {}
    # Two lookups, each on its own index: an OR of both would scan all the owner's
    # predictions once per batch (quadratic over a large import). Plain SQL for the
    # lookups themselves, as the ORM would prepare each of a batch's thousands of keys
    # as a lookup value; most batches match nothing, and what they match is read by pk.
    pks = _matching(owner, "import_key", list(by_key), not_blank=True)
    if by_uid:
        uid = Prediction._meta.get_field("uid")
        pks += _matching(owner, "uid", [uid.get_db_prep_value(u, connection) for u in by_uid])
    rows = list(Prediction.objects.filter(pk__in=pks).order_by()) if pks else []
    found: dict[str, Existing] = {}
    for prediction in rows:
        key = by_uid.get(prediction.uid)
        if key is not None:  # the uid wins over an import key naming another prediction
            found[key] = Existing(prediction=prediction, same_prediction=True)
        elif prediction.import_key in by_key:
            found.setdefault(prediction.import_key, Existing(prediction=prediction))
    if not found:
        return {}
    by_pk = {e.prediction.pk: e for e in found.values()}
    for prediction_id, pk, key in Forecast.objects.filter(prediction_id__in=by_pk).values_list(
        "prediction_id", "pk", "import_key"
    ):
        by_pk[prediction_id].forecast_ids.add(pk)
        if key:
            by_pk[prediction_id].forecast_keys.add(key)
    for option in Option.objects.filter(prediction_id__in=by_pk).order_by("position"):
        by_pk[option.prediction_id].options.append(option)
    for prediction_id in ResolutionEvent.objects.filter(prediction_id__in=by_pk).values_list(
        "prediction_id", flat=True
    ):
        by_pk[prediction_id].resolved_before = True
    return found
