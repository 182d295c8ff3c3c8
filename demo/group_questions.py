"""The demo group's questions: who asks, what each member says, and how it ends.

Each row: slug, owner ("ada" or "ben"), the question, days ago it was asked, days until
it resolves (negative: resolved that many days ago), the outcome (True/False, None while
open), whether the others' forecasts are hidden until one forecasts, and each member's
forecasts as percentages in order ("demo" absent: the demo user has not forecast yet).
"""

from typing import NamedTuple


class GroupQuestion(NamedTuple):
    slug: str
    owner: str
    question: str
    asked_days_ago: int
    resolves_in_days: int  # negative: resolved that many days ago
    outcome: bool | None
    hidden: bool
    forecasts: dict[str, tuple[str, ...]]


GROUP_NAME = "Friday forecasters"
GROUP_DESCRIPTION = (
    "Three friends forecasting on work, the city and the news. "
    "Forecasts stay hidden on most questions until you commit your own."
)

QUESTIONS: tuple[GroupQuestion, ...] = (
    # Resolved: at least five, so the leaderboard ranks and relative Brier has numbers.
    GroupQuestion(
        "tram-line-opens",
        "ada",
        "The new M10 tram extension opens to passengers on schedule",
        80,
        -20,
        False,
        True,
        {"ada": ("40", "25"), "ben": ("60",), "demo": ("35", "20")},
    ),
    GroupQuestion(
        "office-move",
        "ben",
        "Our team moves into the new office before the end of the quarter",
        75,
        -30,
        True,
        False,
        {"ben": ("70", "85"), "ada": ("55",), "demo": ("65", "80")},
    ),
    GroupQuestion(
        "heatwave-record",
        "ada",
        "Berlin records a day above 38 °C this summer",
        90,
        -40,
        False,
        True,
        {"ada": ("20",), "ben": ("45", "30"), "demo": ("15",)},
    ),
    GroupQuestion(
        "bookclub-finishes",
        "ben",
        "The book club finishes ‘Middlemarch’ by the agreed date",
        60,
        -12,
        False,
        False,
        {"ben": ("50",), "ada": ("30", "20"), "demo": ("45", "30")},
    ),
    GroupQuestion(
        "strike-averted",
        "ada",
        "The rail strike announced for next month is called off",
        50,
        -8,
        True,
        True,
        {"ada": ("55", "70"), "ben": ("35",), "demo": ("60",)},
    ),
    GroupQuestion(
        "release-on-time",
        "ben",
        "Version 2.0 of our app ships on the announced day",
        45,
        -5,
        True,
        True,
        {"ben": ("65",), "ada": ("50", "60"), "demo": ("70", "75")},
    ),
    # Open: hiding on for most, and two the demo user has not forecast on yet.
    GroupQuestion(
        "election-turnout",
        "ada",
        "Turnout in the state election is above 65%",
        20,
        40,
        None,
        True,
        {"ada": ("60",), "ben": ("70", "65")},
    ),
    GroupQuestion(
        "marathon-finish",
        "ben",
        "Ben finishes the Berlin marathon in under four hours",
        25,
        55,
        None,
        True,
        {"ben": ("55", "60"), "ada": ("40",)},
    ),
    GroupQuestion(
        "rent-cap",
        "ada",
        "The rent cap extension passes the Bundestag before the summer break",
        15,
        70,
        None,
        True,
        {"ada": ("45",), "ben": ("50",), "demo": ("40",)},
    ),
    GroupQuestion(
        "snow-christmas",
        "ben",
        "It snows in Berlin on Christmas Day",
        10,
        25,
        None,
        False,
        {"ben": ("15",), "ada": ("20",), "demo": ("10",)},
    ),
    GroupQuestion(
        "cafe-reopens",
        "ada",
        "The café on the corner reopens under new owners by spring",
        12,
        90,
        None,
        False,
        {"ada": ("65",), "ben": ("50", "55"), "demo": ("70",)},
    ),
    GroupQuestion(
        "hackathon-win",
        "ben",
        "Our team places in the top three at the city hackathon",
        6,
        30,
        None,
        True,
        {"ben": ("35",), "ada": ("30",), "demo": ("25",)},
    ),
)

# (question slug, member, text): a few comments, posted after the forecasts.
COMMENTS: tuple[tuple[str, str, str], ...] = (
    ("tram-line-opens", "ben", "The operator’s newsletter still says ‘on track’. I believe it."),
    ("tram-line-opens", "ada", "Track testing only started last week; I doubt it."),
    ("office-move", "demo", "The landlord confirmed the keys for the 28th."),
    ("election-turnout", "ada", "Early postal votes are up on the last election."),
    ("snow-christmas", "ben", "Only three white Christmases in the last thirty years."),
)
