"""Reading probabilities people type: "70", "70%", " 70 % ", "0.5%".

Pure functions (no Django), so forms, importers and services share one reading.
Probabilities are exact Decimals at 0.1% resolution: "70" becomes Decimal("0.700").
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

RESOLUTION = Decimal("0.001")

MSG_EMPTY = "Enter a probability, e.g. 70 or 70%."
MSG_NOT_A_NUMBER = "Enter the probability as a percentage between 0 and 100, e.g. 70 or 70%."
MSG_OUT_OF_RANGE = "A probability must be between 0% and 100%."
MSG_TOO_PRECISE = "Use at most one decimal place, e.g. 70.5%."

_PERCENT = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*%?\s*$")


class ProbabilityError(ValueError):
    """The text is not a probability; the message says what to type instead."""


@dataclass(frozen=True)
class Reading:
    probability: Decimal  # 0–1, exact at 0.1%
    phrase: str  # what was typed, kept when it was words or odds

    @property
    def percent(self) -> str:
        return format_percent(self.probability)


def parse_percent(text: str) -> Decimal:
    """Percent text to an exact probability in [0, 1].

    Accepts "70", "70%", " 70 % " and "70.5"; refuses NaN, infinities, exponents,
    negative numbers, more than one decimal place and anything outside 0–100.
    """
    if text is None or not str(text).strip():
        raise ProbabilityError(MSG_EMPTY)
    match = _PERCENT.match(str(text))
    if not match:
        if re.match(r"^\s*-", str(text)):
            raise ProbabilityError(MSG_OUT_OF_RANGE)
        raise ProbabilityError(MSG_NOT_A_NUMBER)
    try:
        percent = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits digits only
        raise ProbabilityError(MSG_NOT_A_NUMBER) from exc
    if percent > 100:
        raise ProbabilityError(MSG_OUT_OF_RANGE)
    if percent != percent.quantize(Decimal("0.1")):
        raise ProbabilityError(MSG_TOO_PRECISE)
    return (percent / 100).quantize(RESOLUTION)


def parse_probability(text: str) -> Reading:
    """Everything a probability field accepts, as a Reading (see parse_percent)."""
    return Reading(probability=parse_percent(text), phrase="")


def to_probability(value: float | str | Decimal) -> Decimal:
    """A 0–1 number from a file or API to an exact probability, rounded to 0.1%."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ProbabilityError(MSG_NOT_A_NUMBER) from exc
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise ProbabilityError(MSG_OUT_OF_RANGE)
    return number.quantize(RESOLUTION, rounding=ROUND_HALF_UP)


def format_percent(probability: Decimal | float | None) -> str:
    """0.7 -> "70%", 0.705 -> "70.5%", None -> "–"."""
    if probability is None:
        return "–"
    percent = (Decimal(str(probability)) * 100).quantize(Decimal("0.1"))
    text = f"{percent:f}".rstrip("0").rstrip(".") if "." in f"{percent:f}" else f"{percent:f}"
    return f"{text}%"
