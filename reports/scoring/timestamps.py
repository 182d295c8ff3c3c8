"""Stored dates and times as numpy and pandas values, whatever their year.

Every entry path keeps dates between 1900 and 2199 (predictions.rules), but rows
written before that rule, by the admin or by raw SQL may hold any year a database
takes (1 to 9999). pandas counts time in nanoseconds (years 1677 to 2262), so a read
that meets such a row clamps the instant to READABLE, a year inside pandas' range so
that a chart's margins stay inside it too: the row is still read, scored and drawn, at
the edge. Days need no clamping: float days since 1970 hold any year exactly.

Each function tries the fast vectorised conversion first; the clamping path runs only
when that fails, so ordinary data pays nothing for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

READABLE = (
    np.datetime64("1678-01-01T00:00:00", "us"),
    np.datetime64("2261-12-31T23:59:59.999999", "us"),
)
_OUT_OF_RANGE = (OutOfBoundsDatetime, OverflowError)


def _naive_utc(value) -> datetime | None:
    """A driver's value (ISO text, naive UTC or aware datetime) as a naive UTC datetime."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # an offset pushing year 1 or 9999 past the calendar
            return datetime.min if value.year == 1 else datetime.max
        value = value.replace(tzinfo=None)
    return value


def clamped_ns(values: np.ndarray) -> np.ndarray:
    """datetime64 values of any unit as datetime64[ns], clamped to READABLE (NaT kept)."""
    us = np.asarray(values).astype("datetime64[us]")
    nat = np.isnat(us)
    out = np.clip(us, *READABLE)
    out[nat] = np.datetime64("NaT", "us")
    return out.astype("datetime64[ns]")


def utc_series(values: pd.Series) -> pd.Series:
    """Driver values (ISO texts, naive UTC or aware datetimes; None for NULL) as UTC
    datetime64[ns], clamped to READABLE."""
    known = values.dropna()
    try:
        if len(known) and isinstance(known.iloc[0], str):
            converted = pd.to_datetime(values, utc=True, format="ISO8601")
        else:
            converted = pd.to_datetime(values, utc=True)
        return converted.astype("datetime64[ns, UTC]")
    except _OUT_OF_RANGE:
        pass
    naive = np.array([_naive_utc(v) for v in values], dtype="datetime64[us]")
    return pd.Series(
        pd.to_datetime(clamped_ns(naive), utc=True), index=values.index, name=values.name
    )


def day_numbers(values: pd.Series) -> np.ndarray:
    """Dates (date objects or ISO strings) as float days since 1970-01-01; NaN for NULL."""
    try:
        days = (
            pd.to_datetime(values, format="ISO8601")
            .to_numpy("datetime64[ns]")
            .astype("datetime64[D]")
        )
    except _OUT_OF_RANGE:
        days = np.array([None if pd.isna(v) else v for v in values], dtype="datetime64[D]")
    numbers = days.astype(np.int64).astype(float)
    numbers[np.isnat(days)] = np.nan
    return numbers


def day_values(values: pd.Series) -> np.ndarray:
    """Dates (date objects or ISO strings) as datetime64[D], any year; NaT for NULL."""
    try:
        return pd.to_datetime(values, format="ISO8601").to_numpy(dtype="datetime64[D]")
    except _OUT_OF_RANGE:
        return np.array([None if pd.isna(v) else v for v in values], dtype="datetime64[D]")
