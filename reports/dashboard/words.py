"""“Your words, calibrated”: how often the final yes/no forecasts the user gave in words
or odds came true, beside what those words usually mean."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from predictions.phrases import lookup_phrase
from predictions.probability import ProbabilityError, parse_probability, phrase_meaning
from reports.scoring.summaries import hit_rates


@dataclass(frozen=True)
class WordRow:
    """One phrase the user typed for final yes/no forecasts: how often those came true
    (Wilson 95% interval) beside what the phrase usually means (None if no reading)."""

    phrase: str
    meaning_pct: float | None
    n: int
    hits: int
    observed_pct: float
    low_pct: float
    high_pct: float

    @property
    def verdict(self) -> str:
        """'more often' or 'less often' than the usual reading when the interval
        excludes it, else ''."""
        if self.meaning_pct is None:
            return ""
        if self.low_pct > self.meaning_pct:
            return "more often"
        if self.high_pct < self.meaning_pct:
            return "less often"
        return ""

    @property
    def sentence(self) -> str:
        times = "time" if self.n == 1 else "times"
        reading = (
            f" (usually read as {self.meaning_pct:.0f}%)" if self.meaning_pct is not None else ""
        )
        said = (
            f"When you said “{self.phrase}”{reading}, it came true {self.hits} of {self.n} "
            f"{times} ({self.observed_pct:.0f}%; 95% CI {self.low_pct:.0f}–{self.high_pct:.0f}%)"
        )
        if self.verdict:
            return f"{said}: {self.verdict} than the phrase usually means."
        return f"{said}."


def _phrase_key(text: str) -> str:
    """What groups typed phrases: the table's phrase ("Very  likely!" and "very likely"
    alike), else the text in lower case with single spaces ("1 in 20")."""
    entry = lookup_phrase(text)
    return entry.text if entry is not None else " ".join(str(text).lower().split())


def _is_words(text: str) -> bool:
    """Whether a stored phrase is words or odds ("likely", "1 in 20", "3:1") rather than
    a number kept as typed ("70%", "~5%"); words no longer in the table still count."""
    if not text:
        return False
    try:
        return bool(parse_probability(text).phrase)
    except ProbabilityError:
        return any(c.isalpha() for c in text)


def word_rows(binary: pd.DataFrame) -> list[WordRow]:
    """One row per phrase of a final yes/no forecast (`final_phrase` of the scored
    yes/no frame), ordered by what the phrase usually means (unknown readings last)."""
    if binary.empty or "final_phrase" not in binary:
        return []
    phrases = binary["final_phrase"].to_numpy(dtype=object)
    if not (phrases != "").any():
        return []
    typed = binary["final_phrase"].astype(str).str.strip()
    words = typed.map({t: _is_words(t) for t in typed.unique()})
    used = binary.loc[words, ["outcome"]].assign(typed=typed[words])
    if used.empty:
        return []
    used["key"] = [_phrase_key(t) for t in used["typed"]]
    first_typed = used.drop_duplicates("key").set_index("key")["typed"]
    rows = []
    for rate in hit_rates(used["key"], used["outcome"]):
        meaning = phrase_meaning(first_typed[rate.key])
        rows.append(
            WordRow(
                phrase=str(rate.key),
                meaning_pct=None if meaning is None else float(meaning) * 100,
                n=rate.n,
                hits=rate.hits,
                observed_pct=100 * rate.hits / rate.n,
                low_pct=100 * rate.low,
                high_pct=100 * rate.high,
            )
        )
    unknown = float("inf")
    return sorted(
        rows, key=lambda w: (unknown if w.meaning_pct is None else w.meaning_pct, w.phrase)
    )
