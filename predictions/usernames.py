"""User names that cannot pass for each other.

A name is compared by its skeleton: NFKC-normalised, case-folded, and each character
replaced by one representative of the characters Unicode lists as confusable with it
(confusable_homoglyphs' copy of the Unicode confusables data), as Unicode's UTS #39
does. "аlice" with a Cyrillic а, "ALICE", "ａｌｉｃｅ" and "alice" pass for each other, so
only the first of them to sign up gets the name.
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
    """One character for all those confusable with `char`, directly or through others
    (the data lists a look-alike against its prototype, and the prototype against all)."""
    seen, todo = {char}, [char]
    while todo:
        for glyph in confusables.confusables_data.get(todo.pop(), ()):
            if len(glyph["c"]) == 1 and glyph["c"] not in seen:
                seen.add(glyph["c"])
                todo.append(glyph["c"])
    return min(seen)


def skeleton(name: str) -> str:
    return "".join(_representative(char) for char in unicodedata.normalize("NFKC", name))


def skeletons(name: str) -> set[str]:
    """The forms two names are compared in; they pass for each other if any is shared.

    Case-folded first, so "ALICE" meets "alice"; and skeleton first, so a capital I
    (confusable with l, a confusion folding would hide) meets an l: "PayPaI", "paypal".
    """
    return {
        skeleton(unicodedata.normalize("NFKC", name).casefold()),
        skeleton(skeleton(name).casefold()),
    }


def check_new_username(name: str) -> None:
    """ValidationError if `name` looks like an existing user's name.

    Every existing name is compared: fine for this site's size; a stored, indexed
    skeleton would be the step beyond.
    """
    target = skeletons(name)
    names = get_user_model().objects.values_list("username", flat=True)
    if any(target & skeletons(existing) for existing in names.iterator()):
        raise ValidationError(MSG_CONFUSABLE, code="confusable")
