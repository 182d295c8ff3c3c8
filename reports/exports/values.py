"""How the exports write values: scores, probabilities, times, dates and page URLs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import overload

from django.urls import reverse

_URL_PLACEHOLDER = 987654321


def score_text(value: float | None) -> str:
    """A score for the CSV: 10 significant digits, empty when undefined."""
    if value is None or value != value:
        return ""
    return format(value, ".10g")


def json_number(value: float | None) -> float | None:
    if value is None or value != value:
        return None
    return float(format(value, ".10g"))


def _short_decimal(value: float) -> str:
    text = repr(round(value, 3))
    return text[:-2] if text.endswith(".0") else text


# Stored probabilities take 1,001 values: their text is computed once each.
_PROBABILITY_TEXT = {permille / 1000: _short_decimal(permille / 1000) for permille in range(1001)}


def probability_text(value) -> str:
    """A stored probability (0.001 resolution) as short text: 0.7, 1, 0.05."""
    text = _PROBABILITY_TEXT.get(value)
    return text if text is not None else _short_decimal(float(value))


@overload
def naive_iso(value: None) -> None: ...
@overload
def naive_iso(value: str | datetime) -> str: ...
def naive_iso(value):
    """A UTC timestamp as 'YYYY-MM-DDTHH:MM:SS[.ffffff]' from what the driver returned:
    SQLite gives Django's stored text, PostgreSQL an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(" ", "T", 1).removesuffix("+00:00").removesuffix("+00")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


@overload
def day_text(value: None) -> None: ...
@overload
def day_text(value: str | date) -> str: ...
def day_text(value):
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def utc_text(naive: str | None) -> str:
    return "" if naive is None else naive + "Z"


def aware_iso(value: datetime | None) -> str | None:
    return None if value is None else utc_text(naive_iso(value))


def url_maker(base_url: str):
    """A function from prediction id to its page's URL, without a reverse() per row."""
    path = reverse("predictions:detail", args=[_URL_PLACEHOLDER])
    before, after = path.split(str(_URL_PLACEHOLDER))
    before = base_url.rstrip("/") + before
    return lambda pk: f"{before}{pk}{after}"


def uid_text(value: uuid.UUID | str) -> str:
    """A stored Prediction.uid as its canonical text: PostgreSQL's driver returns a
    UUID, SQLite the 32 hex digits Django stores."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))
