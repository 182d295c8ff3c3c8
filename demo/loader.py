"""Loading the demo: `load_demo()` writes everything through the predictions and sources
services, so the demo obeys the same rules as real data.

It is idempotent: every prediction carries the import key "demo:<slug>" and a prediction
whose key exists is left alone, so running it twice adds nothing. `reset=True` deletes the
demo user's predictions and tags first (only that user's), which re-dates the history
relative to today.

Dates are relative to `now` so the history always spans the past year; the random choices
(times of day, horizons, outcomes) come from `random.Random` seeded per claim.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from demo.account import BERLIN, demo_user
from demo.claims import KEY_PREFIX, SEED, WORDS, Claim, percent, rng_for
from demo.evidence import attach_worked_example_evidence
from demo.group import load_group
from demo.history import (
    ANNUL_NOTE,
    ANNULLED,
    LATE,
    LATE_RATIONALE,
    PUBLIC,
    RE_RESOLVE_FINAL_NOTE,
    RE_RESOLVE_FIRST_NOTE,
    RE_RESOLVE_UNDO_NOTE,
    RE_RESOLVED,
    RESOLUTION_NOTES,
    RESOLVED,
)
from demo.open_questions import EDITED, EDITED_CRITERIA, OPEN_DUE, OPEN_FUTURE
from demo.outcomes import draw_outcomes
from demo.releases import RELEASES
from demo.worked_example import (
    WORKED_CREATED,
    WORKED_EXAMPLE,
    WORKED_KNOWN,
    WORKED_NOTE,
    WORKED_OPTIONS,
    WORKED_OPTIONS_OUTCOME,
    WORKED_OPTIONS_QUESTION,
    WORKED_OPTIONS_SLUG,
    WORKED_RESOLVE_BY,
    WORKED_RESOLVED,
)
from predictions.models import Prediction, Tag
from predictions.services import (
    forecast_create,
    prediction_create,
    prediction_reopen,
    prediction_resolve,
    prediction_update,
    tags_for_names,
)


@dataclass
class DemoSummary:
    user: object
    created: int
    skipped: int
    group_created: int = 0  # questions of the demo group (owned by the demo friends)


def load_demo(*, now: datetime | None = None, reset: bool = False) -> DemoSummary:
    """Creates (or refreshes) the demo user and its history; returns what it did.

    The user's password, display name and time zone are reset on every run; predictions
    already present (by import key) are skipped. The demo group (demo/group.py) is
    filled in the same way; `reset` leaves it alone, as it belongs to its other members.
    """
    now = now or timezone.now()
    with transaction.atomic():
        user = demo_user()
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
        group_created, _ = load_group(demo=user, now=now)
    return DemoSummary(
        user=user,
        created=len(loader.created),
        skipped=loader.skipped,
        group_created=group_created,
    )


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
            evidence=attach_worked_example_evidence(prediction),
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
            rng = rng_for(claim.slug)
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
                question=WORKED_OPTIONS_QUESTION,
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
                outcome=prediction.options.get(position=WORKED_OPTIONS_OUTCOME),
                known_at=WORKED_KNOWN,
                resolved_at=WORKED_RESOLVED,
                note=WORKED_NOTE,
                evidence=attach_worked_example_evidence(prediction),
            )
            self.created[WORKED_OPTIONS_SLUG] = prediction
        for slug, question, created_days_ago, quantile_days, happened_days in RELEASES:
            key = f"{KEY_PREFIX}{slug}"
            if key in self.existing:
                self.skipped += 1
                continue
            rng = rng_for(slug)
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
            rng = rng_for(claim.slug)
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
            rng = rng_for(claim.slug)
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
