"""User names that cannot pass for each other.

A name is compared by its skeleton: NFKC-normalised, case-folded, and each character
replaced by one representative of the characters Unicode lists as confusable with it
(confusable_homoglyphs' copy of the Unicode confusables data). "аlice" with a Cyrillic
а, "ALICE", "ａｌｉｃｅ" and "alice" share a skeleton, so only the first of them can sign up.
"""

import functools
import unicodedata

from confusable_homoglyphs import confusables
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

MSG_CONFUSABLE = (
    "This user name looks too much like an existing one (letters from another alphabet, "
    "or in another case, can pass for each other). Please choose a different name."
)


@functools.cache
def _representative(char: str) -> str:
    group = [char] + [
        glyph["c"] for glyph in confusables.confusables_data.get(char, ()) if len(glyph["c"]) == 1
    ]
    return min(group)


def skeleton(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(_representative(char) for char in unicodedata.normalize("NFKC", folded))


def check_new_username(name: str) -> None:
    """ValidationError if `name` looks like an existing user's name."""
    target = skeleton(name)
    names = get_user_model().objects.values_list("username", flat=True)
    if any(skeleton(existing) == target for existing in names.iterator()):
        raise ValidationError(MSG_CONFUSABLE, code="confusable")
