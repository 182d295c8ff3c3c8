"""Which resolved demo claims came true: a forecaster who is decent in the middle and a
bit overconfident at the extremes."""

import random
from decimal import Decimal

from demo.claims import SEED, Claim
from demo.history import FIXED_OUTCOMES, RESOLVED
from predictions.buckets import bucket_index

# How the demo forecaster's stated probabilities map to how often things happen (their
# 98% comes true ~86%).
OVERCONFIDENCE = Decimal("0.75")


def bucket_of(probability: Decimal) -> int:
    """The calibration bucket (its index, 0 for 0% … 10 for 100%) a probability falls in,
    by the scoring package's edges (predictions/buckets.py)."""
    return bucket_index(int(probability * 1000))


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
