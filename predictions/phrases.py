"""The phrase table: what people usually mean by "likely", "remote chance", "about even", ….

Pure data and lookups (no Django), read by predictions.probability. Three sources, in
order of precedence (see tests/data/README.md):

- CAPphrase (Kucharski 2026, about 5,100 respondents, CC BY): crowd medians, the primary
  table.
- Sherman Kent (1964), "Words of Estimative Probability": phrases CAPphrase lacks.
- perceptions_probly.csv (zonination/perceptions, 46 respondents, MIT): medians for the
  phrases in neither survey, and the spread (quartiles) of the 17 phrases it asked about.

Synonyms are phrases no survey asked about; each borrows the reading of one survey phrase,
named next to it with the reason.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

# Phrases whose middle half of readers spans at least this many percentage points are
# flagged: one reader's "improbable" is another's "one in three".
WIDE_SPREAD = Decimal(20)

# (typical reading in percent, source). Keys are normalised (see normalise_phrase).
SURVEY_PHRASES: dict[str, tuple[int, str]] = {
    "almost no chance": (2, "CAPphrase"),
    "remote chance": (5, "CAPphrase"),
    "highly unlikely": (5, "CAPphrase"),
    "little chance": (10, "CAPphrase"),
    "chances are slight": (10, "CAPphrase"),
    "improbable": (10, "CAPphrase"),
    "unlikely": (20, "CAPphrase"),
    "might happen": (40, "CAPphrase"),
    "could happen": (40, "CAPphrase"),
    "about even": (50, "CAPphrase"),
    "realistic possibility": (60, "CAPphrase"),
    "better than even": (60, "CAPphrase"),
    "probable": (75, "CAPphrase"),
    "likely": (75, "CAPphrase"),
    "very good chance": (80, "CAPphrase"),
    "highly likely": (90, "CAPphrase"),
    "almost certain": (95, "CAPphrase"),
    "will happen": (100, "CAPphrase"),
    "almost certainly not": (7, "Kent 1964"),
    "probably not": (30, "Kent 1964"),
    "chances about even": (50, "Kent 1964"),
    "we doubt": (25, "perceptions survey median"),
    "we believe": (70, "perceptions survey median"),
    "probably": (75, "perceptions survey median"),
}

# synonym -> the survey phrase whose reading it takes.
SYNONYMS: dict[str, str] = {
    # The perceptions survey's "Almost Certainly" has median 95 too.
    "almost certainly": "almost certain",
    "nearly certain": "almost certain",
    # "Tiny" is weaker than "little" (10) and not as absolute as "almost no" (2): the
    # survey phrase that says the same, a small but real chance, is "remote chance" (5).
    "tiny chance": "remote chance",
    "slim chance": "chances are slight",
    "slight chance": "chances are slight",
    "small chance": "little chance",
    # "Very" intensifies like "highly": the survey asked "highly likely"/"highly unlikely".
    "very likely": "highly likely",
    "very probable": "highly likely",
    "highly probable": "highly likely",
    "very unlikely": "highly unlikely",
    "very improbable": "highly unlikely",
    # CAPphrase asked "may happen" beside "might happen" and "could happen"; the median
    # we have is the one shared by the latter two.
    "may happen": "might happen",
    "even chance": "about even",
    "even odds": "about even",
    "fifty fifty": "about even",
    "50 50": "about even",  # "50-50", "50/50"
    "toss up": "about even",
    # A fair coin is the picture of one chance in two.
    "coin flip": "about even",
    "a coin flip": "about even",
    "coin toss": "about even",
    "a coin toss": "about even",
}

# Words people type that are in no table, with the table phrases that mean about the same
# (suggested instead of the phrases spelt alike: "possible" is not "probable").
MEANING_HINTS: dict[str, tuple[str, ...]] = {
    "possible": ("could happen", "realistic possibility"),
    "possibly": ("could happen", "realistic possibility"),
    "plausible": ("realistic possibility", "could happen"),
    "conceivable": ("could happen", "little chance"),
    "maybe": ("might happen", "about even"),
    "perhaps": ("might happen", "about even"),
    "uncertain": ("about even", "might happen"),
    "doubtful": ("we doubt", "unlikely"),
    "doubt": ("we doubt", "unlikely"),
    "impossible": ("almost no chance",),
    "never": ("almost no chance",),
    "certain": ("almost certain", "will happen"),
    "sure": ("almost certain", "highly likely"),
    "definitely": ("almost certain", "will happen"),
    "expected": ("likely", "probable"),
    "hopeful": ("realistic possibility", "better than even"),
}

# Quartiles (percent) of each phrase in perceptions_probly.csv, numpy.percentile with its
# default linear interpolation over the 46 answers; the test recomputes them from the file.
PERCEPTION_QUARTILES: dict[str, tuple[Decimal, Decimal]] = {
    "almost certainly": (Decimal("90"), Decimal("97.75")),
    "highly likely": (Decimal("84.25"), Decimal("95")),
    "very good chance": (Decimal("75"), Decimal("85")),
    "probable": (Decimal("65"), Decimal("78.75")),
    "likely": (Decimal("65"), Decimal("75")),
    "probably": (Decimal("65"), Decimal("80")),
    "we believe": (Decimal("60"), Decimal("80")),
    "better than even": (Decimal("55"), Decimal("60")),
    "about even": (Decimal("50"), Decimal("50")),
    "we doubt": (Decimal("15"), Decimal("33")),
    "improbable": (Decimal("7"), Decimal("28")),
    "unlikely": (Decimal("10"), Decimal("28.75")),
    "probably not": (Decimal("20"), Decimal("38.75")),
    "little chance": (Decimal("10"), Decimal("20")),
    "almost no chance": (Decimal("1"), Decimal("5")),
    "highly unlikely": (Decimal("5"), Decimal("10")),
    "chances are slight": (Decimal("10"), Decimal("15")),
}

# Wide spread without quartiles we can show: CAPphrase reports "realistic possibility" as
# the phrase its respondents disagreed on most (data README: "wide spread").
WIDE_WITHOUT_QUARTILES = frozenset({"realistic possibility"})


@dataclass(frozen=True)
class Phrase:
    text: str  # normalised key, e.g. "very probable"
    percent: int  # typical reading, 0–100
    source: str  # survey, or "synonym of …"
    quartiles: tuple[Decimal, Decimal] | None  # middle half of readers, percent

    @property
    def probability(self) -> Decimal:
        return (Decimal(self.percent) / 100).quantize(Decimal("0.001"))

    @property
    def wide(self) -> bool:
        if self.text in WIDE_WITHOUT_QUARTILES:
            return True
        return self.quartiles is not None and self.quartiles[1] - self.quartiles[0] >= WIDE_SPREAD

    @property
    def warning(self) -> str:
        """Empty, or a sentence telling the reader this phrase means different things."""
        if not self.wide:
            return ""
        detail = ""
        if self.quartiles is not None:
            low, high = (_trim(q) for q in self.quartiles)
            detail = f" (half of those asked read it as {low}% to {high}%)"
        return f"People read “{self.text}” very differently{detail}: consider a number."


def _trim(number: Decimal) -> str:
    return f"{number.quantize(Decimal('0.1')):f}".removesuffix(".0")


def _build() -> dict[str, Phrase]:
    table = {
        text: Phrase(text, percent, source, PERCEPTION_QUARTILES.get(text))
        for text, (percent, source) in SURVEY_PHRASES.items()
    }
    for synonym, target in SYNONYMS.items():
        base = table[target]
        quartiles = PERCEPTION_QUARTILES.get(synonym, base.quartiles)
        table[synonym] = Phrase(synonym, base.percent, f"synonym of “{target}”", quartiles)
    return table


PHRASES: dict[str, Phrase] = _build()

_NOT_WORD = re.compile(r"[^a-z0-9']+")


def normalise_phrase(text: str) -> str:
    """Lower case, curly apostrophes straightened, punctuation and runs of spaces to one space."""
    text = str(text).lower().replace("’", "'").replace("‘", "'")
    return _NOT_WORD.sub(" ", text).strip(" '")


def lookup_phrase(text: str) -> Phrase | None:
    """The table entry for what was typed ("Very  probable!" finds "very probable"), or None."""
    return PHRASES.get(normalise_phrase(text))
