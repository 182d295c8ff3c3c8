"""What a hand-written demo prediction is, and how its numbers and words are read.

Every claim has a slug: the import key "demo:<slug>" makes loading idempotent, and
`rng_for(slug)` seeds its random draws, so the same claim always gets the same draws
whatever else the lists contain.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

SEED = "falsifiable-demo"
KEY_PREFIX = "demo:"


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


def rng_for(slug: str) -> random.Random:
    """The random draws (times of day, horizons) belonging to one claim."""
    return random.Random(f"{SEED}:{slug}")


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
