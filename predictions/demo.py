"""The demo account: a forecaster's realistic, deterministic year of predictions.

`load_demo()` writes everything through the prediction services, so the demo obeys
the same rules as real data. It is idempotent: every prediction carries the import key
"demo:<slug>" and a prediction whose key exists is left alone, so running it twice adds
nothing. `reset=True` deletes the demo user's predictions and tags first (only that
user's), which re-dates the history relative to today.

Dates are relative to `now` so the history always spans the past year; the random
choices (times of day, horizons, outcomes) come from `random.Random` seeded per claim,
so the same claim always gets the same draws whatever else the list contains.
"""

import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from predictions.models import Prediction, Tag
from predictions.services import (
    forecast_create,
    prediction_create,
    prediction_reopen,
    prediction_resolve,
    prediction_update,
    profile_for,
    tags_for_names,
)
from predictions.signals import demo_prediction_created

USERNAME = "demo"
PASSWORD = "falsifiable-demo"
DISPLAY_NAME = "Demo Forecaster"
TIME_ZONE = "Europe/Berlin"
LOGIN_URL = "http://127.0.0.1:8000/"
SEED = "falsifiable-demo"
KEY_PREFIX = "demo:"

BERLIN = zoneinfo.ZoneInfo(TIME_ZONE)

# How the demo forecaster's stated probabilities map to how often things happen: decent
# in the middle, a bit overconfident at the extremes (their 98% comes true ~86%).
OVERCONFIDENCE = Decimal("0.75")


@dataclass(frozen=True)
class Claim:
    """One hand-written prediction.

    `p` is the first forecast in percent; `updates` are later forecasts as
    (percent, rationale), so the final forecast is the last update (or `p`). `{by}` in
    the question is replaced by the resolve-by date. `days` fixes the horizon (created
    to resolve-by); otherwise it is drawn.
    """

    slug: str
    question: str
    p: str
    tags: tuple[str, ...]
    criteria: str = ""
    notes: str = ""
    updates: tuple[tuple[str, str], ...] = ()
    days: int | None = None
    at_deadline: bool = False  # a YES is only known on the resolve-by date itself

    @property
    def final(self) -> Decimal:
        return percent(self.updates[-1][0] if self.updates else self.p)


def percent(text: str) -> Decimal:
    return (Decimal(text) / 100).quantize(Decimal("0.001"))


# --- The worked example of DESIGN §1 --------------------------------------------------

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

# Where a first forecast's number is a phrase's usual reading, the forecaster said it in
# words, so the dashboard's "your words, calibrated" has something to show.
WORDS = {
    "2": "almost no chance",
    "5": "remote chance",
    "10": "little chance",
    "20": "unlikely",
    "30": "probably not",
    "40": "might happen",
    "50": "about even",
    "60": "better than even",
    "75": "likely",
    "80": "very good chance",
    "90": "highly likely",
    "95": "almost certain",
}

# --- Resolved predictions, by final-forecast bucket ------------------------------------

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

# Special histories, keyed by slug.
WORKED_OPTIONS_SLUG = "gpt-4-next-week-why"
WORKED_OPTIONS = [  # the forecaster's reading of the Heise report, as exclusive options
    ("He misspoke", "75"),
    ("He leaked the date early", "20"),
    ("It is the real announcement", "5"),
]
# (slug, event, created days ago, days to the 10/50/90% dates, days until it happened)
RELEASES = [
    ("cpython-feature", "The next CPython feature release is out", 330, (150, 170, 200), 161),
    ("firefox-esr-next", "The next Firefox ESR is released", 300, (60, 90, 150), 128),
    ("gpt-next-api", "A new flagship GPT model is available in the API", 280, (40, 100, 200), 230),
    ("debian-point", "The next Debian stable point release is out", 120, (20, 35, 60), 31),
    (
        "android-next",
        "The next Android major version ships to Pixel phones",
        90,
        (120, 160, 220),
        None,
    ),
]

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

# --- Open predictions ------------------------------------------------------------------

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


# --- Loading ---------------------------------------------------------------------------


@dataclass
class DemoSummary:
    user: object
    created: int
    skipped: int


def load_demo(*, now: datetime | None = None, reset: bool = False) -> DemoSummary:
    """Creates (or refreshes) the demo user and its history; returns what it did.

    The user's password, display name and time zone are reset on every run; predictions
    already present (by import key) are skipped.
    """
    now = now or timezone.now()
    with transaction.atomic():
        user = _demo_user()
        if reset:
            Prediction.objects.filter(owner=user).delete()
            Tag.objects.filter(owner=user).delete()
        existing = set(
            Prediction.objects.filter(owner=user, import_key__startswith=KEY_PREFIX).values_list(
                "import_key", flat=True
            )
        )
        loader = _Loader(user=user, now=now, existing=existing)
        loader.worked_example()
        loader.resolved()
        loader.open_predictions()
        loader.other_kinds()
    return DemoSummary(user=user, created=len(loader.created), skipped=loader.skipped)


def demo_evidence(slug: str, prediction: Prediction) -> dict:
    """Evidence the other apps attach to a new demo prediction, by role ("resolves")."""
    evidence: dict = {}
    for _, response in demo_prediction_created.send(
        sender=Prediction, slug=slug, prediction=prediction
    ):
        evidence.update(response or {})
    return evidence


def _demo_user():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    profile = profile_for(user)
    profile.display_name = DISPLAY_NAME
    profile.timezone = TIME_ZONE
    profile.full_clean()
    profile.save()
    return user


class _Loader:
    def __init__(self, *, user, now: datetime, existing: set[str]):
        self.user = user
        self.now = now
        self.today = now.astimezone(BERLIN).date()
        self.existing = existing
        self.created: dict[str, Prediction] = {}
        self.skipped = 0

    # The three groups ------------------------------------------------------------------

    def worked_example(self) -> None:
        claim = WORKED_EXAMPLE
        prediction = self._create(
            claim,
            created_at=WORKED_CREATED,
            resolve_by=WORKED_RESOLVE_BY,
            visibility=Prediction.Visibility.LINK,
            phrase="~5%",
        )
        if prediction is None:
            return
        prediction_resolve(
            prediction=prediction,
            outcome="yes",
            known_at=WORKED_KNOWN,
            resolved_at=WORKED_RESOLVED,
            note=WORKED_NOTE,
            evidence=demo_evidence(claim.slug, prediction).get("resolves"),
        )

    def resolved(self) -> None:
        claims = [*RESOLVED, ANNULLED]
        outcomes = draw_outcomes()
        # Spread creation over the past year (360 to 25 days ago) in a shuffled order, so
        # time is not correlated with probability.
        slots = list(range(len(claims)))
        random.Random(SEED).shuffle(slots)
        span = 360 - 25
        for slot, claim in zip(slots, claims, strict=True):
            rng = random.Random(f"{SEED}:{claim.slug}")
            days_ago = 360 - round(slot * span / (len(claims) - 1)) + rng.randint(-3, 3)
            days_ago = min(days_ago, 362)
            created_at = self._local(self.today - timedelta(days=days_ago), rng)
            horizon = claim.days or rng.randint(10, 80)
            horizon = min(horizon, days_ago - 3)
            resolve_by = created_at.astimezone(BERLIN).date() + timedelta(days=horizon)
            public = claim.slug == PUBLIC
            prediction = self._create(
                claim,
                created_at=created_at,
                resolve_by=resolve_by,
                visibility=Prediction.Visibility.PUBLIC if public else None,
            )
            if prediction is None:
                continue
            outcome = outcomes.get(claim.slug, False)
            known_at = self._known_at(
                created_at, resolve_by, outcome=outcome, at_deadline=claim.at_deadline, rng=rng
            )
            self._updates(prediction, claim, created_at, known_at, rng)
            resolved_at = min(known_at + timedelta(hours=rng.randint(1, 72)), self.now)
            if claim is ANNULLED:
                prediction_resolve(
                    prediction=prediction,
                    outcome="annulled",
                    known_at=known_at,
                    resolved_at=resolved_at,
                    note=ANNUL_NOTE,
                )
            elif claim.slug == RE_RESOLVED:
                self._re_resolve(prediction, known_at, resolved_at)
            else:
                prediction_resolve(
                    prediction=prediction,
                    outcome="yes" if outcome else "no",
                    known_at=known_at,
                    resolved_at=resolved_at,
                    note=rng.choice(RESOLUTION_NOTES[outcome]),
                )
            if claim.slug == LATE:
                forecast_create(
                    prediction=prediction,
                    author=self.user,
                    probability=percent("100" if outcome else "0"),
                    rationale=LATE_RATIONALE,
                    created_at=min(known_at + timedelta(hours=rng.randint(2, 30)), self.now),
                    import_key=f"{KEY_PREFIX}late:{claim.slug}",
                )

    def other_kinds(self) -> None:
        """The worked example as three exclusive options, and release-date forecasts."""
        key = f"{KEY_PREFIX}{WORKED_OPTIONS_SLUG}"
        if key in self.existing:
            self.skipped += 1
        else:
            prediction = prediction_create(
                owner=self.user,
                kind=Prediction.Kind.MULTIPLE_CHOICE,
                question="Why did Microsoft Germany say GPT-4 comes “next week”?",
                options=[label for label, _ in WORKED_OPTIONS],
                option_probabilities=[percent(p) for _, p in WORKED_OPTIONS],
                resolve_by=WORKED_RESOLVE_BY,
                resolution_criteria=WORKED_EXAMPLE.criteria,
                tags=tags_for_names(owner=self.user, names=["ai", "tech-releases"]),
                notes=WORKED_EXAMPLE.notes,
                created_at=WORKED_CREATED + timedelta(minutes=2),
                import_key=key,
            )
            prediction_resolve(
                prediction=prediction,
                outcome=prediction.options.get(position=2),
                known_at=WORKED_KNOWN,
                resolved_at=WORKED_RESOLVED,
                note=WORKED_NOTE,
                evidence=demo_evidence(WORKED_OPTIONS_SLUG, prediction).get("resolves"),
            )
            self.created[WORKED_OPTIONS_SLUG] = prediction
        for slug, question, created_days_ago, quantile_days, happened_days in RELEASES:
            key = f"{KEY_PREFIX}{slug}"
            if key in self.existing:
                self.skipped += 1
                continue
            rng = random.Random(f"{SEED}:{slug}")
            created_at = self._local(self.today - timedelta(days=created_days_ago), rng)
            start = created_at.astimezone(BERLIN).date()
            quantiles = {
                percent(level): start + timedelta(days=days)
                for level, days in zip(("10", "50", "90"), quantile_days, strict=True)
            }
            prediction = prediction_create(
                owner=self.user,
                kind=Prediction.Kind.DATE,
                question=question,
                quantiles=quantiles,
                resolve_by=start + timedelta(days=quantile_days[-1] + 14),
                resolution_criteria="The first day it is generally available to the public.",
                tags=tags_for_names(owner=self.user, names=["tech-releases"]),
                created_at=created_at,
                import_key=key,
            )
            if happened_days is not None:
                happened = start + timedelta(days=happened_days)
                known_at = datetime.combine(happened, time(18, 0), tzinfo=BERLIN)
                prediction_resolve(
                    prediction=prediction,
                    outcome=happened,
                    known_at=min(known_at, self.now),
                    resolved_at=min(known_at + timedelta(days=1), self.now),
                    note="Released; see the announcement.",
                )
            self.created[slug] = prediction

    def open_predictions(self) -> None:
        for index, claim in enumerate(OPEN_FUTURE):
            rng = random.Random(f"{SEED}:{claim.slug}")
            days_ago = 3 + index * 7 + rng.randint(0, 4)
            created_at = self._local(self.today - timedelta(days=days_ago), rng)
            horizon = max(claim.days or 60, days_ago + 7)
            resolve_by = created_at.astimezone(BERLIN).date() + timedelta(days=horizon)
            prediction = self._create(claim, created_at=created_at, resolve_by=resolve_by)
            if prediction is None:
                continue
            self._updates(prediction, claim, created_at, self.now, rng)
            if claim.slug == EDITED:
                # Clarifying the criteria after the first forecast is recorded and shown.
                prediction_update(
                    prediction=prediction,
                    question=prediction.question,
                    resolve_by=prediction.resolve_by,
                    resolution_criteria=EDITED_CRITERIA,
                    notes=prediction.notes,
                    tags=prediction.tags.all(),
                )
        for index, claim in enumerate(OPEN_DUE):
            rng = random.Random(f"{SEED}:{claim.slug}")
            overdue = 2 + index * 6 + rng.randint(0, 3)
            horizon = rng.randint(20, 60)
            resolve_by = self.today - timedelta(days=overdue)
            created_at = self._local(resolve_by - timedelta(days=horizon), rng)
            prediction = self._create(claim, created_at=created_at, resolve_by=resolve_by)
            if prediction is None:
                continue
            self._updates(prediction, claim, created_at, self.now, rng)

    # Helpers ---------------------------------------------------------------------------

    def _create(
        self,
        claim: Claim,
        *,
        created_at: datetime,
        resolve_by: date,
        visibility: str | None = None,
        phrase: str = "",
    ) -> Prediction | None:
        key = KEY_PREFIX + claim.slug
        if key in self.existing:
            self.skipped += 1
            return None
        by = f"{resolve_by.day} {resolve_by:%B %Y}"
        prediction = prediction_create(
            owner=self.user,
            question=claim.question.format(by=by),
            resolve_by=resolve_by,
            probability=percent(claim.p),
            phrase=phrase or WORDS.get(claim.p, ""),
            resolution_criteria=claim.criteria.format(by=by),
            tags=tags_for_names(owner=self.user, names=claim.tags),
            notes=claim.notes,
            visibility=visibility or Prediction.Visibility.PRIVATE,
            created_at=created_at,
            import_key=key,
        )
        self.created[claim.slug] = prediction
        return prediction

    def _updates(
        self,
        prediction: Prediction,
        claim: Claim,
        start: datetime,
        end: datetime,
        rng: random.Random,
    ) -> None:
        """Forecast updates spread between the first forecast and `end` (known-at or now)."""
        step = (end - start) / (len(claim.updates) + 1)
        for i, (pct, rationale) in enumerate(claim.updates, start=1):
            jitter = step * rng.uniform(-0.25, 0.25)
            forecast_create(
                prediction=prediction,
                author=self.user,
                probability=percent(pct),
                phrase=f"{pct}%",
                rationale=rationale,
                created_at=start + step * i + jitter,
            )

    def _known_at(
        self,
        created_at: datetime,
        resolve_by: date,
        *,
        outcome: bool,
        at_deadline: bool,
        rng: random.Random,
    ) -> datetime:
        """When the outcome became knowable: any time for a YES, on the deadline for a NO."""
        deadline = datetime.combine(resolve_by, time(20, 0), tzinfo=BERLIN)
        if outcome and not at_deadline:
            known = created_at + (deadline - created_at) * rng.uniform(0.4, 1.0)
        else:
            known = deadline + timedelta(hours=rng.randint(0, 14))
        return min(known, self.now - timedelta(hours=1))

    def _re_resolve(self, prediction: Prediction, known_at: datetime, resolved_at: datetime):
        """Resolved YES from a misleading headline, reopened, then resolved NO.

        prediction_reopen has no backdating, so the undo and the final resolution are
        recorded at the time the demo is loaded (after the first resolution, as they
        should be).
        """
        prediction_resolve(
            prediction=prediction,
            outcome="yes",
            known_at=known_at,
            resolved_at=resolved_at,
            note=RE_RESOLVE_FIRST_NOTE,
        )
        prediction_reopen(prediction=prediction, note=RE_RESOLVE_UNDO_NOTE)
        prediction_resolve(
            prediction=prediction, outcome="no", known_at=known_at, note=RE_RESOLVE_FINAL_NOTE
        )

    @staticmethod
    def _local(day: date, rng: random.Random) -> datetime:
        """A plausible waking-hours moment on `day` in the demo user's time zone."""
        return datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=BERLIN)


def bucket_of(probability: Decimal) -> int:
    """The calibration bucket (0, 10, ..., 100) a probability falls in (DESIGN §4)."""
    return min(100, int((probability * 100 + 5) // 10) * 10)


def draw_outcomes() -> dict[str, bool]:
    """Outcomes of the resolved claims, slug -> came true.

    Stratified so the small sample still tells a realistic story: in each bucket the
    number of YES outcomes is the expected count under the shrunk probabilities
    (rounded), and which claims those are is drawn at random. Fixed outcomes count
    towards their bucket.
    """
    buckets: dict[int, list[Claim]] = {}
    for claim in RESOLVED:
        buckets.setdefault(bucket_of(claim.final), []).append(claim)
    outcomes: dict[str, bool] = {}
    for claims in buckets.values():
        expected = sum(_true_chance(claim.final) for claim in claims)
        fixed = [claim for claim in claims if claim.slug in FIXED_OUTCOMES]
        hits = round(expected) - sum(FIXED_OUTCOMES[claim.slug] for claim in fixed)
        free = sorted(
            (claim for claim in claims if claim.slug not in FIXED_OUTCOMES),
            key=lambda claim: random.Random(f"{SEED}:outcome:{claim.slug}").random(),
        )
        for claim in fixed:
            outcomes[claim.slug] = FIXED_OUTCOMES[claim.slug]
        for rank, claim in enumerate(free):
            outcomes[claim.slug] = rank < hits
    return outcomes


def _true_chance(final: Decimal) -> Decimal:
    """How often the demo forecaster's claims at `final` come true: shrunk towards 50%."""
    return Decimal("0.5") + (final - Decimal("0.5")) * OVERCONFIDENCE
