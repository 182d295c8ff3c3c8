"""Resolve-by dates in words: "by Friday", "end of next month", "Q1 2027", "before 1 July".

Pure functions (no Django), shared by the capture line, the resolve-by field and the parse
API. `today` is the owner's local date; the caller turns the day read into the end of that
day in the owner's time zone (docs/design.md §3). The grammar is small and explicit because
the phrases are the contract: docs/decisions/0008-dates-in-words.md gives the meaning of
each family.
"""

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MSG_EMPTY = "Enter a resolve-by date, e.g. 2027-03-01, “tomorrow” or “end of next month”."
MSG_UNREADABLE = (
    "Not a date I can read: type it as 2027-03-01 or in words, e.g. “by Friday”, "
    "“end of next month” or “1 July 2027”."
)

# The names the reader knows, the full name first (the one a completion offers).
WEEKDAY_NAMES = (
    ("monday", "mon"),
    ("tuesday", "tues", "tue"),
    ("wednesday", "wed"),
    ("thursday", "thurs", "thur", "thu"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
)
MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_WEEKDAYS = {name: number for number, names in enumerate(WEEKDAY_NAMES) for name in names}
_MONTHS = {name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


# The other words of the phrases, named so that the capture line's completions
# (predictions/date_completion.py) are built from the same words the rules read.
LEAD_WORDS = ("before", "by", "in", "on", "until", "till", "through", "during")
NOT_BEFORE_WEEKDAY = ("in", "during")  # "in Sun Microsystems", "during Fri prayers"
THIS_WEEKDAY = ("this", "coming", "the coming")  # "this Friday" stands without a lead
DAY_WORDS = ("today", "tomorrow")
PERIOD_UNITS = ("week", "month", "quarter", "year")
WHICH_PERIOD = ("this", "next", "current")  # "this week"; "the next week" after "end of"
RELATIVE_LEADS = ("in", "within")  # and "over", only as "over the next …"
NEXT_WORDS = ("next", "coming")  # "in the next two months"
RELATIVE_UNITS = ("day", "week", "fortnight", "month", "year")  # each also with an "s"


def _either(names) -> str:
    # Longest first, so "march" is tried before "mar"; a space is any run of spaces.
    return "|".join(
        name.replace(" ", r"\s+") for name in sorted(names, key=lambda name: (-len(name), name))
    )


_WEEKDAY = rf"(?P<weekday>{_either(_WEEKDAYS)})\.?"
_MONTH = rf"(?P<month>{_either(_MONTHS)})\.?"
_YEAR = r"(?P<year>(?:19|20|21)[0-9]{2})"
# Not "5%" or "5.5": in "by 1 July 5%" the 5 is the probability, not 5 July.
_DAY = r"(?:the\s+)?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?(?!\s*%|\.[0-9])"
_COUNT = rf"(?:[0-9]{{1,4}}|{_either(NUMBER_WORDS)})"
# What may come before a phrase. "before" moves the deadline to the day before the period
# starts; "the end of" says what a bare period already means, so it never moves it.
_LEAD = (
    rf"(?:(?P<lead>(?P<before>before)|{_either(set(LEAD_WORDS) - {'before'})})\s+)?"
    r"(?P<end_of>(?:at\s+)?(?:the\s+)?end\s+of\s+)?"
)

Period = tuple[date, date]  # first and last day

# The resolve-by words offered as one-press buttons on the capture line and the full form.
QUICK_DATES = ("tomorrow", "end of week", "end of month", "end of quarter", "end of year")


@dataclass(frozen=True)
class DeadlineReading:
    day: date  # the resolve-by date in the owner's calendar
    start: int  # the phrase is text[start:end]; it stays in the claim
    end: int
    phrase: str
    description: str  # "Sun 6 Dec 2026"


def describe_day(day: date) -> str:
    """The day as previews show it, "Sun 6 Dec 2026", in English whatever the locale."""
    return f"{WEEKDAY_ABBR[day.weekday()]} {day.day} {MONTH_ABBR[day.month - 1]} {day.year}"


def _last_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's end: 31 Jan plus one
    month is 28 Feb, or 29 Feb in a leap year."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _ahead(periods: Iterator[Period], today: date, before: bool) -> Period | None:
    """The first period still ahead: ending on or after today ("by"), or starting after
    today ("before"), so a phrase without a year never lands in the past."""
    for start, end in periods:
        if (start > today) if before else (end >= today):
            return start, end
    return None


def _yearly(make: Callable[[int], Period], today: date) -> Iterator[Period]:
    # Nine years reach the next 29 February even across 2100, which is no leap year.
    for year in range(today.year, today.year + 9):
        try:
            yield make(year)
        except ValueError:  # 29 February in a common year, 31 June
            continue


def _month_period(year: int, month: int) -> Period:
    return date(year, month, 1), _last_of_month(year, month)


def _quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * quarter - 2
    return date(year, first_month, 1), _last_of_month(year, first_month + 2)


def _year(match: re.Match) -> int | None:
    return int(match["year"]) if match["year"] else None


# Each resolver returns the period a phrase names, or None when it names no real day.
def _resolve_word(match: re.Match, today: date, before: bool) -> Period:
    day = today + timedelta(days=1 if match["word"].lower() == "tomorrow" else 0)
    return day, day


def _resolve_weekday(match: re.Match, today: date, before: bool) -> Period | None:
    weekday = _WEEKDAYS[match["weekday"].lower()]
    days = (today + timedelta(days=offset) for offset in range(8))
    return _ahead(((d, d) for d in days if d.weekday() == weekday), today, before)


def _resolve_day_month(match: re.Match, today: date, before: bool) -> Period | None:
    month, day, year = _MONTHS[match["month"].lower()], int(match["day"]), _year(match)
    if year is not None:
        when = date(year, month, day)
        return when, when
    return _ahead(_yearly(lambda y: (date(y, month, day),) * 2, today), today, before)


def _resolve_month(match: re.Match, today: date, before: bool) -> Period | None:
    month, year = _MONTHS[match["month"].lower()], _year(match)
    if year is not None:
        return _month_period(year, month)
    return _ahead(_yearly(lambda y: _month_period(y, month), today), today, before)


def _resolve_quarter(match: re.Match, today: date, before: bool) -> Period | None:
    quarter, year = int(match["quarter"]), _year(match)
    if year is not None:
        return _quarter_period(year, quarter)
    return _ahead(_yearly(lambda y: _quarter_period(y, quarter), today), today, before)


def _resolve_year(match: re.Match, today: date, before: bool) -> Period:
    year = int(match["year"])
    return date(year, 1, 1), date(year, 12, 31)


def _resolve_iso(match: re.Match, today: date, before: bool) -> Period:
    when = date.fromisoformat(match["iso"])
    return when, when


def _resolve_unit(match: re.Match, today: date, before: bool) -> Period:
    """This or next week (ISO, Monday to Sunday), month, quarter or year."""
    unit, later = match["unit"].lower(), int("next" in (match["which"] or "").lower())
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=later)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = add_months(today.replace(day=1), later)
        return _month_period(first.year, first.month)
    if unit == "quarter":
        index = today.year * 4 + (today.month - 1) // 3 + later  # quarters since year 0
        return _quarter_period(index // 4, index % 4 + 1)
    return date(today.year + later, 1, 1), date(today.year + later, 12, 31)


def _resolve_relative(match: re.Match, today: date, before: bool) -> Period:
    """ "in 3 days", "within a week", "in the next two months": counted from today."""
    count_text = (match["count"] or "1").lower()
    count = NUMBER_WORDS.get(count_text) or int(count_text)
    unit = match["unit"].lower().removesuffix("s")
    if unit in ("month", "year"):
        day = add_months(today, count * (12 if unit == "year" else 1))
    else:
        day = today + timedelta(days=count * {"day": 1, "week": 7, "fortnight": 14}[unit])
    return day, day


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    resolve: Callable[[re.Match, date, bool], Period | None]
    # Whether the phrase may stand without "by", "in", "end of", … (in a claim; a whole
    # field value may always). "Friday", "March", "Q1" and "2027" alone are too often
    # something else: "Black Friday", "a protest march", "Q1 earnings", "2027 people".
    stands_alone: Callable[[re.Match], bool] = lambda match: True
    # Whether the match is a phrase at all: "the week" only after "end of".
    valid: Callable[[re.Match], bool] = lambda match: True
    leads: bool = True  # takes _LEAD in front


def _rule(core: str, resolve, *, leads: bool = True, **checks) -> _Rule:
    text = rf"(?<!\w){_LEAD if leads else ''}{core}(?!\w)"
    return _Rule(re.compile(text, re.IGNORECASE), resolve, leads=leads, **checks)


def _has_year(match: re.Match) -> bool:
    return match["year"] is not None


_RULES = (
    _rule(rf"(?P<word>{_either(DAY_WORDS)})", _resolve_word),
    _rule(
        rf"(?:(?P<this>{_either(THIS_WEEKDAY)})\s+)?{_WEEKDAY}",
        _resolve_weekday,
        stands_alone=lambda match: match["this"] is not None,
        valid=lambda match: (match["lead"] or "").lower() not in NOT_BEFORE_WEEKDAY,
    ),
    _rule(rf"{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?", _resolve_day_month),
    # Not after a day number: "1 July 5" is 1 July (and a probability), not 5 July.
    _rule(
        rf"(?<![0-9]\s)(?<![0-9](?:st|nd|rd|th)\s){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?",
        _resolve_day_month,
    ),
    _rule(rf"{_MONTH}(?:,?\s+{_YEAR})?", _resolve_month, stands_alone=_has_year),
    _rule(rf"q(?P<quarter>[1-4])(?:\s+{_YEAR})?", _resolve_quarter, stands_alone=_has_year),
    _rule(rf"{_YEAR}(?!-[0-9])", _resolve_year, stands_alone=lambda match: False),
    _rule(r"(?P<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})", _resolve_iso),
    _rule(
        rf"(?:(?P<which>(?:the\s+)?(?:{_either(WHICH_PERIOD)})|the)\s+)?"
        rf"(?P<unit>{_either(PERIOD_UNITS)})",
        _resolve_unit,
        # "the week", "the next week" only after "end of": "in the next week" is counted.
        valid=lambda match: (
            bool(match["end_of"]) or not (match["which"] or "the").lower().startswith("the")
        ),
    ),
    _rule(
        # "over" only as "over the next …": "lasting over 3 days" is no deadline.
        rf"(?:{_either(RELATIVE_LEADS)}|over(?=\s+the\s+(?:{_either(NEXT_WORDS)})\s))\s+"
        rf"(?P<next>the\s+(?:{_either(NEXT_WORDS)})\s+)?"
        rf"(?:(?P<count>{_COUNT})\s+)?(?P<unit>(?:{_either(RELATIVE_UNITS)})s?)",
        _resolve_relative,
        leads=False,
        # "in weeks" is no deadline; "in the next week" is.
        valid=lambda match: bool(match["count"] or match["next"]),
    ),
)


def _deadline(rule: _Rule, match: re.Match, today: date) -> date | None:
    """The day a rule's match means, or None when it names no real day."""
    if not rule.valid(match):
        return None
    before = rule.leads and bool(match["before"]) and not match["end_of"]
    try:
        period = rule.resolve(match, today, before)
    except (ValueError, OverflowError):  # "31 June", "2027-02-30", "in 9999 years"
        return None
    if period is None:
        return None
    start, end = period
    return start - timedelta(days=1) if before else end


def _is_led(rule: _Rule, match: re.Match) -> bool:
    return not rule.leads or bool(match["lead"] or match["end_of"])


def _matches(rule: _Rule, text: str) -> Iterator[re.Match]:
    """Every match, overlapping ones too: one refused ("2027" alone) may hide another."""
    position = 0
    while (match := rule.pattern.search(text, position)) is not None:
        yield match
        position = match.start() + 1


def read_deadline(text: str, today: date) -> DeadlineReading | None:
    """The resolve-by phrase in a claim and the day it means, or None.

    When several phrases match, the one nearest the end of the claim wins (then the
    longest: "by the end of March 2027" over "March 2027").
    """
    best: tuple[tuple[int, int], DeadlineReading] | None = None
    for rule in _RULES:
        for match in _matches(rule, text):
            if not (rule.stands_alone(match) or _is_led(rule, match)):
                continue
            day = _deadline(rule, match, today)
            if day is None:
                continue
            rank = (match.end(), match.end() - match.start())
            if best is None or rank > best[0]:
                reading = DeadlineReading(
                    day, match.start(), match.end(), match[0], describe_day(day)
                )
                best = (rank, reading)
    return best[1] if best else None


def read_date(text: str, today: date) -> date:
    """A whole resolve-by field value: an ISO date or any phrase read_deadline knows.

    Raises ValueError with a message saying what to type.
    """
    value = " ".join(str(text or "").split()).rstrip("?.! ")
    if not value:
        raise ValueError(MSG_EMPTY)
    for rule in _RULES:
        match = rule.pattern.fullmatch(value)
        if match is None or not rule.valid(match):
            continue
        day = _deadline(rule, match, today)
        if day is None:
            raise ValueError(f"“{value}” is not a day in the calendar: check the day of the month.")
        return day
    raise ValueError(MSG_UNREADABLE)
