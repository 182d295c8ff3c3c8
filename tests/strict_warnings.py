"""Marks that turn every warning of a test into an error (a missing glyph or font, a
numpy RuntimeWarning, a deprecation), except an unraisable one: that is the garbage
collector reporting some earlier test's unclosed SQLite connection, whichever test it
happens to run in."""

import pytest

STRICT_WARNINGS = [
    pytest.mark.filterwarnings("error"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def strict_warnings(test):
    for mark in STRICT_WARNINGS:
        test = mark(test)
    return test
