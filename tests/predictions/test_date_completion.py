"""The phrases the claim boxes complete (predictions/date_completion.py): built from the
reader's own words, and every one of them read as a deadline. The matching itself runs in
the browser: tests/e2e/test_entry.py::test_completions_follow_the_rule."""

import itertools
import json
from datetime import date

import pytest

from predictions.date_completion import (
    ANY_COUNT,
    FIRST_WORD_LETTERS,
    PATTERNS,
    completion_data,
    completion_json,
)
from predictions.dates_in_words import (
    MONTH_NAMES,
    PERIOD_UNITS,
    RELATIVE_UNITS,
    WEEKDAY_NAMES,
    read_deadline,
)
from predictions.forms import PredictionForm

TUE = date(2026, 12, 1)
SLOTS = completion_data()["slots"]


def phrases(pattern):
    """Every phrase a pattern stands for, a number in place of "#"."""
    words = [[("3" if word == ANY_COUNT else word) for word in SLOTS[slot]] for slot in pattern]
    return [" ".join(choice) for choice in itertools.product(*words)]


@pytest.mark.parametrize("pattern", PATTERNS, ids="-".join)
def test_every_phrase_is_read_as_a_deadline_in_a_claim(pattern):
    for phrase in phrases(pattern):
        claim = f"The treaty is signed {phrase}"
        reading = read_deadline(claim, TUE)
        assert reading is not None, phrase
        # The reading is the phrase (or more of the claim), never a shorter part of it.
        assert reading.end == len(claim), phrase
        assert reading.start <= claim.index(phrase), phrase


def test_the_completed_words_are_the_readers_full_names_and_units():
    assert set(SLOTS["weekday"]) == {names[0] for names in WEEKDAY_NAMES}
    assert set(SLOTS["month"]) == {names[0] for names in MONTH_NAMES}
    assert set(SLOTS["period"]) == set(PERIOD_UNITS)
    assert set(SLOTS["units"]) == {unit + "s" for unit in RELATIVE_UNITS}


def test_names_wait_for_their_shortest_abbreviation():
    # "wed", "thu", "sep", "may": three letters for every name.
    assert set(SLOTS["weekday"].values()) == set(SLOTS["month"].values()) == {3}


def test_a_phrases_first_word_needs_two_letters():
    for pattern in PATTERNS:
        letters = SLOTS[pattern[0]].values()
        assert all(count == 0 or count >= FIRST_WORD_LETTERS for count in letters), pattern


def test_leads_and_numbers_are_matched_never_completed():
    for slot in ("weekday_lead", "month_lead", "which", "count", "one", "the", "next"):
        assert set(SLOTS[slot].values()) == {0}, slot


def test_the_claim_boxes_carry_the_phrases():
    assert json.loads(completion_json()) == completion_data()
    box = PredictionForm.base_fields["question"].widget
    assert box.attrs["data-date-completion"] == completion_json()
    assert "&quot;weekday&quot;" in box.render("question", "")  # escaped in the attribute
