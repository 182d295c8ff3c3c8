"""The one raw-cursor reader of the reports and the column helpers it needs.

Rows are read from the cursor of a `values_list` query's own SQL and converted a column
at a time: the ORM's per-value converters (making each datetime aware, building a
Decimal per probability) would cost more than the fetch itself, and the dashboard and
the exports must stay fast at 100,000 predictions. Probabilities are cast to float in
SQL; 0.700 stays 0.7.
"""

from __future__ import annotations

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast

from predictions.models import Prediction
from reports.scoring.timestamps import utc_series


def raw_rows(qs: QuerySet) -> list[tuple]:
    """The rows of a values_list QuerySet as the database driver returns them."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. text with NUL)
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def read_frame(qs: QuerySet, columns: list[str]) -> pd.DataFrame:
    """The raw rows of a values_list QuerySet as a DataFrame with these columns."""
    rows = raw_rows(qs)
    return pd.DataFrame.from_records(rows, columns=columns, nrows=len(rows))


def as_stored(name: str):
    """A date or datetime column as stored: on SQLite its ISO text (no decltype, so the
    driver's per-value converter is skipped and pandas parses the column at once);
    elsewhere the column itself, which the driver converts in C."""
    if connections[Prediction.objects.db].vendor == "sqlite":
        return Cast(name, CharField())
    return name


def as_text(name: str):
    """A timestamp column as text where that is cheapest, for rows that are written out
    as text (the exports): SQLite's stored text, and on PostgreSQL the column cast to
    text in the session's time zone, UTC under USE_TZ ("2024-03-01 12:00:00.5+00");
    parsing every value into a datetime only to format it back costs more than the rest
    of the row. Elsewhere the column itself."""
    if connections[Prediction.objects.db].vendor in ("sqlite", "postgresql"):
        return Cast(name, CharField())
    return F(name)


def utc(values: pd.Series) -> pd.Series:
    """Datetimes as UTC datetime64[ns] from what the driver returned: naive UTC
    datetimes on SQLite (Django registers a converter), aware ones on PostgreSQL, ISO
    strings from SQLite when the column was read as text (`as_stored`) or through a bare
    connection. NULL becomes NaT; a year pandas cannot hold is clamped to its edge
    (`reports.scoring.timestamps`)."""
    return utc_series(values)
