"""The resolved year: hand-written yes/no claims grouped by the bucket of their final
forecast, plus the special histories (one annulled, one re-resolved, one late forecast,
one public)."""

from collections.abc import Sequence

from demo.claims import Claim

RESOLVED: Sequence[Claim] = (
    # 0% bucket (below 5%)
    Claim(
        "superconductor-replicated",
        "An independent lab replicates the latest room-temperature superconductor claim by {by}",
        "1",
        ("science",),
        criteria="A replication preprint or paper from a group unconnected to the authors.",
    ),
    Claim(
        "parkrun-sub-20",
        "I run a sub-20-minute 5 km at parkrun by {by}",
        "3",
        ("sports", "personal"),
        criteria="Official parkrun result under 20:00.",
    ),
    Claim(
        "bitcoin-250k",
        "Bitcoin trades above 250,000 USD at any point before {by}",
        "2",
        ("economy",),
        criteria="Any intraday price above 250,000 USD on Coinbase.",
    ),
    Claim(
        "month-without-coffee",
        "I get through the whole month without a single coffee",
        "4",
        ("personal",),
        days=30,
        at_deadline=True,
    ),
    # 10% bucket (5% to 15%)
    Claim(
        "lisbon-flight-cancelled",
        "My flight to Lisbon on {by} is cancelled",
        "5",
        ("personal",),
        days=40,
    ),
    Claim(
        "django-release-slips",
        "The next Django feature release slips more than two weeks past its planned date",
        "8",
        ("tech-releases",),
        criteria="Compared with the date on the Django roadmap when this was made.",
    ),
    Claim(
        "open-model-tops-arena",
        "An open-weights model is number one on the Chatbot Arena text leaderboard by {by}",
        "20",
        ("ai",),
        criteria="Rank 1 (ties count) on the public leaderboard on the resolve-by date.",
        updates=(("10", "The latest closed release widened the gap again."),),
    ),
    Claim(
        "landlord-heating",
        "The landlord fixes the heating before {by} without a second reminder",
        "12",
        ("personal",),
        days=21,
    ),
    Claim(
        "hertha-promoted",
        "Hertha BSC finish in the 2. Bundesliga promotion places this season",
        "10",
        ("sports",),
        criteria="Top two, or third and winning the play-off.",
    ),
    # 20% bucket (15% to 25%)
    Claim(
        "foldable-iphone",
        "Apple announces a foldable iPhone at its autumn event",
        "15",
        ("tech-releases",),
    ),
    Claim(
        "ecb-50bp",
        "The ECB cuts its deposit rate by 50 basis points at its next meeting",
        "18",
        ("economy",),
        criteria="A single 50 bp or larger cut announced at the next scheduled meeting.",
    ),
    Claim(
        "kitchen-renovation",
        "I will finish the kitchen renovation by {by}",
        "60",
        ("personal",),
        criteria="Cabinets, worktop and tiling done, sink connected, no tradespeople due.",
        updates=(
            ("40", "The tiler is booked out for three more weeks."),
            ("20", "Worktop delivery pushed back again; no new date."),
        ),
        days=90,
    ),
    Claim(
        "ego-depletion-replication",
        "The preregistered multi-lab replication of ego depletion finds d > 0.2",
        "22",
        ("science",),
        criteria="Pooled effect size estimate in the published registered report.",
    ),
    # 30% bucket (25% to 35%)
    Claim(
        "budget-before-recess",
        "The coalition agrees on the federal budget before the summer recess",
        "25",
        ("politics",),
    ),
    Claim(
        "billing-system",
        "Our team ships the new billing system to all customers by {by}",
        "50",
        ("work",),
        updates=(
            ("40", "Load tests fail above 200 requests per second."),
            ("30", "Payment provider sandbox still not signed off."),
        ),
        days=75,
    ),
    Claim(
        "db-punctuality",
        "Deutsche Bahn long-distance punctuality is above 65% in the monthly statistics",
        "30",
        ("economy",),
        criteria="The figure DB publishes for the month ending before {by}.",
    ),
    Claim(
        "ten-million-context",
        "A major AI lab releases a model with a 10-million-token context window by {by}",
        "33",
        ("ai",),
        criteria="Generally available via API, not a research preview.",
    ),
    # 40% bucket (35% to 45%)
    Claim(
        "tram-line-on-schedule",
        "The new tram line opens on its announced date",
        "35",
        ("politics",),
    ),
    Claim(
        "twelve-books",
        "I read 12 books this quarter",
        "55",
        ("personal",),
        updates=(("40", "Four books in the first six weeks; behind pace."),),
        days=90,
    ),
    Claim(
        "nvidia-largest",
        "Nvidia is the world's most valuable listed company at the close on {by}",
        "40",
        ("economy",),
        at_deadline=True,
    ),
    # 50% bucket (45% to 55%)
    Claim(
        "reviewed-paper-accepted",
        "The paper I reviewed for the workshop is accepted",
        "45",
        ("science", "work"),
    ),
    Claim(
        "eurusd-1-10",
        "EUR/USD closes above 1.10 on {by}",
        "50",
        ("economy",),
        criteria="ECB reference rate for that day.",
        at_deadline=True,
    ),
    Claim(
        "firefox-vertical-tabs",
        "Firefox ships vertical tabs to all release users by {by}",
        "50",
        ("tech-releases",),
    ),
    # 60% bucket (55% to 65%)
    Claim(
        "turnout-75",
        "Turnout in the general election is above 75%",
        "55",
        ("politics",),
        criteria="Provisional official result on election night.",
        at_deadline=True,
    ),
    Claim(
        "library-1-0",
        "Our open-source library gets its 1.0 release out by {by}",
        "70",
        ("work", "tech-releases"),
        updates=(("60", "Two blocking issues found in the release candidate."),),
    ),
    Claim(
        "bayern-title",
        "Bayern Munich win the Bundesliga this season",
        "62",
        ("sports",),
    ),
    Claim(
        "ai-imo-gold",
        "An AI system achieves a gold-medal score at this year's Mathematical Olympiad",
        "45",
        ("ai", "science"),
        criteria="Score at or above the gold cut-off, graded under contest conditions.",
        updates=(
            ("55", "A lab says its system solved most of last year's problems."),
            ("60", "Two labs confirm they will enter officially."),
        ),
    ),
    # 70% bucket (65% to 75%)
    Claim(
        "fed-holds",
        "The Fed holds rates unchanged at its next meeting",
        "65",
        ("economy",),
    ),
    Claim(
        "gym-three-times",
        "I go to the gym at least three times every week until {by}",
        "70",
        ("personal", "sports"),
        days=30,
        at_deadline=True,
    ),
    Claim(
        "gemini-release",
        "Google releases a new Gemini model version before {by}",
        "70",
        ("ai", "tech-releases"),
    ),
    Claim(
        "bike-lane-hauptstrasse",
        "The city council approves the bike lane on Hauptstraße before the summer break",
        "60",
        ("politics",),
        criteria="A final vote of the full council, not a committee recommendation.",
        updates=(("72", "The transport committee voted for it 9 to 4."),),
    ),
    Claim(
        "app-review-first-try",
        "The new app release passes App Store review on the first submission",
        "70",
        ("work",),
        days=14,
    ),
    # 80% bucket (75% to 85%)
    Claim(
        "openai-frontier-model",
        "OpenAI releases a new frontier model before {by}",
        "75",
        ("ai",),
        criteria="A new flagship model generally available in ChatGPT or the API.",
    ),
    Claim(
        "kubernetes-on-time",
        "The next Kubernetes minor release ships within a week of its planned date",
        "80",
        ("tech-releases",),
    ),
    Claim(
        "tax-return",
        "I submit my tax return before the deadline on {by}",
        "80",
        ("personal",),
    ),
    Claim(
        "real-madrid-quarters",
        "Real Madrid reach the Champions League quarter-finals",
        "82",
        ("sports",),
    ),
    # 90% bucket (85% to 95%)
    Claim(
        "euro-inflation-below-3",
        "Euro-area inflation is below 3% in the next flash estimate",
        "85",
        ("economy",),
        criteria="Eurostat's flash HICP estimate, headline annual rate.",
    ),
    Claim(
        "apple-autumn-event",
        "Apple holds its autumn iPhone event before {by}",
        "90",
        ("tech-releases",),
    ),
    Claim(
        "client-demo-ready",
        "The client demo is ready by {by}",
        "80",
        ("work",),
        updates=(("90", "Backend done, only the dashboard styling left."),),
        days=30,
    ),
    Claim(
        "artemis-slips",
        "The crewed Artemis lunar flyby slips beyond {by}",
        "92",
        ("science",),
    ),
    Claim(
        "linux-ten-weeks",
        "The next Linux kernel release comes out within ten weeks of the previous one",
        "90",
        ("tech-releases",),
    ),
    # 100% bucket (95% and above)
    Claim(
        "rust-six-weeks",
        "The next stable Rust release ships on its six-week schedule",
        "97",
        ("tech-releases",),
    ),
    Claim(
        "chrome-stable",
        "Chrome's next stable release ships within a week of its scheduled date",
        "95",
        ("tech-releases",),
    ),
    Claim(
        "mayor-reelected",
        "The incumbent mayor is re-elected in the first round",
        "90",
        ("politics",),
        updates=(("98", "Final poll has her 30 points ahead of the nearest rival."),),
        at_deadline=True,
    ),
    Claim(
        "laptop-arrives",
        "The new laptop arrives before my trip on {by}",
        "99",
        ("personal",),
        days=10,
    ),
)

ANNULLED = Claim(
    "pycon-talk-accepted",
    "My talk proposal is accepted at the conference",
    "40",
    ("work",),
    criteria="An acceptance e-mail from the programme committee.",
)
ANNUL_NOTE = "The organisers dropped the talk track; no decision was ever made."
RE_RESOLVED = "bike-lane-hauptstrasse"
FIXED_OUTCOMES = {RE_RESOLVED: False}  # its notes tell the story of a NO
RE_RESOLVE_FIRST_NOTE = "Local paper: 'Bike lane approved'."
RE_RESOLVE_UNDO_NOTE = "That headline was about the committee vote, not the full council."
RE_RESOLVE_FINAL_NOTE = "Full council postponed the vote to autumn: not approved before the break."
LATE = "eurusd-1-10"  # gets a forecast after known-at, which never counts
PUBLIC = "mayor-reelected"  # shown to everyone; the worked example is shared by link
LATE_RATIONALE = (
    "Entered after the close (I forgot to save it that morning); it is late, so it never counts."
)

RESOLUTION_NOTES = {
    True: (
        "Happened; confirmed by the official announcement.",
        "Yes, as of the date in the criteria.",
        "Confirmed in the published results.",
    ),
    False: (
        "Did not happen by the deadline.",
        "No; checked the source named in the criteria.",
        "Deadline passed without it.",
    ),
}
