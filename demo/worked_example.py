"""The worked example of docs/design.md §1: GPT-4 "next week", forecast at 5% and falsified.

It appears twice: as a yes/no prediction shared by link, and as three exclusive options
for why Microsoft Germany said it. Both cite the evidence in demo.evidence.
"""

from datetime import date, datetime

from demo.account import BERLIN
from demo.claims import Claim

WORKED_EXAMPLE = Claim(
    slug="gpt-4-this-week",
    question="GPT-4 will be announced this week",
    p="5",
    tags=("ai", "tech-releases"),
    criteria=(
        "YES if OpenAI officially announces GPT-4 (blog post, press release or launch "
        "event) by the end of Sunday 19 March 2023. Rumours, leaks and third-party "
        "statements do not count."
    ),
    notes=(
        "Heise online reports that Andreas Braun, CTO of Microsoft Germany, said at an "
        'event on 9 March 2023 that GPT-4 would be introduced "next week", with '
        "multimodal models. My read: very probably he misspoke (or was paraphrased "
        "loosely); less likely he leaked a real launch date; a tiny chance this really "
        "is the announcement. Around 5%."
    ),
)
WORKED_CREATED = datetime(2023, 3, 13, 8, 40, tzinfo=BERLIN)  # Monday
WORKED_RESOLVE_BY = date(2023, 3, 19)  # Sunday
WORKED_KNOWN = datetime(2023, 3, 14, 18, 0, tzinfo=BERLIN)  # OpenAI's announcement
WORKED_RESOLVED = datetime(2023, 3, 17, 19, 15, tzinfo=BERLIN)  # Friday
WORKED_NOTE = (
    "OpenAI announced GPT-4 on 14 March 2023. Braun was right and I was falsified: "
    "a 5% call that happened."
)

WORKED_OPTIONS_SLUG = "gpt-4-next-week-why"
WORKED_OPTIONS = [  # the forecaster's reading of the Heise report, as exclusive options
    ("He misspoke", "75"),
    ("He leaked the date early", "20"),
    ("It is the real announcement", "5"),
]
WORKED_OPTIONS_QUESTION = "Why did Microsoft Germany say GPT-4 comes “next week”?"
WORKED_OPTIONS_OUTCOME = 2  # position of "It is the real announcement"
