"""Reading probabilities people type: "70%", "0.5%", "1 in 20", "3:1 against", "likely".

Pure functions (no Django), so forms, importers and services share one reading.
Probabilities are exact Decimals at 0.1% resolution: "70" becomes Decimal("0.700") and
"1 in 3" Decimal("0.333"). Words are read through the survey table in predictions.phrases.
"""

import difflib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from predictions.phrases import MEANING_HINTS, PHRASES, lookup_phrase, normalise_phrase

RESOLUTION = Decimal("0.001")

MSG_EMPTY = "Enter a probability, e.g. 70 or 70%."
MSG_NOT_A_NUMBER = "Enter the probability as a percentage between 0 and 100, e.g. 70 or 70%."
MSG_OUT_OF_RANGE = "A probability must be between 0% and 100%."
MSG_TOO_PRECISE = "Use at most one decimal place, e.g. 70.5%."
MSG_UNREADABLE = "Not a probability I can read."
MSG_HOW_TO_TYPE = "Type a percentage (70%), odds (1 in 20) or a phrase like “very likely”."
MSG_ODDS_IN_ORDER = "In “a in b” the first number cannot be larger than the second, e.g. 1 in 20."
MSG_ODDS_ZERO = "Odds need a number above zero, e.g. 1 in 20 or 3:1."
MSG_ODDS_TOO_SMALL = "Those odds are below 0.1%, the smallest step recorded: type 0.1% or 0%."
MSG_ODDS_TOO_LARGE = "Those odds are above 99.9%, the largest step below 100%: type 99.9% or 100%."
MSG_CERTAIN = (
    "0% and 100% claim certainty: one surprise costs the worst Brier score there is (1). "
    "Say 1% or 99% unless no evidence could change your mind."
)
PHRASE_MAX_LENGTH = 100  # Forecast.phrase

_PERCENT = re.compile(r"^\s*(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*%?\s*$")
_PERCENT_WORD = re.compile(r"^\s*(?P<number>[0-9.]+)\s*(?:percent|per cent)\s*$", re.IGNORECASE)
_NUMBER = r"[0-9]{1,9}(?:\.[0-9]{1,3})?"
# "1 in 20", "a 1 in 20 chance", "odds of 1 in 20", "1 out of 20"
_ODDS_IN = re.compile(
    rf"^(?:odds of |odds |chances of |a )?(?P<a>{_NUMBER}) (?:in|out of) (?P<b>{_NUMBER})"
    r"(?: chance)?$"
)
# "3:1", "3 to 1", "odds of 3:1", "3:1 on" and "3:1 for" (three for, one against),
# "3:1 against" (three against, one for)
_ODDS_RATIO = re.compile(
    rf"^(?:odds of |odds )?(?P<a>{_NUMBER}) ?(?::| to ) ?(?P<b>{_NUMBER})"
    r"(?: (?P<side>for|on|against))?$"
)
# Text that was meant as a number: parse_percent's messages fit it better than a phrase hint.
_NUMBER_LIKE = re.compile(r"^\s*(?:[-+.0-9]|(?:nan|inf|infinity)\s*$)", re.IGNORECASE)


# Spelled-out numbers in odds: "one in three", "two out of five", "one in a hundred".
_NUMBER_WORDS = {
    word: str(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000"}
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_A_NUMBER = re.compile(r"\ba (hundred|thousand|million)\b")
# Spelling suggestions must not change the meaning: "likley" is "likely", never "unlikely".
_SUGGESTION_SPREAD = 15  # percentage points from the closest spelling's reading
# A bare number below 1 with a decimal point ("0.3", ".05"): a percentage or a fraction?
_FRACTION_LIKE = re.compile(r"^\s*(?:0?\.[0-9]+)\s*$")


class ProbabilityError(ValueError):
    """The text is not a probability; the message says what to type instead."""


@dataclass(frozen=True)
class Reading:
    probability: Decimal  # 0–1, exact at 0.1%
    phrase: str  # what was typed, kept when it was words or odds
    warning: str = ""  # set when people read the phrase very differently

    @property
    def percent(self) -> str:
        return format_percent(self.probability)


def certainty_warning(probability: Decimal) -> str:
    """A warning for 0% and 100%, which are allowed but rarely meant; "" otherwise."""
    return MSG_CERTAIN if probability in (0, 1) else ""


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
    """Everything a probability field accepts, as a Reading.

    Percentages as parse_percent reads them ("70", "0.5%", "70 percent"; phrase empty),
    odds ("1 in 20", "3:1", "3 to 1 against") and phrases from the survey table ("very
    likely"). For odds and words the Reading keeps what was typed and, for phrases people
    read very differently, a warning. Anything else raises ProbabilityError, with
    suggestions when the text is close to a phrase in the table.
    """
    if text is None or not str(text).strip():
        raise ProbabilityError(MSG_EMPTY)
    typed = str(text).strip()
    if _PERCENT.match(typed):
        try:
            return Reading(probability=parse_percent(typed), phrase="")
        except ProbabilityError as exc:
            if meant := fraction_doubt(typed):  # ".05": finer than 0.1%, so surely 5%
                raise ProbabilityError(f"{exc} Did you mean {meant}?") from exc
            raise
    percent_word = _PERCENT_WORD.match(typed)
    if percent_word:
        return Reading(probability=parse_percent(percent_word["number"]), phrase="")
    phrase = typed[:PHRASE_MAX_LENGTH]
    odds = parse_odds(typed)
    if odds is not None:
        return Reading(probability=odds, phrase=phrase)
    entry = lookup_phrase(typed)
    if entry is not None:
        return Reading(probability=entry.probability, phrase=phrase, warning=entry.warning)
    odds = parse_odds(_spelled_numbers_as_digits(typed))
    if odds is not None:
        return Reading(probability=odds, phrase=phrase)
    if _NUMBER_LIKE.match(typed):
        parse_percent(typed)  # raises with the message for a mistyped number
    raise ProbabilityError(unreadable_message(typed))


def fraction_doubt(text: str) -> str:
    """For a bare number below 1 typed without "%" ("0.3"), the percentage it would mean
    as a fraction ("30%"); "" otherwise. parse_probability reads "0.3" as 0.3%, and the
    entry forms ask which was meant instead of choosing silently."""
    if not _FRACTION_LIKE.match(str(text or "")):
        return ""
    fraction = Decimal(str(text).strip())
    if fraction <= 0 or fraction != fraction.quantize(RESOLUTION):
        return ""
    return format_percent(fraction)


def doubt_message(text: str) -> str:
    """ "0.3% — did you mean 30%?" for text fraction_doubt doubts, else ""."""
    meant = fraction_doubt(text)
    try:
        as_typed = format_percent(parse_percent(text)) if meant else ""
    except ProbabilityError:
        return ""  # no choice to make: parse_probability refuses it and names `meant`
    return f"{as_typed} — did you mean {meant}?" if as_typed else ""


def doubt_choices(text: str) -> list[str]:
    """The two readings to choose between for a doubted fraction: ["0.3%", "30%"]."""
    meant = fraction_doubt(text)
    return [f"{str(text).strip()}%", meant] if meant else []


def _spelled_numbers_as_digits(text: str) -> str:
    normal = " ".join(_WORD_HYPHEN.sub(" ", str(text).lower()).split())  # "one-in-three"
    normal = _A_NUMBER.sub(lambda match: match[1], normal)
    return " ".join(_NUMBER_WORDS.get(word, word) for word in normal.split())


def parse_odds(text: str) -> Decimal | None:
    """Odds as an exact probability at 0.1%, or None when the text is not odds.

    "a in b" is a/b; "a:b" and "a to b" are a for and b against, a/(a+b), also with "for"
    or "on" after them; "a:b against" is b/(a+b). Odds that round to 0% or 100% without
    being exactly that raise ProbabilityError rather than claim certainty.
    """
    normal = " ".join(str(text).lower().split()).strip("“”\"'.!")
    in_match = _ODDS_IN.match(normal)
    ratio_match = _ODDS_RATIO.match(normal)
    if in_match:
        a, b = Fraction(in_match["a"]), Fraction(in_match["b"])
        if b == 0:
            raise ProbabilityError(MSG_ODDS_ZERO)
        if a > b:
            raise ProbabilityError(MSG_ODDS_IN_ORDER)
        exact = a / b
    elif ratio_match:
        a, b = Fraction(ratio_match["a"]), Fraction(ratio_match["b"])
        if a + b == 0:
            raise ProbabilityError(MSG_ODDS_ZERO)
        if ratio_match["side"] == "against":
            a, b = b, a
        exact = a / (a + b)
    else:
        return None
    probability = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        RESOLUTION, rounding=ROUND_HALF_UP
    )
    if probability == 0 and exact > 0:
        raise ProbabilityError(MSG_ODDS_TOO_SMALL)
    if probability == 1 and exact < 1:
        raise ProbabilityError(MSG_ODDS_TOO_LARGE)
    return probability


def unreadable_message(text: str) -> str:
    """The refusal for text that is no probability, naming up to three phrases that
    mean about the same: from MEANING_HINTS for words it knows ("possible"), else the
    closest spellings that read like the closest one ("likley": "likely", not "unlikely")."""
    close = suggestions(text)
    if not close:
        return f"{MSG_UNREADABLE} {MSG_HOW_TO_TYPE}"
    quoted = [f"“{phrase}”" for phrase in close]
    options = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"{MSG_UNREADABLE} Did you mean {options}? {MSG_HOW_TO_TYPE}"


def suggestions(text: str) -> list[str]:
    normal = normalise_phrase(text)
    for word in normal.split():
        if word in MEANING_HINTS:
            return list(MEANING_HINTS[word])
    close = difflib.get_close_matches(normal, PHRASES, n=3, cutoff=0.6)
    if not close:
        return []
    nearest = PHRASES[close[0]].percent
    return [p for p in close if abs(PHRASES[p].percent - nearest) <= _SUGGESTION_SPREAD]


def phrase_meaning(phrase: str) -> Decimal | None:
    """The typical reading of a stored Forecast.phrase, for "your words, calibrated".

    The survey reading for a table phrase ("likely" -> 0.750), the exact value for odds
    ("1 in 20" -> 0.050), None for anything else (an empty phrase, a retired one).
    """
    if not phrase or not str(phrase).strip():
        return None
    entry = lookup_phrase(phrase)
    if entry is not None:
        return entry.probability
    try:
        return parse_odds(phrase)
    except ProbabilityError:
        return None


def simple_odds(probability: Decimal) -> tuple[int, int] | None:
    """(for, against) in small whole numbers that read back as this probability at 0.1%.

    Totals up to 20 (0.75 -> (3, 1), 0.333 -> (1, 2), 0.65 -> (13, 7)), else one side 1
    (0.005 -> (1, 199), 0.995 -> (199, 1)). None for 0, 1 and values that need awkward
    odds such as 0.705 (31:13), where the percentage says it better.
    """
    probability = Decimal(str(probability))
    if not 0 < probability < 1:
        return None

    def reads_as(wins: int, total: int) -> bool:
        return (Decimal(wins) / total).quantize(RESOLUTION, rounding=ROUND_HALF_UP) == probability

    for total in range(2, 21):
        wins = round(probability * total)
        if 0 < wins < total and reads_as(wins, total):
            return wins, total - wins
    long_shot = min(probability, 1 - probability)
    total = round(1 / long_shot)
    if probability < Decimal("0.5") and reads_as(1, total):
        return 1, total - 1
    if probability > Decimal("0.5") and reads_as(total - 1, total):
        return total - 1, 1
    return None


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
