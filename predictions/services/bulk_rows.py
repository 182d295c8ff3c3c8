"""A model's rows as plain values, filled as the model fills them, and their INSERT.

Imports write up to millions of rows. Building a model instance per row (its
`__init__` walks every field, fills the defaults and sets up its state) was the largest
single cost of a large import, so the bulk service builds each new prediction as a
`Row` instead: a dict of the model's columns, read once from `_meta` (`ModelRows`), with
every default the model would fill (`Field.get_default()`, the same call
`Model.__init__` makes: a fresh `uid` and `share_token` per row, `status`,
`visibility`...). `insert_rows` then sends the rows, each value prepared as its field's
`get_db_prep_save` prepares it, with one `executemany` per chunk
(docs/decisions/0019-import-rows-without-instances.md).
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

INSERT_CHUNK = 5000
_MEMO_SIZE = 4096  # distinct probabilities, days and instants prepared once each


class Row(dict):
    """One row by column (attname), read and set like the model instance it stands in
    for (`row.status`, `row.pk`), so the checks that take an existing prediction take a
    new one too. Keys that are not columns (`pk`) are never inserted."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class ModelRows:
    """The concrete columns of `model` (without its primary key) and their defaults."""

    def __init__(self, model) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        # Constant defaults (and the "" or None of a field without one) are copied into
        # each row, in column order; a callable default is called per row.
        # (Field.get_default() returns what the callable returns: it is called directly.)
        self.per_row = [
            (f.attname, f.default) for f in fields if f.has_default() and callable(f.default)
        ]
        called = {name for name, _ in self.per_row}
        self.constants = {
            f.attname: None if f.attname in called else f.get_default() for f in fields
        }
        self._values = itemgetter(*self.names)

    def new(self, values: dict[str, Any]) -> Row:
        """A row of `values` (by attname) with every other column as the model fills it."""
        row = Row(self.constants)
        row.update(values)
        for name, default in self.per_row:
            if name not in values:
                row[name] = default()
        return row

    def insert(self, rows: Sequence[Row]) -> None:
        insert_rows(self.model, self.names, [self._values(row) for row in rows])

    def instance(self, row: Row):
        """The saved model instance a written row is (for services that take one)."""
        obj = self.model(pk=row["pk"], **{name: row[name] for name in self.names})
        obj._state.adding = False
        return obj


def _preparer(f, db) -> Callable[[Any], Any] | None:
    """value -> what `f.get_db_prep_save(value, db)` returns, or None where that is the
    value itself for the types the bulk service gives (text, numbers, booleans, ids).
    Probabilities, days and instants repeat within a file and are prepared once each."""
    kind = f.get_internal_type()
    if kind not in ("DateTimeField", "DateField", "DecimalField", "UUIDField"):
        return None
    prepare = f.get_db_prep_save
    if kind == "UUIDField":  # unique per row: nothing to remember
        return lambda value: prepare(value, db)
    adapt = db.ops.adapt_datetimefield_value
    memo: dict = {}

    def prepared(value):
        found = memo.get(value)
        if found is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            if kind == "DateTimeField" and isinstance(value, datetime) and value.tzinfo:
                # get_db_prep_save returns an aware datetime unchanged from its
                # get_prep_value, then adapts it: go to the adapting step directly.
                found = adapt(value)
            else:
                found = prepare(value, db)
            memo[value] = found
        return found

    return prepared


def insert_rows(model, names: list[str], given: Iterable[Sequence]) -> None:
    """INSERT many rows of `model` with one prepared statement (executemany); each value
    is prepared by its field's get_db_prep_save, exactly what bulk_create would send.

    The one raw SQL of the write path, for the wide, numerous rows (predictions, yes/no
    forecasts, tag links, resolution events): `bulk_create` costs more per row than the
    whole rest of an import (docs/decisions/0003-bulk-import-path.md). Every value has
    passed the rules and field checks of `predictions.services.bulk` first."""
    rows = list(given)
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-access proxy
    fields = [model._meta.get_field(name) for name in names]
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    preparers = [(i, p) for i, f in enumerate(fields) if (p := _preparer(f, db)) is not None]
    if preparers:
        prepared: list[Sequence] = []
        for values in rows:
            row = list(values)
            for i, prepare in preparers:
                value = row[i]
                if value is not None:
                    row[i] = prepare(value)
            prepared.append(row)
        rows = prepared
    with db.cursor() as cursor:
        # One prepared statement run per row: SQLite's fastest way; psycopg pipelines it.
        for start in range(0, len(rows), INSERT_CHUNK):
            cursor.executemany(sql, rows[start : start + INSERT_CHUNK])
