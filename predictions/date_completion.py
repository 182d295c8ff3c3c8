"""The date phrases a claim box completes as you type: "this w" → "this week".

Built from the words predictions/dates_in_words.py reads, never from a list of its own, and
handed to static/js/site.js as JSON (`data-date-completion` on the box). The script owns
the matching: when the caret is at the end and the last words typed begin one of these
phrases, and every phrase they begin agrees on the word being typed, it shows the rest of
that word as ghost text, accepted with Tab or →. docs/decisions/0020-date-completion.md
gives the rule; tests/predictions/test_date_completion.py checks that every phrase built
here is read as a deadline, so a completion never offers words the reader ignores.

A phrase is a list of slots; a slot maps each word it accepts to the letters that must be
typed before the word is completed (0: matched, never completed). "#" in a slot stands
for any number other than 1 ("in 3 days"; "in 1 day" is the singular slot's).
"""

import json
from functools import cache

from predictions.dates_in_words import (
    DAY_WORDS,
    LEAD_WORDS,
    MONTH_NAMES,
    NEXT_WORDS,
    NOT_BEFORE_WEEKDAY,
    NUMBER_WORDS,
    PERIOD_UNITS,
    RELATIVE_LEADS,
    RELATIVE_UNITS,
    THIS_WEEKDAY,
    WEEKDAY_NAMES,
    WHICH_PERIOD,
)

ANY_COUNT = "#"
# A word that opens a phrase is completed from its second letter ("to" is still today or
# tomorrow, "tom" is tomorrow); a word after others of the phrase from its first ("this
# w"), since those words already say a date is being typed.
FIRST_WORD_LETTERS = 2
NEXT_WORD_LETTERS = 1


def _matched(*words: str) -> dict[str, int]:
    return dict.fromkeys(words, 0)


def _completed(words, letters: int) -> dict[str, int]:
    return dict.fromkeys(words, letters)


def _names(groups) -> dict[str, int]:
    """Full names, completed once the reader's shortest abbreviation is typed: "wed" reads
    as Wednesday already, and "this w" stays "this week" rather than a guess between
    "week" and "wednesday"."""
    return {names[0]: min(len(name) for name in names) for names in groups}


def _slots() -> dict[str, dict[str, int]]:
    singular = [word for word, value in NUMBER_WORDS.items() if value == 1]
    plural = [word for word, value in NUMBER_WORDS.items() if value > 1]
    this_words = [words for words in THIS_WEEKDAY if " " not in words]  # "the coming": below
    return {
        "day": _completed(DAY_WORDS, FIRST_WORD_LETTERS),
        "weekday_lead": _matched(
            *(word for word in LEAD_WORDS if word not in NOT_BEFORE_WEEKDAY), *this_words
        ),
        "weekday": _names(WEEKDAY_NAMES),
        "month_lead": _matched(*LEAD_WORDS),
        "month": _names(MONTH_NAMES),
        "which": _matched(*WHICH_PERIOD),
        "period": _completed(PERIOD_UNITS, NEXT_WORD_LETTERS),
        "end": _matched("end"),
        "of": _matched("of"),
        "the": _matched("the"),
        "coming": _matched("coming"),
        "relative_lead": _matched(*RELATIVE_LEADS),
        "over_lead": _matched(*RELATIVE_LEADS, "over"),
        "next": _matched(*NEXT_WORDS),
        "one": _matched(*singular, "1"),
        "count": _matched(*plural, ANY_COUNT),
        "unit": _completed(RELATIVE_UNITS, NEXT_WORD_LETTERS),
        "units": _completed((unit + "s" for unit in RELATIVE_UNITS), NEXT_WORD_LETTERS),
    }


# The shapes of the phrases, rule by rule of predictions/dates_in_words.py. Those that do
# not stand alone in a claim ("Friday", "March", "the week") start with what leads them.
PATTERNS = (
    ("day",),
    ("weekday_lead", "weekday"),
    ("the", "coming", "weekday"),
    ("month_lead", "month"),
    ("which", "period"),
    ("end", "of", "period"),
    ("end", "of", "the", "period"),
    ("end", "of", "weekday"),
    ("end", "of", "month"),
    ("relative_lead", "one", "unit"),
    ("relative_lead", "count", "units"),
    ("over_lead", "the", "next", "unit"),
    ("over_lead", "the", "next", "count", "units"),
)


@cache
def completion_data() -> dict:
    slots = _slots()
    return {"slots": slots, "patterns": [list(pattern) for pattern in PATTERNS]}


@cache
def completion_json() -> str:
    """What static/js/site.js reads from `data-date-completion`."""
    return json.dumps(completion_data(), separators=(",", ":"))
