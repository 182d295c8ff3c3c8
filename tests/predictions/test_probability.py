"""Reading typed probabilities: pure functions, no database."""

from decimal import Decimal

import pytest

from predictions.probability import (
    MSG_EMPTY,
    MSG_NOT_A_NUMBER,
    MSG_OUT_OF_RANGE,
    MSG_TOO_PRECISE,
    ProbabilityError,
    format_percent,
    parse_percent,
    parse_probability,
    to_probability,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Decimal("0.000")),
        ("100", Decimal("1.000")),
        ("70", Decimal("0.700")),
        ("70%", Decimal("0.700")),
        (" 70 % ", Decimal("0.700")),
        ("70.5", Decimal("0.705")),
        ("0.5%", Decimal("0.005")),
        ("5", Decimal("0.050")),
        ("100.0", Decimal("1.000")),
        (".5", Decimal("0.005")),
    ],
)
def test_parse_percent_accepts(text, expected):
    value = parse_percent(text)
    assert value == expected
    # Exact, at 0.1% resolution: the stored form has three decimal places.
    assert value.as_tuple().exponent == -3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_EMPTY),
        ("   ", MSG_EMPTY),
        (None, MSG_EMPTY),
        ("-0.1", MSG_OUT_OF_RANGE),
        ("-5%", MSG_OUT_OF_RANGE),
        ("100.1", MSG_OUT_OF_RANGE),
        ("101", MSG_OUT_OF_RANGE),
        ("abc", MSG_NOT_A_NUMBER),
        ("NaN", MSG_NOT_A_NUMBER),
        ("nan", MSG_NOT_A_NUMBER),
        ("inf", MSG_NOT_A_NUMBER),
        ("Infinity", MSG_NOT_A_NUMBER),
        ("1e3", MSG_NOT_A_NUMBER),
        ("1E1", MSG_NOT_A_NUMBER),
        ("70%%", MSG_NOT_A_NUMBER),
        ("7 0", MSG_NOT_A_NUMBER),
        ("0x10", MSG_NOT_A_NUMBER),
        ("70.55", MSG_TOO_PRECISE),
        ("0.05%", MSG_TOO_PRECISE),
    ],
)
def test_parse_percent_refuses_with_a_clear_message(text, message):
    with pytest.raises(ProbabilityError) as exc:
        parse_percent(text)
    assert str(exc.value) == message


def test_parse_probability_wraps_the_exact_value():
    reading = parse_probability(" 70 % ")
    assert reading.probability == Decimal("0.700")
    assert reading.percent == "70%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.7, Decimal("0.700")),
        ("0.7", Decimal("0.700")),
        (Decimal("0.7004"), Decimal("0.700")),
        (0.0005, Decimal("0.001")),  # half up, not banker's rounding
        (1, Decimal("1.000")),
        (0, Decimal("0.000")),
    ],
)
def test_to_probability_rounds_to_the_stored_resolution(value, expected):
    assert to_probability(value) == expected


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf", "1.001", "-0.001", "abc", ""])
def test_to_probability_refuses_values_outside_zero_to_one(value):
    with pytest.raises(ProbabilityError):
        to_probability(value)


@pytest.mark.parametrize(
    ("probability", "text"),
    [
        (Decimal("0.700"), "70%"),
        (Decimal("0.705"), "70.5%"),
        (Decimal("0.005"), "0.5%"),
        (Decimal("0.000"), "0%"),
        (Decimal("1.000"), "100%"),
        (Decimal("0.050"), "5%"),
        (0.7, "70%"),
        (None, "–"),
    ],
)
def test_format_percent(probability, text):
    assert format_percent(probability) == text
