"""Resolve-by dates in words: every phrase of the contract over frozen `today`s, edges included.

`today` is passed explicitly (the owner's local date), so no clock is patched.
"""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from predictions.dates_in_words import (
    MSG_EMPTY,
    MSG_UNREADABLE,
    add_months,
    describe_day,
    read_date,
    read_deadline,
)

TUE = date(2026, 12, 1)  # Tuesday; Sunday of its ISO week is 6 Dec
FRI = date(2026, 12, 4)
SUN = date(2026, 12, 6)  # the last day of its ISO week
MON = date(2026, 12, 7)  # the first day of the next one


# (today, text, expected). The whole text is the phrase unless test_span says otherwise.
CONTRACT = [
    (TUE, "today", date(2026, 12, 1)),
    (TUE, "tomorrow", date(2026, 12, 2)),
    (TUE, "by Friday", date(2026, 12, 4)),
    (FRI, "by Friday", date(2026, 12, 4)),  # today included
    (date(2026, 12, 5), "by Friday", date(2026, 12, 11)),
    (TUE, "on fri", date(2026, 12, 4)),
    (TUE, "this Friday", date(2026, 12, 4)),
    (TUE, "by Tuesday", date(2026, 12, 1)),
    (TUE, "before Friday", date(2026, 12, 3)),
    (FRI, "before Friday", date(2026, 12, 10)),  # the next Friday after today
    (TUE, "this week", date(2026, 12, 6)),
    (TUE, "by the end of the week", date(2026, 12, 6)),
    (TUE, "end of week", date(2026, 12, 6)),
    (SUN, "this week", date(2026, 12, 6)),  # Sunday: this week ends today
    (SUN, "by the end of the week", date(2026, 12, 6)),
    (MON, "this week", date(2026, 12, 13)),  # Monday: a whole new week
    (TUE, "next week", date(2026, 12, 13)),
    (SUN, "next week", date(2026, 12, 13)),
    (MON, "next week", date(2026, 12, 20)),
    (TUE, "end of next week", date(2026, 12, 13)),
    (TUE, "through Friday", date(2026, 12, 4)),
    (date(2026, 12, 30), "next week", date(2027, 1, 10)),  # ISO week 1 of 2027
    (TUE, "before next week", date(2026, 12, 6)),
    (TUE, "this month", date(2026, 12, 31)),
    (TUE, "by the end of the month", date(2026, 12, 31)),
    (date(2027, 2, 10), "this month", date(2027, 2, 28)),
    (date(2028, 2, 10), "by the end of the month", date(2028, 2, 29)),  # leap year
    (TUE, "next month", date(2027, 1, 31)),  # December -> next year
    (date(2027, 1, 31), "next month", date(2027, 2, 28)),
    (date(2028, 1, 31), "next month", date(2028, 2, 29)),
    (TUE, "end of next month", date(2027, 1, 31)),
    (date(2026, 11, 30), "by the end of next month", date(2026, 12, 31)),
    (TUE, "by the end of the next month", date(2027, 1, 31)),
    (TUE, "by the end of the current quarter", date(2026, 12, 31)),
    (TUE, "in 3 days", date(2026, 12, 4)),
    (date(2026, 12, 30), "in 3 days", date(2027, 1, 2)),
    (TUE, "in two weeks", date(2026, 12, 15)),
    (TUE, "within a week", date(2026, 12, 8)),
    (TUE, "in the next week", date(2026, 12, 8)),
    (TUE, "within the next 10 days", date(2026, 12, 11)),
    (TUE, "over the next two weeks", date(2026, 12, 15)),
    (TUE, "in a fortnight", date(2026, 12, 15)),
    (TUE, "in 6 months", date(2027, 6, 1)),
    (date(2026, 8, 31), "in 6 months", date(2027, 2, 28)),  # clamped to the month's end
    (date(2027, 8, 31), "in six months", date(2028, 2, 29)),
    (date(2027, 1, 31), "in 1 month", date(2027, 2, 28)),
    (date(2028, 1, 31), "in a month", date(2028, 2, 29)),
    (date(2028, 2, 29), "in a year", date(2029, 2, 28)),
    (TUE, "in one day", date(2026, 12, 2)),
    (TUE, "in four days", date(2026, 12, 5)),
    (TUE, "in five days", date(2026, 12, 6)),
    (TUE, "in seven days", date(2026, 12, 8)),
    (TUE, "in eight days", date(2026, 12, 9)),
    (TUE, "in nine days", date(2026, 12, 10)),
    (TUE, "in ten days", date(2026, 12, 11)),
    (TUE, "in eleven days", date(2026, 12, 12)),
    (TUE, "in twelve days", date(2026, 12, 13)),
    (TUE, "in three months", date(2027, 3, 1)),
    (TUE, "in twelve months", date(2027, 12, 1)),
    (TUE, "in 2 years", date(2028, 12, 1)),
    (TUE, "by 1 July", date(2027, 7, 1)),
    (date(2027, 7, 1), "by 1 July", date(2027, 7, 1)),  # the next 1 July on or after today
    (date(2027, 7, 2), "by 1 July", date(2028, 7, 1)),
    (date(2027, 6, 30), "by 1 July", date(2027, 7, 1)),
    (TUE, "before 1 July", date(2027, 6, 30)),
    (date(2027, 7, 1), "before 1 July", date(2028, 6, 30)),  # never a day already past
    (TUE, "by July 1", date(2027, 7, 1)),
    (TUE, "July 1", date(2027, 7, 1)),
    (TUE, "by the 1st of July", date(2027, 7, 1)),
    (TUE, "by July 1st", date(2027, 7, 1)),
    (TUE, "1 Jul 2027", date(2027, 7, 1)),
    (TUE, "by Dec 25, 2027", date(2027, 12, 25)),
    (TUE, "on 24 December", date(2026, 12, 24)),
    (date(2026, 3, 1), "by 29 February", date(2028, 2, 29)),  # the next one that exists
    (TUE, "by March 2027", date(2027, 3, 31)),
    (TUE, "in Feb 2028", date(2028, 2, 29)),
    (TUE, "March 2027", date(2027, 3, 31)),
    (TUE, "before March 2027", date(2027, 2, 28)),
    (TUE, "by the end of March", date(2027, 3, 31)),
    (date(2027, 3, 31), "by the end of March", date(2027, 3, 31)),
    (date(2027, 4, 1), "by the end of March", date(2028, 3, 31)),
    (TUE, "by December", date(2026, 12, 31)),
    (TUE, "in May", date(2027, 5, 31)),
    (TUE, "Q1 2027", date(2027, 3, 31)),
    (TUE, "by Q3 2027", date(2027, 9, 30)),
    (TUE, "by the end of Q2 2027", date(2027, 6, 30)),
    (TUE, "before Q2 2027", date(2027, 3, 31)),
    (TUE, "by Q1", date(2027, 3, 31)),
    (TUE, "in Q4", date(2026, 12, 31)),
    (TUE, "by the end of the quarter", date(2026, 12, 31)),
    (date(2027, 3, 31), "by the end of the quarter", date(2027, 3, 31)),  # quarter's last day
    (date(2027, 4, 1), "by the end of the quarter", date(2027, 6, 30)),
    (date(2027, 1, 1), "this quarter", date(2027, 3, 31)),
    (TUE, "next quarter", date(2027, 3, 31)),  # December -> next year
    (date(2027, 8, 15), "end of next quarter", date(2027, 12, 31)),
    (TUE, "this year", date(2026, 12, 31)),
    (TUE, "by the end of the year", date(2026, 12, 31)),
    (date(2026, 12, 31), "this year", date(2026, 12, 31)),  # the year's last day
    (date(2026, 12, 31), "tomorrow", date(2027, 1, 1)),
    (date(2026, 12, 31), "next year", date(2027, 12, 31)),
    (date(2026, 12, 31), "before 1 January", date(2026, 12, 31)),
    (date(2027, 1, 1), "this year", date(2027, 12, 31)),
    (TUE, "by the end of 2027", date(2027, 12, 31)),
    (TUE, "in 2027", date(2027, 12, 31)),
    (TUE, "by 2027", date(2027, 12, 31)),
    (TUE, "during 2027", date(2027, 12, 31)),
    (TUE, "before 2027", date(2026, 12, 31)),
    (TUE, "2027-03-01", date(2027, 3, 1)),
    (TUE, "by 2027-03-01", date(2027, 3, 1)),
    (TUE, "before 2027-03-01", date(2027, 2, 28)),
    # Said with a year, a day already past is read as written; the form warns about it.
    (TUE, "by the end of 2025", date(2025, 12, 31)),
]


@pytest.mark.parametrize(("today", "text", "expected"), CONTRACT)
def test_phrase_reads_as_the_day_a_forecaster_means(today, text, expected):
    reading = read_deadline(text, today)
    assert reading is not None, text
    assert reading.day == expected
    assert (reading.start, reading.end, reading.phrase) == (0, len(text), text)
    assert reading.description == describe_day(expected)


@pytest.mark.parametrize(("today", "text", "expected"), CONTRACT)
def test_the_same_phrase_is_a_whole_resolve_by_value(today, text, expected):
    assert read_date(text, today) == expected
    assert read_date(f"  {text.upper()}? ", today) == expected


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("GPT-4 will be announced this week", "this week"),
        ("GPT-4 announced by Friday?", "by Friday"),
        ("GPT-4 ANNOUNCED BY FRIDAY?", "BY FRIDAY"),
        ("Will the bill pass before 1 July?", "before 1 July"),
        ("Fusion power plant online by the end of March 2030", "by the end of March 2030"),
        ("Launch in 2027 before 1 July", "before 1 July"),  # nearest the end wins
        ("By Friday the vote is called, in 6 months the law passes", "in 6 months"),
        ("Rates cut in Q1 2027 (per the Fed)", "in Q1 2027"),
        ("Ships within\ta  week", "within\ta  week"),
    ],
)
def test_span_is_the_phrase_in_the_claim(text, phrase):
    reading = read_deadline(text, TUE)
    assert reading is not None
    assert text[reading.start : reading.end] == reading.phrase == phrase


@pytest.mark.parametrize(
    "text",
    [
        "GPT-5 is released",
        "",
        "Black Friday sales beat last year",  # a weekday alone is no deadline
        "A protest march draws a million",  # nor a month alone
        "It may rain",
        "Apple's Q1 earnings beat estimates",
        "2027 people sign the petition",
        "They release it next weekend",
        "Announced by next Friday",  # "next Friday" is read two ways: ask instead
        "Out in weeks",
        "Ready by 31 June",  # no such day
        "Version 2027-02-30 ships",
        "Launch in 9999 years",
        "Grows 5% this yearly cycle",
        "A storm lasting over 3 days",  # "over" counts only as "over the next …"
        "Shares in Sun Microsystems rise",  # "in" a weekday is no deadline
    ],
)
def test_no_phrase_is_none(text):
    assert read_deadline(text, TUE) is None


def test_the_owners_local_date_decides_not_utc():
    # 23:30 UTC on Sunday 6 Dec is already Monday 7 Dec in Auckland and still Sunday
    # afternoon in Honolulu: "this week" ends a week apart.
    instant = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    in_auckland = instant.astimezone(ZoneInfo("Pacific/Auckland")).date()
    in_honolulu = instant.astimezone(ZoneInfo("Pacific/Honolulu")).date()
    assert (in_auckland, in_honolulu) == (MON, SUN)
    assert read_deadline("Done this week", in_auckland).day == date(2026, 12, 13)
    assert read_deadline("Done this week", in_honolulu).day == date(2026, 12, 6)
    assert read_deadline("Done tomorrow", in_auckland).day == date(2026, 12, 8)
    assert read_deadline("Done tomorrow", in_honolulu).day == date(2026, 12, 7)
    new_year = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    assert read_date("this year", new_year.astimezone(ZoneInfo("Pacific/Kiritimati")).date()) == (
        date(2027, 12, 31)
    )
    assert read_date("this year", new_year.date()) == date(2026, 12, 31)


def test_description_is_english_weekday_day_month_year():
    assert describe_day(date(2026, 12, 6)) == "Sun 6 Dec 2026"
    assert describe_day(date(2027, 3, 1)) == "Mon 1 Mar 2027"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 11, 30), 14, date(2028, 1, 30)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-01", date(2027, 3, 1)),  # what <input type="date"> sends
        ("Friday", date(2026, 12, 4)),  # alone is fine in a date field
        ("march", date(2027, 3, 31)),
        ("q3", date(2027, 9, 30)),
        ("2027", date(2027, 12, 31)),
        ("end of the month.", date(2026, 12, 31)),
    ],
)
def test_read_date_takes_bare_words_in_a_date_field(text, expected):
    assert read_date(text, TUE) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MSG_EMPTY),
        ("   ", MSG_EMPTY),
        (None, MSG_EMPTY),
        ("1/7/2027", MSG_UNREADABLE),  # day or month first depends on the reader
        ("soon", MSG_UNREADABLE),
        ("by Friday 5%", MSG_UNREADABLE),  # a whole value, not a phrase inside one
        ("the week", MSG_UNREADABLE),
    ],
)
def test_read_date_refuses_what_it_cannot_read(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        read_date(text, TUE)
    assert str(error.value) == message


@pytest.mark.parametrize("text", ["31 June 2027", "2027-02-30", "29 Feb 2027"])
def test_read_date_names_a_day_that_does_not_exist(text):
    with pytest.raises(ValueError, match="not a day in the calendar"):
        read_date(text, TUE)
