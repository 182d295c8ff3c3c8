"""Probabilities typed as words and odds: the phrase table, odds, refusals, the live reading.

Expected readings are written out from the survey medians in tests/data/README.md, not
read back from predictions.phrases; the spreads are recomputed from perceptions_probly.csv.
"""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.test import TestCase
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from predictions.phrases import PHRASES, WIDE_SPREAD, lookup_phrase, normalise_phrase
from predictions.probability import (
    MSG_EMPTY,
    MSG_HOW_TO_TYPE,
    MSG_NOT_A_NUMBER,
    MSG_ODDS_IN_ORDER,
    MSG_ODDS_TOO_LARGE,
    MSG_ODDS_TOO_SMALL,
    MSG_ODDS_ZERO,
    MSG_OUT_OF_RANGE,
    MSG_TOO_PRECISE,
    MSG_UNREADABLE,
    ProbabilityError,
    Reading,
    parse_probability,
    phrase_meaning,
    simple_odds,
)
from tests.predictions.factories import UserFactory

PERCEPTIONS = Path(__file__).resolve().parent.parent / "data" / "perceptions_probly.csv"

# Every phrase in the table with its reading in percent, and where that number comes from.
EXPECTED_PERCENT = {
    # CAPphrase medians
    "almost no chance": 2,
    "remote chance": 5,
    "highly unlikely": 5,
    "little chance": 10,
    "chances are slight": 10,
    "improbable": 10,
    "unlikely": 20,
    "might happen": 40,
    "could happen": 40,
    "about even": 50,
    "realistic possibility": 60,
    "better than even": 60,
    "probable": 75,
    "likely": 75,
    "very good chance": 80,
    "highly likely": 90,
    "almost certain": 95,
    "will happen": 100,
    # Sherman Kent (1964)
    "almost certainly not": 7,
    "probably not": 30,
    "chances about even": 50,
    # perceptions_probly.csv medians (checked against the file below)
    "we doubt": 25,
    "we believe": 70,
    "probably": 75,
    # synonyms, each the reading of the survey phrase named in predictions/phrases.py
    "almost certainly": 95,
    "nearly certain": 95,
    "tiny chance": 5,
    "slim chance": 10,
    "slight chance": 10,
    "small chance": 10,
    "very likely": 90,
    "very probable": 90,
    "highly probable": 90,
    "very unlikely": 5,
    "very improbable": 5,
    "may happen": 40,
    "even chance": 50,
    "even odds": 50,
    "fifty fifty": 50,
    "50 50": 50,
    "toss up": 50,
    "coin flip": 50,
    "a coin flip": 50,
    "coin toss": 50,
    "a coin toss": 50,
}


def refusal(*suggestions: str) -> str:
    if not suggestions:
        return f"{MSG_UNREADABLE} {MSG_HOW_TO_TYPE}"
    quoted = [f"“{s}”" for s in suggestions]
    options = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"{MSG_UNREADABLE} Did you mean {options}? {MSG_HOW_TO_TYPE}"


# --- percentages keep parse_percent's reading ------------------------------------------


@pytest.mark.parametrize(
    ("text", "probability"),
    [
        ("70", "0.700"),
        ("70%", "0.700"),
        (" 70 % ", "0.700"),
        ("70.5", "0.705"),
        ("0.5%", "0.005"),
        ("0", "0.000"),
        ("100", "1.000"),
        ("70 percent", "0.700"),
        ("70 per cent", "0.700"),
    ],
)
def test_percentages_read_as_before_without_a_phrase(text, probability):
    assert parse_probability(text) == Reading(Decimal(probability), phrase="", warning="")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_EMPTY),
        ("   ", MSG_EMPTY),
        ("NaN", MSG_NOT_A_NUMBER),
        ("inf", MSG_NOT_A_NUMBER),
        ("1e3", MSG_NOT_A_NUMBER),
        ("-0.1", MSG_OUT_OF_RANGE),
        ("100.1", MSG_OUT_OF_RANGE),
        ("70.55", MSG_TOO_PRECISE),
        ("70.55 percent", MSG_TOO_PRECISE),
    ],
)
def test_mistyped_numbers_keep_the_percentage_messages(text, message):
    with pytest.raises(ProbabilityError) as exc:
        parse_probability(text)
    assert str(exc.value) == message


# --- phrases ------------------------------------------------------------------------------


def test_the_table_holds_exactly_the_documented_phrases():
    assert set(PHRASES) == set(EXPECTED_PERCENT)


@pytest.mark.parametrize(("phrase", "percent"), sorted(EXPECTED_PERCENT.items()))
def test_every_table_phrase_reads_as_its_survey_median(phrase, percent):
    got = parse_probability(phrase)
    assert got.probability == Decimal(percent) / 100
    assert got.phrase == phrase


@pytest.mark.parametrize(
    ("text", "percent", "phrase"),
    [
        ("LIKELY", 75, "LIKELY"),
        ("  Very   Good Chance  ", 80, "Very   Good Chance"),
        ("Almost-certain", 95, "Almost-certain"),
        ("likely.", 75, "likely."),
        ("“Highly unlikely”", 5, "“Highly unlikely”"),
        ("‘probably not’", 30, "‘probably not’"),
        ("Tiny chance!", 5, "Tiny chance!"),
        ("very probable", 90, "very probable"),
        ("about\teven", 50, "about\teven"),
        ("Fifty-fifty", 50, "Fifty-fifty"),
        ("50/50", 50, "50/50"),
        ("toss-up", 50, "toss-up"),
    ],
)
def test_phrases_ignore_case_spacing_and_punctuation_but_keep_what_was_typed(text, percent, phrase):
    got = parse_probability(text)
    assert got.probability == Decimal(percent) / 100
    assert got.phrase == phrase


def test_the_stored_phrase_is_cut_to_the_column_length():
    text = "very" + " " * 150 + "likely"
    got = parse_probability(text)
    assert got.probability == Decimal("0.9")
    assert got.phrase == text[:100]


@pytest.mark.parametrize(
    ("text", "suggestions"),
    [
        ("likley", ["likely"]),  # "unlikely" is spelt alike but means the opposite
        ("almost certian", ["almost certain", "almost certainly"]),  # not "… not"
        ("realistic", ["realistic possibility"]),
        ("probabley", ["probably", "probable"]),
        ("possible", ["could happen", "realistic possibility"]),  # not "probable"
        ("abc", []),
        ("tiny", []),
        ("<script>alert(1)</script>", []),
    ],
)
def test_unknown_words_are_refused_with_suggestions(text, suggestions):
    with pytest.raises(ProbabilityError) as exc:
        parse_probability(text)
    assert str(exc.value) == refusal(*suggestions)


def test_the_refusal_reads_as_specified():
    with pytest.raises(ProbabilityError) as exc:
        parse_probability("likelyy")
    assert str(exc.value).startswith("Not a probability I can read. Did you mean “likely”")
    assert str(exc.value).endswith(
        "Type a percentage (70%), odds (1 in 20) or a phrase like “very likely”."
    )


# --- spread: phrases people read very differently ----------------------------------------


@pytest.fixture(scope="module")
def perceptions() -> pd.DataFrame:
    frame = pd.read_csv(PERCEPTIONS)
    assert frame.shape == (46, 17)
    return frame


def test_quartiles_match_the_survey_file(perceptions):
    for column in perceptions:
        q1, q3 = np.percentile(perceptions[column], [25, 75])
        entry = lookup_phrase(column)
        assert entry is not None, column
        assert entry.quartiles is not None, column
        assert [float(q) for q in entry.quartiles] == pytest.approx([q1, q3]), column


def test_wide_spread_flags_follow_the_interquartile_range(perceptions):
    wide = set()
    for column in perceptions:
        q1, q3 = np.percentile(perceptions[column], [25, 75])
        entry = lookup_phrase(column)
        assert entry.wide == (q3 - q1 >= float(WIDE_SPREAD)), column
        if q3 - q1 >= 20:
            wide.add(normalise_phrase(column))
    # By hand from the file: improbable 7–28 (21 points), we believe 60–80 (20 points);
    # next widest are unlikely and probably not at 18.75.
    assert wide == {"improbable", "we believe"}


def test_survey_phrases_without_other_source_use_the_files_median(perceptions):
    for column in ["Probably", "We Believe", "We Doubt"]:
        median = np.median(perceptions[column])
        assert parse_probability(column).probability == Decimal(str(median)) / 100


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "realistic possibility",
            "People read “realistic possibility” very differently: consider a number.",
        ),
        (
            "Improbable",
            "People read “improbable” very differently (half of those asked read it as "
            "7% to 28%): consider a number.",
        ),
        (
            "we believe",
            "People read “we believe” very differently (half of those asked read it as "
            "60% to 80%): consider a number.",
        ),
        ("likely", ""),
        ("unlikely", ""),  # 18.75 points: just under the line
        ("about even", ""),
        ("1 in 20", ""),
        ("70%", ""),
    ],
)
def test_warnings(text, warning):
    assert parse_probability(text).warning == warning


def test_reading_without_warning_keeps_the_old_signature():
    assert Reading(Decimal("0.7"), "").warning == ""


# --- odds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "probability"),
    [
        ("1 in 20", "0.050"),
        ("1 in 3", "0.333"),
        ("2 in 3", "0.667"),
        ("1 out of 4", "0.250"),
        ("a 1 in 20 chance", "0.050"),
        ("odds of 1 in 20", "0.050"),
        ("1 IN 20", "0.050"),
        ("0 in 5", "0.000"),
        ("5 in 5", "1.000"),
        ("1 in 1000", "0.001"),
        ("1 in 2000", "0.001"),  # 0.05% rounds half up to the 0.1% step
        ("3:1", "0.750"),
        ("3 : 1", "0.750"),
        ("3 to 1", "0.750"),
        ("3:1 for", "0.750"),
        ("3 to 1 on", "0.750"),
        ("odds of 3:1", "0.750"),
        ("3:1 against", "0.250"),
        ("3 to 1 against", "0.250"),
        ("1:1", "0.500"),
        ("50:50", "0.500"),
        ("1:2", "0.333"),
        ("1.5:1", "0.600"),
        ("0:1", "0.000"),
        ("1:0", "1.000"),
        ("19:1 against", "0.050"),
    ],
)
def test_odds(text, probability):
    got = parse_probability(text)
    assert got.probability == Decimal(probability)
    assert got.phrase == text.strip()
    assert got.warning == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 in 3", MSG_ODDS_IN_ORDER),
        ("1 in 0", MSG_ODDS_ZERO),
        ("0:0", MSG_ODDS_ZERO),
        ("1 in 10000", MSG_ODDS_TOO_SMALL),
        ("1:9999", MSG_ODDS_TOO_SMALL),
        ("1999 in 2000", MSG_ODDS_TOO_LARGE),
        ("3:", MSG_NOT_A_NUMBER),
        ("3/1", MSG_NOT_A_NUMBER),  # fractional betting odds are ambiguous: refused
        ("-1 in 20", MSG_OUT_OF_RANGE),
    ],
)
def test_odds_refusals(text, message):
    with pytest.raises(ProbabilityError) as exc:
        parse_probability(text)
    assert str(exc.value) == message


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_odds_for_and_against_are_complements(a, b):
    if a + b == 0:
        return
    exact = Fraction(a, a + b)
    try:
        favour = parse_probability(f"{a}:{b}").probability
        against = parse_probability(f"{b}:{a} against").probability
    except ProbabilityError:
        # Only odds finer than the 0.1% step are refused.
        assert 0 < exact < Fraction(1, 2000) or 1 - Fraction(1, 2000) <= exact < 1
        return
    assert favour == against
    assert abs(Fraction(favour) - exact) <= Fraction(1, 2000)


# --- exactness -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1 in 3", "likely", "3:1 against", "70.5", "tiny chance"])
def test_readings_are_decimals_at_the_tenth_of_a_percent(text):
    probability = parse_probability(text).probability
    assert isinstance(probability, Decimal)
    assert probability.as_tuple().exponent == -3


def test_one_in_three_is_exactly_333_thousandths():
    assert str(parse_probability("1 in 3").probability) == "0.333"
    assert parse_probability("1 in 3").percent == "33.3%"


# --- helpers for the reading and the dashboard -------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "meaning"),
    [
        ("likely", Decimal("0.750")),
        ("Very Probable", Decimal("0.900")),
        ("1 in 20", Decimal("0.050")),
        ("3:1 against", Decimal("0.250")),
        ("", None),
        ("70", None),
        ("no longer in the table", None),
        ("1 in 0", None),
    ],
)
def test_phrase_meaning(phrase, meaning):
    assert phrase_meaning(phrase) == meaning


@pytest.mark.parametrize(
    ("probability", "odds"),
    [
        ("0.750", (3, 1)),
        ("0.050", (1, 19)),
        ("0.333", (1, 2)),
        ("0.700", (7, 3)),
        ("0.500", (1, 1)),
        ("0.650", (13, 7)),
        ("0.005", (1, 199)),
        ("0.995", (199, 1)),
        ("0.001", (1, 999)),
        ("0.705", None),
        ("0.123", None),
        ("0.000", None),
        ("1.000", None),
    ],
)
def test_simple_odds(probability, odds):
    assert simple_odds(Decimal(probability)) == odds


# --- the live reading view ---------------------------------------------------------------


class ProbabilityReadingViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def setUp(self):
        self.client.force_login(self.user)
        self.url = reverse("predictions:probability_reading")

    def get(self, **params):
        return self.client.get(self.url, params, headers={"HX-Request": "true"})

    def test_login_required(self):
        self.client.logout()
        response = self.client.get(self.url, {"text": "likely"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_get_only(self):
        assert self.client.post(self.url, {"text": "likely"}).status_code == 405

    def test_each_keystroke_costs_only_the_session_user_and_profile(self):
        """Defect: the navigation's due count ran on every fragment (4 queries a keystroke).
        What is left: the session, its user, and the profile for the time zone."""
        self.get(text="likely")  # warm up: the profile is created on the first request
        for text in ("likely", "3 to 1", "likley", ""):
            with self.assertNumQueries(3):
                assert self.get(text=text).status_code == 200

    def test_odds_reading(self):
        response = self.get(text="3 to 1")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Reads as <strong>75%</strong> (odds 3:1)." in html
        assert "<html" not in html

    def test_plain_path_returns_the_same_fragment(self):
        response = self.client.get(self.url, {"text": "1 in 20"})
        assert response.status_code == 200
        assert "Reads as <strong>5%</strong> (odds 1:19)." in response.content.decode()

    def test_wide_phrase_carries_its_warning(self):
        html = self.get(text="Realistic possibility").content.decode()
        assert "Reads as <strong>60%</strong> (odds 3:2)." in html
        assert "People read “realistic possibility” very differently" in html

    def test_unreadable_text_is_a_200_hint_with_suggestions(self):
        response = self.get(text="likley")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Did you mean “likely”?" in html  # not "unlikely": by meaning
        assert "reading-error" in html

    def test_the_input_field_name_is_accepted(self):
        html = self.get(probability="likely").content.decode()
        assert "Reads as <strong>75%</strong>" in html
        html = self.get(**{"option-2-probability": "1 in 4"}).content.decode()
        assert "Reads as <strong>25%</strong>" in html

    def test_empty_text_gives_an_empty_fragment(self):
        response = self.get(text="  ")
        assert response.status_code == 200
        assert response.content.decode().strip() == ""

    def test_markup_is_escaped(self):
        html = self.get(text="<script>alert(1)</script>").content.decode()
        assert "<script" not in html
        assert MSG_UNREADABLE in html

    def test_text_is_capped_at_100_characters(self):
        # Only the first 100 characters are read: the "zzzz" after them would make it unreadable.
        text = "likely" + " " * 94 + "zzzz"
        assert "Reads as <strong>75%</strong>" in self.get(text=text).content.decode()
