"""Reading one capture line: "GPT-4 will be announced this week 5% #ai".

Pure functions (no Django), for the capture line, the full form it hands over to and the
parse API. The line is the claim, then a probability at the end, with #hashtags anywhere;
the resolve-by date is read from the claim's own words and stays in it, because it is part
of what is being predicted. What is missing or refused is listed as problems, so the page
can ask for it instead of guessing.
"""

import re
from dataclasses import dataclass
from datetime import date

from predictions.dates_in_words import DeadlineReading, read_deadline
from predictions.probability import (
    ProbabilityError,
    Reading,
    doubt_message,
    fraction_doubt,
    parse_odds,
    parse_probability,
)

MSG_NO_CLAIM = "Type the claim first, e.g. “GPT-5 is released by the end of the year 30%”."
MSG_NO_PROBABILITY = "Add your probability at the end, e.g. 70%, 1 in 20 or “likely”."
MSG_NO_DATE = "Say by when it resolves, e.g. “by Friday” or “end of next month”, or pick a date."

# The most words a probability takes: "a 1 in 20 chance", "odds of 3 to 1".
_MAX_PROBABILITY_WORDS = 5
# A hashtag starts the line or follows a space ("C#" and "&#39;" are no tags), holds
# letters, digits, "_" and "-" with at least one letter ("#1" is a rank), and ends at a
# space or punctuation ("#ai/ml" stays text). Its leading space goes with it.
_HASHTAG = re.compile(r"(?:^|\s+)#(?P<tag>(?=[\w-]*[^\W\d_])[\w-]+)(?=$|[\s?!.,;:)])")
# What people put between a claim and its probability: "Rain tomorrow, 70%", "… — 5%".
_SEPARATOR = re.compile(r"(?:[,;:|]|\s[–—-])$")
_NUMBER = re.compile(r"[-+]?[0-9.]")
_TRAILING_SEPARATORS = re.compile(r"[\s,;:|–—-]+$")
# Table phrases that also end plain claims ("The merger will happen"): read as the
# probability only after a separator ("The merger: will happen").
_CLAIM_ENDINGS = ("happen",)


@dataclass(frozen=True)
class Problem:
    field: str  # the input to ask for: "claim", "probability" or "resolve_by"
    message: str


@dataclass(frozen=True)
class CaptureReading:
    claim: str  # hashtags removed, spaces tidied, the date phrase kept
    probability: Reading | None
    tags: tuple[str, ...]  # lower case, each once, in the order typed
    deadline: DeadlineReading | None  # its span indexes `claim`
    problems: tuple[Problem, ...]


def read_capture(line: str, today: date) -> CaptureReading:
    """Claim, probability, tags and resolve-by date from one line; `today` is the owner's
    local date (see predictions.dates_in_words)."""
    text, tags = _take_hashtags(str(line or ""))
    words = text.split()
    # The probability comes after the date phrase: in "by July 1 5%" the 1 is the date's.
    deadline = read_deadline(" ".join(words), today)
    keep = max(1, len(" ".join(words)[: deadline.end].split())) if deadline else 1
    count, probability, refusal = _take_probability(words, keep)
    claim = " ".join(words[: len(words) - count])
    if count:
        claim = _TRAILING_SEPARATORS.sub("", claim)
    deadline = read_deadline(claim, today)
    problems = []
    if not claim:
        problems.append(Problem("claim", MSG_NO_CLAIM))
    if probability is None:
        problems.append(Problem("probability", refusal or MSG_NO_PROBABILITY))
    if deadline is None:
        problems.append(Problem("resolve_by", MSG_NO_DATE))
    return CaptureReading(claim, probability, tags, deadline, tuple(problems))


def preview_text(reading: CaptureReading) -> str:
    """What will be saved, in one line: "Resolves by Sun 6 Dec 2026, end of day, your time
    · 5% · tags: ai"."""
    if reading.deadline is not None:
        parts = [f"Resolves by {reading.deadline.description}, end of day, your time"]
    else:
        parts = ["No resolve-by date yet"]
    if reading.probability is not None:
        phrase = reading.probability.phrase
        percent = reading.probability.percent
        parts.append(f"{percent} ({phrase})" if phrase else percent)
    else:
        parts.append("no probability yet")
    if reading.tags:
        parts.append(f"tags: {', '.join(reading.tags)}")
    return " · ".join(parts)


def _take_hashtags(line: str) -> tuple[str, tuple[str, ...]]:
    tags = dict.fromkeys(match["tag"].lower() for match in _HASHTAG.finditer(line))
    return _HASHTAG.sub("", line), tuple(tags)


def _take_probability(words: list[str], keep: int) -> tuple[int, Reading | None, str]:
    """How many trailing words are the probability, their reading, and any refusal.

    The longest trailing run read as a probability wins ("1 in 20", not "20"); the first
    `keep` words are the claim's. A run clearly meant as a probability but refused ("150%",
    "30 in 20") is taken with its refusal rather than left to a shorter reading ("20").
    """
    refusal = ""
    for count in range(min(_MAX_PROBABILITY_WORDS, len(words) - keep), 0, -1):
        text = " ".join(words[-count:])
        if text.lower().endswith(_CLAIM_ENDINGS) and not _SEPARATOR.search(" " + words[-count - 1]):
            continue
        if count == 1 and (doubt := doubt_message(text)):
            # "0.3": 0.3% or 30%? Asked, never guessed.
            return count, None, f"{doubt} Type {text}% or {fraction_doubt(text)}."
        try:
            return count, parse_probability(text), ""
        except ProbabilityError as error:
            if (count == 1 and text.endswith("%")) or _refused_odds(text):
                return count, None, str(error)
            if count == 1 and _NUMBER.match(text):
                # "0.05", "100000": maybe the claim's own number, so it stays in the claim,
                # but say why it was not read as the probability.
                refusal = f"“{text}” is not read as a probability. {error}"
    return 0, None, refusal


def _refused_odds(text: str) -> bool:
    try:
        parse_odds(text)
    except ProbabilityError:
        return True
    return False
