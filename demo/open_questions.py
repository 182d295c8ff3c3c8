"""Open demo predictions: some with resolve-by dates ahead, some already due."""

from collections.abc import Sequence

from demo.claims import Claim

OPEN_FUTURE: Sequence[Claim] = (
    Claim(
        "cpython-on-schedule",
        "The next CPython feature release ships on the date in its release-schedule PEP",
        "85",
        ("tech-releases",),
        days=150,
    ),
    Claim(
        "open-model-tops-arena-2",
        "An open-weights model is number one on the Chatbot Arena text leaderboard by {by}",
        "15",
        ("ai",),
        days=120,
    ),
    Claim(
        "thesis-chapter",
        "I finish the first draft of my thesis chapter by {by}",
        "70",
        ("personal", "work"),
        updates=(("55", "Lost two weeks to the grant report."),),
        days=60,
    ),
    Claim(
        "ecb-cuts-again",
        "The ECB cuts rates at least once more before {by}",
        "60",
        ("economy",),
        days=200,
    ),
    Claim(
        "postgres-migration",
        "Our team migrates the main database to PostgreSQL 17 by {by}",
        "65",
        ("work", "tech-releases"),
        criteria="Production traffic served from PostgreSQL 17.",
        days=45,
    ),
    Claim(
        "state-turnout-60",
        "Turnout in the state election is above 60%",
        "70",
        ("politics",),
        days=100,
    ),
    Claim(
        "facial-feedback-replication",
        "The multi-lab replication of the facial-feedback effect reports a positive result",
        "35",
        ("science",),
        days=180,
    ),
    Claim(
        "half-marathon-sub-2",
        "I run a half marathon in under two hours by {by}",
        "45",
        ("sports", "personal"),
        updates=(("50", "Long runs are getting easier; 1:05 for 12 km."),),
        days=90,
    ),
)
EDITED = "postgres-migration"
EDITED_CRITERIA = (
    "Production traffic served from PostgreSQL 17 for a full day, with the old "
    "cluster switched to read-only."
)

OPEN_DUE: Sequence[Claim] = (
    Claim("bike-repair", "The bike shop returns my bike by {by}", "80", ("personal",)),
    Claim(
        "quarterly-report",
        "The quarterly report is published before {by}",
        "90",
        ("work",),
    ),
    Claim(
        "gpt-for-everyone",
        "A new GPT model is released to all ChatGPT users before {by}",
        "50",
        ("ai",),
    ),
    Claim(
        "stadium-referendum",
        "The referendum on the new stadium passes",
        "40",
        ("politics",),
    ),
)
