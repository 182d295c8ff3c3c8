"""The calibration buckets' edges, in integer per-mille, and the ranges of buckets that
the prediction list filters by (`?p=20-80`, or `20%-80%` / `90%` typed in its search).

Pure Python on purpose: `reports.scoring.calibration` counts predictions into these
buckets and the list filters by them, so both import this one definition (the scoring
package imports no Django, see docs/design.md §2). A probability in per-mille `m`
(probabilities are stored at 0.1% resolution) falls in bucket (m + 50) // 100: buckets
are centred on 0%, 10%, …, 100%, include their lower edge and exclude the upper one,
except 100%, [950, 1000], which includes both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

N_BUCKETS = 11
CENTRES = tuple(range(0, 1001, 100))  # per-mille
LOWER = tuple(max(c - 50, 0) for c in CENTRES)
UPPER = tuple(min(c + 50, 1000) for c in CENTRES)


def bucket_index(per_mille: int) -> int:
    """The bucket (0–10) of a probability in integer per-mille (0–1000)."""
    return (per_mille + 50) // 100


@dataclass(frozen=True)
class BucketRange:
    """Buckets `first` to `last` (0–10, both included) as per-mille bounds: forecasts
    m with low <= m < high, or m <= 1000 when the range ends with the 100% bucket."""

    first: int
    last: int

    @property
    def low(self) -> int:
        return LOWER[self.first]

    @property
    def high(self) -> int:
        return UPPER[self.last]

    @property
    def closed(self) -> bool:
        return self.last == N_BUCKETS - 1

    def query(self) -> str:
        """The value of `p` in the list's query string: "90" or "20-80"."""
        first, last = self.first * 10, self.last * 10
        return str(first) if first == last else f"{first}-{last}"

    def label(self) -> str:
        """ "90%" or "20%–80%", as the list says what it shows."""
        first, last = self.first * 10, self.last * 10
        return f"{first}%" if first == last else f"{first}%–{last}%"


_RANGE = re.compile(r"^\s*(\d{1,3})\s*%?\s*(?:[-–]\s*(\d{1,3})\s*%?)?\s*$")


def parse_range(text: str) -> BucketRange | None:
    """ "90", "90%", "20-80" or "20%-80%" as the buckets centred on those percentages
    (multiples of 10 from 0 to 100, the first not above the last); None otherwise."""
    match = _RANGE.match(text or "")
    if not match:
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] is not None else first
    if first % 10 or last % 10 or not first <= last <= 100:
        return None
    return BucketRange(first // 10, last // 10)


def is_range_search(text: str) -> bool:
    """Whether search text is a bucket range written with a percent sign ("90%",
    "20%-80%"): plain numbers stay ordinary word searches."""
    return "%" in (text or "") and parse_range(text) is not None
