"""Reading one capture line into claim, probability, tags and resolve-by date."""

from datetime import date
from decimal import Decimal

import pytest

from predictions.capture import (
    MSG_NO_CLAIM,
    MSG_NO_DATE,
    MSG_NO_PROBABILITY,
    Problem,
    preview_text,
    read_capture,
)
from predictions.probability import MSG_ODDS_IN_ORDER, MSG_OUT_OF_RANGE, MSG_TOO_PRECISE

MONDAY = date(2023, 3, 13)  # the worked example's day
TUESDAY = date(2026, 12, 1)


def problem_fields(reading) -> list[str]:
    return [problem.field for problem in reading.problems]


def test_worked_example():
    reading = read_capture("GPT-4 will be announced this week 5%", MONDAY)
    assert reading.claim == "GPT-4 will be announced this week"
    assert reading.probability.probability == Decimal("0.050")
    assert reading.deadline.day == date(2023, 3, 19)  # Sunday of that ISO week
    assert reading.claim[reading.deadline.start : reading.deadline.end] == "this week"
    assert reading.tags == ()
    assert reading.problems == ()
    assert preview_text(reading) == "Resolves by Sun 19 Mar 2023, end of day, your time · 5%"


def test_preview_of_the_issue_example():
    reading = read_capture("GPT-4 will be announced this week 5% #ai", TUESDAY)
    assert reading.claim == "GPT-4 will be announced this week"
    assert reading.tags == ("ai",)
    assert preview_text(reading) == (
        "Resolves by Sun 6 Dec 2026, end of day, your time · 5% · tags: ai"
    )


def test_question_with_bare_number_and_two_tags():
    reading = read_capture("GPT-4 announced by Friday? 5 #ai #openai", TUESDAY)
    assert reading.claim == "GPT-4 announced by Friday?"
    assert reading.probability.probability == Decimal("0.050")
    assert reading.deadline.day == date(2026, 12, 4)
    assert reading.deadline.phrase == "by Friday"
    assert reading.tags == ("ai", "openai")
    assert reading.problems == ()


@pytest.mark.parametrize(
    ("line", "claim", "probability", "phrase"),
    [
        ("Rain in Paris tomorrow 70%", "Rain in Paris tomorrow", "0.700", ""),
        ("Rain in Paris tomorrow 70", "Rain in Paris tomorrow", "0.700", ""),
        ("Rain in Paris tomorrow 0.5%", "Rain in Paris tomorrow", "0.005", ""),
        ("Rain in Paris tomorrow 70 percent", "Rain in Paris tomorrow", "0.700", ""),
        ("Rain in Paris tomorrow 0.3%", "Rain in Paris tomorrow", "0.003", ""),
        ("Rain in Paris tomorrow 1 in 20", "Rain in Paris tomorrow", "0.050", "1 in 20"),
        ("Rain in Paris tomorrow 3:1 against", "Rain in Paris tomorrow", "0.250", "3:1 against"),
        ("Rain tomorrow a 1 in 20 chance", "Rain tomorrow", "0.050", "a 1 in 20 chance"),
        ("Rain in Paris tomorrow likely", "Rain in Paris tomorrow", "0.750", "likely"),
        ("Rain in Paris tomorrow very likely", "Rain in Paris tomorrow", "0.900", "very likely"),
        ("Rain in Paris tomorrow, likely", "Rain in Paris tomorrow", "0.750", "likely"),
        ("Rain in Paris tomorrow: 70%", "Rain in Paris tomorrow", "0.700", ""),
        ("Rain in Paris tomorrow — 70%", "Rain in Paris tomorrow", "0.700", ""),
        # The date phrase's own number is not the probability.
        ("Released by July 1 5", "Released by July 1", "0.050", ""),
        ("Released by 1 July 5%", "Released by 1 July", "0.050", ""),
        ("Released in 6 months 10", "Released in 6 months", "0.100", ""),
        # A table phrase that ends a plain claim is read only after a separator.
        (
            "The merger closes by 2027: will happen",
            "The merger closes by 2027",
            "1.000",
            "will happen",
        ),
    ],
)
def test_probability_at_the_end(line, claim, probability, phrase):
    reading = read_capture(line, TUESDAY)
    assert reading.claim == claim
    assert reading.probability.probability == Decimal(probability)
    assert reading.probability.phrase == phrase
    assert "probability" not in problem_fields(reading)


@pytest.mark.parametrize(
    "line",
    [
        "The merger will happen by 2027",  # the claim's verb, not 100%
        "Released by July 1",  # the 1 is the date's
        "Bitcoin above 100000 by 2027",  # the date phrase comes after the number
        "The euro falls below parity by the end of the year",
    ],
)
def test_no_probability_keeps_the_whole_claim(line):
    reading = read_capture(line, TUESDAY)
    assert reading.claim == line
    assert reading.probability is None
    assert reading.problems == (Problem("probability", MSG_NO_PROBABILITY),)
    assert preview_text(reading).endswith(" · no probability yet")


@pytest.mark.parametrize(
    ("line", "claim", "message"),
    [
        # Clearly meant as the probability: taken out of the claim with the refusal.
        ("Rain by Friday 150%", "Rain by Friday", MSG_OUT_OF_RANGE),
        ("Rain by Friday 30 in 20", "Rain by Friday", MSG_ODDS_IN_ORDER),
        # Maybe the claim's own number: it stays, and the problem says why it was not read.
        (
            "Rain by Friday 0.05",
            "Rain by Friday 0.05",
            f"“0.05” is not read as a probability. {MSG_TOO_PRECISE} Did you mean 5%?",
        ),
        (
            "Bitcoin above 100000",
            "Bitcoin above 100000",
            f"“100000” is not read as a probability. {MSG_OUT_OF_RANGE}",
        ),
    ],
)
def test_refused_probability_is_a_problem(line, claim, message):
    reading = read_capture(line, TUESDAY)
    assert reading.claim == claim
    assert reading.probability is None
    assert Problem("probability", message) in reading.problems


def test_line_without_date_asks_for_one():
    reading = read_capture("GPT-5 is released 30%", TUESDAY)
    assert reading.claim == "GPT-5 is released"
    assert reading.deadline is None
    assert reading.problems == (Problem("resolve_by", MSG_NO_DATE),)
    assert preview_text(reading) == "No resolve-by date yet · 30%"


def test_line_without_date_or_probability():
    reading = read_capture("GPT-5 is released", TUESDAY)
    assert reading.claim == "GPT-5 is released"
    assert problem_fields(reading) == ["probability", "resolve_by"]
    assert preview_text(reading) == "No resolve-by date yet · no probability yet"


@pytest.mark.parametrize("line", ["", "   ", "#ai #politics", None])
def test_empty_claim(line):
    reading = read_capture(line, TUESDAY)
    assert reading.claim == ""
    assert problem_fields(reading) == ["claim", "probability", "resolve_by"]
    assert reading.problems[0].message == MSG_NO_CLAIM


@pytest.mark.parametrize(
    ("line", "claim", "tags"),
    [
        ("#AI GPT-4 ships #OpenAI this year #ai 5%", "GPT-4 ships this year", ("ai", "openai")),
        ("Rain in #Paris tomorrow? #weather 70%", "Rain in tomorrow?", ("paris", "weather")),
        ("Rain tomorrow #weather? 70%", "Rain tomorrow?", ("weather",)),
        (
            "Rain tomorrow 70% #météo #rain_fall #long-range",
            "Rain tomorrow",
            ("météo", "rain_fall", "long-range"),
        ),
        # Not tags: a language name, a rank, an HTML entity, a path.
        ("C# 13 ships this year #dev 60%", "C# 13 ships this year", ("dev",)),
        ("Ranked #1 this year 60%", "Ranked #1 this year", ()),
        ("Quote&#39;s fate this year 60%", "Quote&#39;s fate this year", ()),
        ("Topic #ai/ml trends this year 60%", "Topic #ai/ml trends this year", ()),
    ],
)
def test_hashtags_become_tags_and_leave_the_claim(line, claim, tags):
    reading = read_capture(line, TUESDAY)
    assert reading.claim == claim
    assert reading.tags == tags


def test_odd_spacing_is_tidied_and_the_span_still_fits():
    reading = read_capture("  GPT-4   will be\tannounced \n this   week   5 %  #ai ", MONDAY)
    assert reading.claim == "GPT-4 will be announced this week"
    assert reading.claim[reading.deadline.start : reading.deadline.end] == "this week"
    assert reading.tags == ("ai",)


def test_script_in_the_text_is_data():
    line = "<script>alert('#x')</script> &lt;b&gt; ships by Friday 5% #ai"
    reading = read_capture(line, TUESDAY)
    assert reading.claim == "<script>alert('#x')</script> &lt;b&gt; ships by Friday"
    assert reading.tags == ("ai",)
    assert reading.deadline.phrase == "by Friday"
    assert reading.probability.probability == Decimal("0.050")


def test_the_date_phrase_nearest_the_end_is_the_deadline():
    reading = read_capture("Launched in 2027, priced before 1 July 40%", TUESDAY)
    assert reading.deadline.phrase == "before 1 July"
    assert reading.deadline.day == date(2027, 6, 30)


def test_preview_names_words_and_odds_with_their_reading():
    reading = read_capture("Rain in Paris tomorrow 1 in 20 #weather #paris", TUESDAY)
    assert preview_text(reading) == (
        "Resolves by Wed 2 Dec 2026, end of day, your time · 5% (1 in 20) · tags: weather, paris"
    )


def test_a_bare_fraction_is_asked_about_not_guessed():
    reading = read_capture("Rain in Paris tomorrow 0.3", TUESDAY)
    assert reading.claim == "Rain in Paris tomorrow"
    assert reading.probability is None
    messages = {problem.field: problem.message for problem in reading.problems}
    assert messages["probability"] == "0.3% — did you mean 30%? Type 0.3% or 30%."
