"""Hostile input on every form, every URL and the import upload.

Each malformed case starts from a payload its form accepts (test_valid_payloads_are_accepted
proves it) and replaces one field, so the case exercises that field's check. The answer
must be a 2xx re-render showing an error, or a 4xx; never a 500 (the test client re-raises
server errors) and never a changed row in any of the project's tables. Unusual but valid
text (right-to-left, emoji, markup) is not malformed: its own table checks that it is
stored exactly as typed and shown escaped.

Django reads the last of repeated keys, so "a list where a scalar is expected" posts the
valid value first and the hostile one last.
"""

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from predictions import rules, services
from predictions.forms import BoundedDateField
from predictions.models import (
    DateQuantile,
    Forecast,
    Option,
    OptionProbability,
    Prediction,
    PredictionEdit,
    Profile,
    ResolutionEvent,
    Tag,
)
from reports.imports import run_import
from sources.fetch import FetchError
from sources.models import EvidenceLink, Source
from tests.predictions.factories import PASSWORD, ProfileFactory, TagFactory, UserFactory
from tests.sources.factories import EvidenceLinkFactory, SourceFactory

NOW = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
HTMX = {"HX-Request": "true"}
MODELS = [
    get_user_model(),
    Profile,
    Tag,
    Prediction,
    Prediction.tags.through,
    Option,
    Forecast,
    OptionProbability,
    DateQuantile,
    ResolutionEvent,
    PredictionEdit,
    Source,
    EvidenceLink,
]
ERROR_MARKERS = ('class="errorlist', 'role="alert"', "message-error")

# --- Hostile values ------------------------------------------------------------------

MISSING = object()  # the key is left out of the payload
LONG = "x" * 10_001
HUGE = "x" * 1_000_000  # only on two fields: it is slow to re-render
NUL = "abc\x00def"
BAD_DATES = ["2023-02-30", "99999-12-31", "0000-00-00", "yesterday"]
# Real dates, but not ones a forecaster means; scores and charts cannot handle them.
EDGE_DATES = ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"]
MORE_BAD_DATES = ["2026-13-01", "30/02/2026", NUL, LONG, "9" * 400]
BAD_NUMBERS = ["1e309", "9" * 400, "-0", "NaN", "Infinity"]
BAD_PROBABILITIES = [
    *BAD_NUMBERS,
    "-Infinity",
    "101",
    "-0.001",
    "abc",
    "1 in 0",
    "0:0",
    "[70, 30]",
    NUL,
    LONG,
    "",
    ["70", "abc"],
]
BAD_IDS = ["999999999", "abc", "9" * 400, "-1", "1.5", "[1]", NUL]
BAD_DATETIMES = [
    "2023-02-30T10:00",
    "99999-12-31T00:00",
    "0000-00-00T00:00",
    "yesterday",
    "2026-05-14T25:61",
    NUL,
    "9" * 400,
]
BAD_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/file",
    "http://user:secret@example.org/",
    "https://exa mple.org/",
    "http://",
    NUL,
    "https://example.org/" + "x" * 2001,
    "\u202ehttps://example.org/",
]
UNUSUAL_TEXT = [
    "\u202eReversed claim\u202c will happen",  # right-to-left override
    "Will 🚀 launch before 🌕? 👩🏽‍🚀",
    "<script>alert(1)</script> & \"quotes\" 'too'",
    "שלום עולם — مرحبا",
]


REPORTED: set[str] = set()  # known failures awaiting a fix elsewhere; keep it empty


@dataclass(frozen=True)
class Case:
    """One malformed value in one field of one form's otherwise valid payload."""

    form: str
    field: str
    value: Any

    def __str__(self) -> str:
        return f"{self.form}[{self.field}]={_short(self.value)}"


def _short(value: Any) -> str:
    if value is MISSING:
        return "<missing>"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}…({len(text)} chars)"


def _cases(form: str, field_name: str, values: list) -> list[Case]:
    return [Case(form, field_name, value) for value in values]


# "@name" is the primary key of the fixture object `name` (another user's, mostly).
MALFORMED = [
    # Yes/no prediction.
    *_cases("create-binary", "question", ["", "   ", LONG, HUGE, NUL, "x" * 301]),
    *_cases("create-binary", "question", [["Valid claim", LONG], MISSING]),
    *_cases("create-binary", "probability", BAD_PROBABILITIES),
    *_cases("create-binary", "resolve_by", [*BAD_DATES, *MORE_BAD_DATES, "", MISSING]),
    *_cases("create-binary", "resolve_by", [["2026-06-30", "yesterday"], *EDGE_DATES]),
    *_cases("create-binary", "resolution_criteria", [LONG, NUL]),
    *_cases("create-binary", "notes", [LONG, NUL]),
    *_cases("create-binary", "visibility", ["everyone", "", NUL, ["private", "bogus"], MISSING]),
    *_cases("create-binary", "tags", [*BAD_IDS, "@other_tag", ["@tag", "@other_tag"]]),
    *_cases("create-binary", "new_tags", ["x" * 41, "ok, " + "y" * 41, NUL, LONG]),
    # Multiple choice.
    *_cases("create-choice", "option_count", ["9" * 400, "21"]),
    *_cases("create-choice", "label_0", ["", LONG, NUL, "beta", ["Alpha", "x" * 201], MISSING]),
    *_cases("create-choice", "prob_0", [*BAD_NUMBERS, "60", "[50]", ["50", "abc"], MISSING]),
    *_cases("create-choice", "prob_2", ["NaN", "100", NUL]),
    # Release date.
    *_cases("create-date", "q10", [*BAD_DATES, "2026-10-01", "", NUL]),
    *_cases("create-date", "q50", ["2026-07-01", LONG, ["2026-09-01", "0000-00-00"]]),
    *_cases("create-date", "q90", ["9" * 400, MISSING, "9999-12-31"]),
    *_cases("create-date", "q05", ["yesterday", "2026-12-31"]),
    # Forecasts.
    *_cases("forecast-binary", "probability", BAD_PROBABILITIES),
    *_cases("forecast-binary/htmx", "probability", ["NaN", "1e309", NUL, ""]),
    *_cases("forecast-binary", "rationale", [LONG, NUL]),
    *_cases("forecast-binary", "evidence", [*BAD_IDS, "@other_link", "@choice_link"]),
    *_cases("forecast-binary", "evidence", [["@link", "@other_link"]]),
    *_cases("forecast-choice", "prob_0", [*BAD_NUMBERS, "70", MISSING]),
    *_cases("forecast-choice", "evidence", ["@other_link", "abc", "9" * 400]),
    *_cases("forecast-date", "q10", [*BAD_DATES, "2026-12-31", MISSING, "0001-01-01"]),
    *_cases("forecast-date", "q90", ["9999-12-31"]),
    *_cases("forecast-date", "q50", [NUL]),
    *_cases("forecast-date", "evidence", ["@other_link", "1.5"]),
    # Resolution.
    *_cases("resolve-binary", "outcome", ["maybe", "", NUL, "YES ", ["yes", "maybe"], MISSING]),
    *_cases("resolve-binary", "known_at", BAD_DATETIMES),
    *_cases("resolve-binary", "known_at", ["2026-05-15T12:00", "2020-01-01T00:00"]),
    *_cases("resolve-binary", "note", [LONG, NUL]),
    *_cases("resolve-binary", "evidence", ["@other_link", "abc", "9" * 400]),
    *_cases("resolve-choice", "winner", [*BAD_IDS, "@other_option", "", MISSING]),
    *_cases("resolve-choice", "known_at", ["2023-02-30T10:00", "2030-01-01T00:00"]),
    *_cases("resolve-date", "actual_date", [*BAD_DATES, "2026-12-31", "", NUL, "0001-01-01"]),
    *_cases("extend", "resolve_by", [*BAD_DATES, "2026-06-01", "", NUL, LONG, "9999-12-31"]),
    *_cases("extend", "note", ["x" * 301, NUL]),
    # Editing and sharing.
    *_cases("edit", "question", ["", LONG, NUL, ["Edited claim", "x" * 301]]),
    *_cases("edit", "resolve_by", [*BAD_DATES, NUL, "9999-12-31"]),
    *_cases("edit", "resolution_criteria", [LONG]),
    *_cases("edit", "notes", [LONG, NUL]),
    *_cases("edit", "tags", ["@other_tag", "abc", "9" * 400]),
    *_cases("edit", "new_tags", ["z" * 41, NUL]),
    *_cases("share", "visibility", ["everyone", "", NUL, ["link", "world"], MISSING]),
    # Accounts.
    # (The time-zone menu makes these two forms slow to re-render: few cases each.)
    *_cases("signup", "username", ["", NUL, "u" * 151, "<script>", "@taken_username"]),
    *_cases("signup", "email", ["not-an-email", NUL]),
    *_cases("signup", "password2", ["a different password"]),
    *_cases("signup", "password1", [NUL]),
    *_cases("signup", "timezone", ["../../etc/passwd", NUL, ["UTC", "Mars/Base"]]),
    *_cases("login", "username", ["", NUL, LONG, "nobody"]),
    *_cases("login", "password", ["wrong", NUL, LONG, ""]),
    *_cases("profile", "display_name", ["x" * 61, NUL]),
    *_cases("profile", "timezone", ["Mars/Olympus_Mons", ["UTC", "Nowhere"]]),
    *_cases("password-change", "old_password", ["wrong", NUL, ""]),
    *_cases("password-change", "new_password2", ["something else entirely", NUL]),
    *_cases("password-change", "new_password1", [NUL]),
    *_cases("password-reset", "email", ["not-an-email", NUL, LONG, ["a@example.org", "nope"]]),
    *_cases("password-reset-confirm", "new_password1", ["a new long passphrase 42"]),
    # Evidence and sources.
    *_cases("evidence-create", "url", [*BAD_URLS, HUGE, ["https://example.org/a", "javascript:x"]]),
    *_cases("evidence-create", "url", ["", MISSING]),
    *_cases("evidence-create/htmx", "url", ["javascript:alert(1)", NUL]),
    *_cases("evidence-create", "title", ["x" * 501, NUL]),
    *_cases("evidence-create", "publisher", ["x" * 201, NUL]),
    *_cases("evidence-create", "published_date", [*BAD_DATES, NUL]),
    *_cases("evidence-create", "stance", ["bogus", "", NUL, ["supports", "x"]]),
    *_cases("evidence-create", "quote", [LONG, NUL]),
    *_cases("evidence-create", "note", [LONG, NUL]),
    *_cases("evidence-library", "source", [*BAD_IDS, "@other_source", "@linked_source"]),
    *_cases("evidence-library", "url", ["https://example.org/both-given"]),
    *_cases("evidence-fetch", "url", ["javascript:alert(1)", "ftp://example.org/", NUL, ""]),
    *_cases("evidence-fetch", "url", ["https://example.org/" + "x" * 2001]),
    *_cases("evidence-edit", "stance", ["bogus", "", NUL, MISSING]),
    *_cases("evidence-edit/htmx", "stance", ["bogus"]),
    *_cases("evidence-edit", "quote", [LONG, NUL]),
    *_cases("evidence-edit", "note", [LONG, NUL]),
    *_cases("source-edit", "url", [*BAD_URLS, "", "@linked_source_url"]),
    *_cases("source-edit", "title", ["x" * 501, NUL]),
    *_cases("source-edit", "publisher", ["x" * 201]),
    *_cases("source-edit", "author", ["x" * 201, NUL]),
    *_cases("source-edit", "published_date", [*BAD_DATES, NUL]),
    *_cases("source-edit", "language", ["x" * 21, NUL]),
    *_cases("source-edit", "accessed_date", ["2023-02-30", "yesterday"]),
    *_cases("source-edit", "archive_url", ["javascript:alert(1)", "ftp://example.org/", NUL]),
    *_cases("source-edit", "notes", ["x" * 5001, NUL]),
    # Import upload: the fields beside the file.
    *_cases("import-upload", "format", ["bogus", "", NUL, '["json", "csv"]', ["auto", "x"]]),
    *_cases("import-upload", "fatebook_name", ["x" * 201, NUL]),
    *_cases("import-upload", "file", [MISSING]),
]

# Files for the import upload: each must be refused at upload, in the preview, or on
# confirm, with nothing written. The generic CSV's second row carries the poison, so a
# partial import would show as one new prediction.
GENERIC_HEADER = "question,probability,created,resolve_by,outcome,tags,notes\n"
GENERIC_GOOD_ROW = "An imported claim holds,70%,2026-05-01,2026-06-30,,imported,fine\n"


def generic_csv(**second_row: str) -> bytes:
    row = {
        "question": "A second imported claim holds",
        "probability": "40%",
        "created": "2026-05-02",
        "resolve_by": "2026-07-31",
        "outcome": "",
        "tags": "imported",
        "notes": "fine",
    }
    row.update(second_row)
    line = ",".join(f'"{value}"' for value in row.values()) + "\n"
    return (GENERIC_HEADER + GENERIC_GOOD_ROW + line).encode()


HOSTILE_FILES = {
    "empty": b"",
    "binary garbage": bytes(range(256)) * 64,
    "PNG header": b"\x89PNG\r\n\x1a\n" + bytes(200),
    "CSV with a NUL byte": (GENERIC_HEADER + GENERIC_GOOD_ROW + "Nul\x00claim,40%,,,,,\n").encode(),
    "10 MB single cell": b'question,probability\n"' + b"x" * 10_000_000 + b'",70%\n',
    "UTF-16": (GENERIC_HEADER + GENERIC_GOOD_ROW).encode("utf-16"),
    "Latin-1": (GENERIC_HEADER + "Le café ouvrira,70%,2026-05-01,2026-06-30,,,\n").encode(
        "latin-1"
    ),
    "only a header": GENERIC_HEADER.encode(),
    "blank lines": b"\n\n   \n",
    "JSON array of numbers": b"[1, 2, 3]",
    "JSON array of strings": b'["question", "probability"]',
    "JSON scalar": b"1e309",
    "truncated JSON": b'{"format_version": 1, "predictions": [',
    "JSON with NaN": b'{"format_version": 1, "predictions": [{"question": "x", "p": NaN}]}',
    "deeply nested JSON": b"[" * 100_000 + b"]" * 100_000,
    "probability NaN": generic_csv(probability="NaN"),
    "probability 1e309": generic_csv(probability="1e309"),
    "probability 400 nines": generic_csv(probability="9" * 400),
    "probability -0.5": generic_csv(probability="-0.5"),
    "probability Infinity": generic_csv(probability="Infinity"),
    "probability empty": generic_csv(probability=""),
    "date 2023-02-30": generic_csv(resolve_by="2023-02-30"),
    "date 99999-12-31": generic_csv(resolve_by="99999-12-31"),
    "date 0000-00-00": generic_csv(created="0000-00-00"),
    "date yesterday": generic_csv(created="yesterday"),
    "notes 10,001 characters": generic_csv(notes=LONG),
    "question empty": generic_csv(question=""),
    "outcome maybe": generic_csv(outcome="maybe"),
    "unclosed quote": (GENERIC_HEADER + GENERIC_GOOD_ROW + '"never closed,40%\n').encode(),
    "duplicate header": b"question,question,probability\na,b,70%\n",
}


@dataclass
class Target:
    """Where a form posts, as whom, and a payload it accepts."""

    client: str  # "user" (logged in) or "anon"
    url: str
    payload: dict
    prefix: str = ""
    htmx: bool = False
    markers: tuple[str, ...] = ERROR_MARKERS
    accepted: tuple[int, ...] = (302, 303)  # what the valid payload answers
    changes: bool = True  # whether the valid payload writes rows


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of the project (and users): what `values_list` of all
    concrete fields ordered by primary key returns, read with one plain SELECT a table
    because the ORM's query compilation costs 25 times more and there are a thousand
    cases."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {pk}")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


@time_machine.travel(NOW, tick=False)
class HostileInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ago = NOW - dt.timedelta(days=10)
        cls.user = UserFactory(username="owner")
        ProfileFactory(user=cls.user)
        cls.other = UserFactory(username="someone-else")
        ProfileFactory(user=cls.other)
        cls.tag = TagFactory(owner=cls.user, name="mine")
        cls.other_tag = TagFactory(owner=cls.other, name="theirs")

        def create(owner, **kwargs):
            return services.prediction_create(
                owner=owner, resolve_by=dt.date(2026, 6, 30), created_at=ago, **kwargs
            )

        cls.binary = create(cls.user, question="It rains on Friday", probability=Decimal("0.6"))
        cls.binary.tags.set([cls.tag])
        cls.choice = create(
            cls.user,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Who wins the cup",
            options=["Alpha", "Beta", "Gamma"],
            option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
        )
        cls.dated = create(
            cls.user,
            kind=Prediction.Kind.DATE,
            question="The bridge reopens",
            quantiles={
                Decimal("0.1"): dt.date(2026, 6, 1),
                Decimal("0.5"): dt.date(2026, 8, 1),
                Decimal("0.9"): dt.date(2026, 11, 1),
            },
        )
        cls.closed = create(cls.user, question="It snowed in May", probability=Decimal("0.2"))
        services.prediction_resolve(
            prediction=cls.closed, outcome="no", known_at=NOW - dt.timedelta(days=1)
        )
        cls.shared = create(
            cls.user, question="Shared by link", probability=Decimal("0.5"), visibility="link"
        )
        cls.link = EvidenceLinkFactory(prediction=cls.binary, created_at=ago)
        cls.linked_source = cls.link.source
        cls.choice_link = EvidenceLinkFactory(prediction=cls.choice, created_at=ago)
        cls.date_link = EvidenceLinkFactory(prediction=cls.dated, created_at=ago)
        cls.library_source = SourceFactory(owner=cls.user, url="https://example.org/library")

        cls.other_prediction = create(cls.other, question="Not yours", probability=Decimal("0.4"))
        cls.other_link = EvidenceLinkFactory(prediction=cls.other_prediction, created_at=ago)
        cls.other_source = cls.other_link.source
        cls.other_choice = create(
            cls.other,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Their choice",
            options=["Yes", "No"],
            option_probabilities=[Decimal("0.5"), Decimal("0.5")],
        )
        cls.other_option = cls.other_choice.options.first()

    def setUp(self):
        # Hostile files up to the upload cap are checked within the request (larger ones
        # than FALSIFIABLE_IMPORT_INLINE_BYTES would otherwise wait for a worker).
        overrides = override_settings(FALSIFIABLE_IMPORT_INLINE_BYTES=10**9)
        overrides.enable()
        self.addCleanup(overrides.disable)
        # Title autofill must never reach the network from here: every hostile URL is
        # refused before the fetch, and this would say so if one were not.
        fetch = mock.patch("sources.views.fetch_page_info", side_effect=FetchError("no fetch"))
        self.fetch = fetch.start()
        self.addCleanup(fetch.stop)
        self.client.force_login(self.user)
        self.clients = {"user": self.client, "anon": Client()}
        self.targets = self.build_targets()
        cache.clear()
        self.addCleanup(cache.clear)
        self.baseline = snapshot()  # every case is rolled back to these rows

    # --- Payloads ----------------------------------------------------------------------

    def build_targets(self) -> dict[str, Target]:
        binary, choice, dated = self.binary.pk, self.choice.pk, self.dated.pk
        link = self.link.pk
        uid, token = self.reset_link()
        targets = {
            "create-binary": Target(
                "user",
                reverse("predictions:create"),
                {
                    "kind": "binary",
                    "question": "A valid claim comes true",
                    "probability": "70%",
                    "resolve_by": "2026-06-30",
                    "resolution_criteria": "The evening news",
                    "notes": "Plain notes",
                    "visibility": "private",
                    "tags": [str(self.tag.pk)],
                    "new_tags": "fresh",
                },
            ),
            "create-choice": Target(
                "user",
                reverse("predictions:create"),
                {
                    "kind": "multiple_choice",
                    "question": "Which one wins",
                    "option_count": "3",
                    "label_0": "Alpha",
                    "prob_0": "50",
                    "label_1": "Beta",
                    "prob_1": "30",
                    "label_2": "Gamma",
                    "prob_2": "20",
                    "resolve_by": "2026-06-30",
                    "resolution_criteria": "",
                    "notes": "",
                    "visibility": "private",
                },
            ),
            "create-date": Target(
                "user",
                reverse("predictions:create"),
                {
                    "kind": "date",
                    "question": "The tunnel opens",
                    "q10": "2026-07-01",
                    "q50": "2026-09-01",
                    "q90": "2027-01-01",
                    "resolve_by": "2027-06-30",
                    "resolution_criteria": "",
                    "notes": "",
                    "visibility": "private",
                },
            ),
            "forecast-binary": Target(
                "user",
                reverse("predictions:forecast", args=[binary]),
                {"probability": "80%", "rationale": "New poll", "evidence": str(link)},
            ),
            "forecast-choice": Target(
                "user",
                reverse("predictions:forecast", args=[choice]),
                {
                    "prob_0": "40",
                    "prob_1": "40",
                    "prob_2": "20",
                    "rationale": "",
                    "evidence": str(self.choice_link.pk),
                },
            ),
            "forecast-date": Target(
                "user",
                reverse("predictions:forecast", args=[dated]),
                {
                    "q10": "2026-06-15",
                    "q50": "2026-08-15",
                    "q90": "2026-12-01",
                    "rationale": "",
                    "evidence": str(self.date_link.pk),
                },
            ),
            "resolve-binary": Target(
                "user",
                reverse("predictions:resolve", args=[binary]),
                {
                    "outcome": "yes",
                    "known_at": "2026-05-14T11:00",
                    "note": "It rained",
                    "evidence": str(link),
                },
            ),
            "resolve-choice": Target(
                "user",
                reverse("predictions:resolve", args=[choice]),
                {
                    "winner": str(self.choice.options.get(label="Beta").pk),
                    "known_at": "2026-05-14T11:00",
                    "note": "",
                },
            ),
            "resolve-date": Target(
                "user",
                reverse("predictions:resolve", args=[dated]),
                {"actual_date": "2026-05-12", "known_at": "", "note": ""},
            ),
            "extend": Target(
                "user",
                reverse("predictions:extend", args=[dated]),
                {"resolve_by": "2027-12-31", "note": "Delayed"},
            ),
            "edit": Target(
                "user",
                reverse("predictions:edit", args=[binary]),
                {
                    "question": "It rains on Saturday",
                    "resolve_by": "2026-07-31",
                    "resolution_criteria": "The weather service",
                    "notes": "Edited",
                    "tags": [str(self.tag.pk)],
                    "new_tags": "weather",
                },
            ),
            "share": Target(
                "user",
                reverse("predictions:share", args=[binary]),
                {"visibility": "link", "new_link": ""},
            ),
            "signup": Target(
                "anon",
                reverse("signup"),
                {
                    "username": "newcomer",
                    "email": "newcomer@example.org",
                    "password1": "a long enough passphrase 42",
                    "password2": "a long enough passphrase 42",
                    "timezone": "Europe/Paris",
                },
            ),
            "login": Target(
                "anon",
                reverse("login"),
                {"username": self.user.username, "password": PASSWORD},
                changes=False,  # last_login is already now (the clock is frozen)
            ),
            "profile": Target(
                "user",
                reverse("profile"),
                {"display_name": "Owner", "timezone": "Europe/Paris"},
            ),
            "password-change": Target(
                "user",
                reverse("password_change"),
                {
                    "old_password": PASSWORD,
                    "new_password1": "another long passphrase 43",
                    "new_password2": "another long passphrase 43",
                },
            ),
            "password-reset": Target(
                "anon",
                reverse("password_reset"),
                {"email": self.user.email},
                changes=False,  # it only sends an email
            ),
            # A link whose token is wrong: even a valid new password must change nothing.
            "password-reset-confirm": Target(
                "anon",
                reverse("password_reset_confirm", args=[uid, "bad-" + token]),
                {
                    "new_password1": "a new long passphrase 42",
                    "new_password2": "a new long passphrase 42",
                },
                markers=("This link no longer works",),
                accepted=(200,),
                changes=False,
            ),
            "evidence-create": Target(
                "user",
                reverse("sources:evidence_create", args=[binary]),
                {
                    "url": "https://example.org/new-article",
                    "title": "A new article",
                    "publisher": "Example",
                    "published_date": "2026-05-10",
                    "stance": "supports",
                    "quote": "A quote",
                    "note": "A note",
                },
                prefix="evidence-",
            ),
            "evidence-library": Target(
                "user",
                reverse("sources:evidence_create", args=[binary]),
                {"url": "", "source": str(self.library_source.pk), "stance": "opposes"},
                prefix="evidence-",
            ),
            "evidence-fetch": Target(
                "user",
                reverse("sources:evidence_fetch_title", args=[binary]),
                {"url": "https://example.org/library"},  # known: filled from the library
                prefix="evidence-",
                accepted=(200,),
                changes=False,
            ),
            "evidence-edit": Target(
                "user",
                reverse("sources:evidence_edit", args=[link]),
                {"stance": "opposes", "quote": "Edited quote", "note": "Edited note"},
                prefix=f"link-{link}-",
            ),
            "source-edit": Target(
                "user",
                reverse("sources:source_edit", args=[self.library_source.pk]),
                {
                    "url": "https://example.org/library-moved",
                    "title": "Library article",
                    "publisher": "Example",
                    "author": "A. Writer",
                    "published_date": "2026-05-01",
                    "language": "en",
                    "accessed_date": "2026-05-13",
                    "archive_url": "https://web.archive.org/web/2026/https://example.org/",
                    "notes": "Notes",
                },
            ),
            "import-upload": Target(
                "user",
                reverse("reports:import_upload"),
                {
                    "file": ("good.csv", GENERIC_HEADER.encode() + GENERIC_GOOD_ROW.encode()),
                    "format": "auto",
                    "fatebook_name": "",
                },
                changes=False,  # the upload only stores the file for the preview
            ),
        }
        for name in ("forecast-binary", "evidence-create", "evidence-edit"):
            base = targets[name]
            targets[f"{name}/htmx"] = Target(
                base.client, base.url, base.payload, prefix=base.prefix, htmx=True, accepted=(200,)
            )
        return targets

    def reset_link(self) -> tuple[str, str]:
        """The uid and token of a valid password reset link for the owner."""
        uid = urlsafe_base64_encode(force_bytes(self.user.pk))
        return uid, default_token_generator.make_token(self.user)

    def resolve(self, value):
        """ "@name" stands for the primary key (or the URL) of a fixture object."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name == "taken_username":
                return self.other.username
            if name == "linked_source_url":
                return self.linked_source.url
            return str(getattr(self, name).pk)
        return value

    def payload(self, target: Target, case: Case | None = None) -> dict:
        data = {}
        for key, value in target.payload.items():
            if key == "file":
                name, content = value
                value = SimpleUploadedFile(name, content, content_type="text/csv")
            data[target.prefix + key] = value
        if case is not None:
            key = (target.prefix if case.field != "file" else "") + case.field
            if case.value is MISSING:
                data.pop(key, None)
            else:
                data[key] = self.resolve(case.value)
        return data

    def post(self, target: Target, data: dict):
        client = self.clients[target.client]
        return client.post(target.url, data, headers=HTMX if target.htmx else {})

    # --- Checks ------------------------------------------------------------------------

    def isolated(self, check, *, writes: bool = False) -> str:
        """Runs `check` in a savepoint that is always rolled back, so every case starts
        from the same rows (and, on PostgreSQL, a failed one cannot break the next).
        Unless the case is meant to write, any table that differs from the rows at the
        start of the test is a failure."""
        cache.clear()
        # Sessions are rows too: log in again outside the savepoint that will be undone
        # (a rolled-back password change would otherwise log the client out).
        self.client.force_login(self.user)
        self.clients["anon"] = Client()
        try:
            with transaction.atomic():
                problem = check()
                tables = [] if writes else changed_tables(self.baseline, snapshot())
                transaction.set_rollback(True)
        except Exception as exc:  # a 500 re-raised by the test client
            return f"raised {type(exc).__name__}: {str(exc)[:200]}"
        return f"{problem}; changed {tables}".lstrip("; ") if tables else problem

    def refused(self, response, markers=ERROR_MARKERS) -> str:
        """'' when the response is a 4xx, or a 2xx that shows an error message."""
        status = response.status_code
        if 400 <= status < 500:
            return ""
        if 200 <= status < 300:
            if getattr(response, "streaming", False):
                return f"{status} streaming response"
            body = response.content.decode()
            if any(marker in body for marker in markers):
                return ""
            return f"{status} without an error message"
        return f"answered {status} {response.get('Location', '')}"

    def assert_all_pass(self, results: list[tuple[str, str]], minimum: int) -> None:
        failures = [
            f"{name}: {problem}" for name, problem in results if problem and name not in REPORTED
        ]
        fixed = [name for name, problem in results if name in REPORTED and not problem]
        failures += [f"{name}: passes now; remove it from REPORTED" for name in fixed]
        assert not failures, f"{len(failures)} of {len(results)} failed:\n" + "\n".join(failures)
        assert len(results) >= minimum, f"only {len(results)} cases; the table shrank"

    # --- The tables --------------------------------------------------------------------

    def test_valid_payloads_are_accepted(self):
        """Each table's base payload really is valid, so each malformed case tests the one
        field it replaces."""
        results = []
        for name, target in self.targets.items():

            def check(target=target):
                response = self.post(target, self.payload(target))
                if response.status_code not in target.accepted:
                    return f"answered {response.status_code}, expected {target.accepted}"
                if response.status_code == 200 and target.markers is ERROR_MARKERS:
                    body = response.content.decode()
                    if any(marker in body for marker in ERROR_MARKERS):
                        return "shows an error"
                if target.changes and not changed_tables(self.baseline, snapshot()):
                    return "wrote nothing"
                return ""

            results.append((name, self.isolated(check, writes=True)))
        self.assert_all_pass(results, minimum=len(self.targets))

    def test_pages_without_errors_show_no_error_marker(self):
        """The error markers the malformed table looks for are absent from the same pages
        when nothing is wrong, so finding one means the form reported the case."""
        urls = [
            reverse("predictions:create"),
            reverse("predictions:create") + "?kind=multiple_choice",
            reverse("predictions:create") + "?kind=date",
            reverse("predictions:detail", args=[self.binary.pk]),
            reverse("predictions:detail", args=[self.choice.pk]),
            reverse("predictions:detail", args=[self.dated.pk]),
            reverse("predictions:resolve", args=[self.binary.pk]),
            reverse("predictions:resolve", args=[self.choice.pk]),
            reverse("predictions:resolve", args=[self.dated.pk]),
            reverse("predictions:edit", args=[self.binary.pk]),
            reverse("predictions:share", args=[self.binary.pk]),
            reverse("profile"),
            reverse("password_change"),
            reverse("sources:prediction_evidence", args=[self.binary.pk]),
            reverse("sources:evidence_edit", args=[self.link.pk]),
            reverse("sources:source_edit", args=[self.library_source.pk]),
            reverse("reports:import_upload"),
            reverse("reports:dashboard"),
        ]
        anonymous = [reverse("signup"), reverse("login"), reverse("password_reset")]
        shown = []
        for url in urls:
            body = self.client.get(url).content.decode()
            shown += [f"{url}: {m}" for m in ERROR_MARKERS if m in body]
        for url in anonymous:
            body = Client().get(url).content.decode()
            shown += [f"{url}: {m}" for m in ERROR_MARKERS if m in body]
        assert not shown, shown

    def test_malformed_values_are_refused_and_write_nothing(self):
        results = []
        for case in MALFORMED:
            target = self.targets[case.form]

            def check(case=case, target=target):
                return self.refused(self.post(target, self.payload(target, case)), target.markers)

            results.append((str(case), self.isolated(check)))
        assert not self.fetch.called, "a hostile URL reached the title fetch"
        self.assert_all_pass(results, minimum=100)

    def test_hostile_files_are_refused_and_write_nothing(self):
        """Upload, preview and confirm: the file is refused at one of the three steps,
        never with a 500, and nothing is written (the upload only stores the file)."""
        exports = self.other_users_exports()
        self.baseline = snapshot()  # the other user's log-in set their last_login
        files = {**HOSTILE_FILES, **self.poisoned_exports(*exports)}
        results = []
        for name, content in files.items():
            results.append(
                (name, self.isolated(lambda content=content: self.import_refused(content)))
            )
        # The controls: the same files unpoisoned are imported.
        for name, content in (
            ("generic CSV", generic_csv()),
            *zip(("JSON", "CSV"), exports, strict=True),
        ):
            results.append(
                (f"control {name}", self.isolated(lambda c=content: self.imported(c), writes=True))
            )
        self.assert_all_pass(results, minimum=50)

    def upload(self, content: bytes):
        upload = SimpleUploadedFile("hostile.csv", content, content_type="text/csv")
        return self.client.post(
            reverse("reports:import_upload"), {"file": upload, "format": "auto"}
        )

    def import_refused(self, content: bytes) -> str:
        response = self.upload(content)
        if response.status_code != 302:
            return self.refused(response)
        preview = self.client.get(response["Location"])
        confirm = self.client.post(response["Location"] + "confirm/")
        if preview.status_code != 200:
            return f"the preview answered {preview.status_code}"
        if 'role="alert"' not in preview.content.decode():
            return "the preview shows no problem"
        if confirm.status_code != 422:
            return f"confirm answered {confirm.status_code}"
        return ""

    def imported(self, content: bytes) -> str:
        response = self.upload(content)
        confirm = self.client.post(response["Location"] + "confirm/")
        if confirm.status_code != 302 or not changed_tables(self.baseline, snapshot()):
            return f"not imported ({confirm.status_code})"
        return ""

    def other_users_exports(self) -> tuple[bytes, bytes]:
        """The other user's JSON and CSV exports: new predictions for the importer."""
        client = Client()
        client.force_login(self.other)
        return tuple(
            b"".join(client.get(reverse(name)).streaming_content)
            for name in ("reports:export_json", "reports:export_csv")
        )

    def poisoned_exports(self, json_export: bytes, csv_export: bytes) -> dict[str, bytes]:
        """The exports with one value made hostile in the first prediction (the second
        stays valid, so a partial import would show)."""
        raw = "__raw__"  # replaced by text json.dumps cannot write (1e309, NaN)
        first, forecast = ("predictions", 0), ("predictions", 0, "forecasts", 0)
        mutations = {
            "question with NUL": (first, "question", "It rains\x00 today"),
            "question a JSON array": (first, "question", ["It rains", "It pours"]),
            "question a number": (first, "question", 1e300),
            "notes 10,001 characters": (first, "notes", LONG),
            "resolve_by 2023-02-30": (first, "resolve_by", "2023-02-30"),
            "resolve_by 99999-12-31": (first, "resolve_by", "99999-12-31"),
            "resolve_by 0000-00-00": (first, "resolve_by", "0000-00-00"),
            "resolve_by a list": (first, "resolve_by", ["2026-06-30", "2026-07-01"]),
            "kind bogus": (first, "kind", "bogus"),
            "visibility everyone": (first, "visibility", "everyone"),
            "tags with NUL": (first, "tags", ["a\x00b"]),
            "tags a 41-character name": (first, "tags", ["t" * 41]),
            "probability 1e309": (forecast, "probability", f"{raw}1e309"),
            "probability NaN": (forecast, "probability", f"{raw}NaN"),
            "probability -Infinity": (forecast, "probability", f"{raw}-Infinity"),
            "probability 400 nines": (forecast, "probability", f"{raw}{'9' * 400}"),
            "probability -0.5": (forecast, "probability", -0.5),
            "probability a list": (forecast, "probability", [0.5, 0.5]),
            "probability an object": (forecast, "probability", {"value": 0.5}),
            "forecast made in year 99999": (forecast, "created_at", "99999-12-31T00:00:00Z"),
            "rationale with NUL": (forecast, "rationale", "because\x00"),
            "forecasts an object": (first, "forecasts", {"probability": 0.5}),
            "predictions an object": ((), "predictions", {"question": "x"}),
            "format_version 999": ((), "format_version", 999),
        }
        files = {}
        for name, (path, key, value) in mutations.items():
            document = json.loads(json_export)
            node = document
            for step in path:
                node = node[step]
            node[key] = value
            text = json.dumps(document).replace("\\x00", "\\u0000")
            text = re.sub(f'"{raw}([^"]*)"', r"\1", text)
            files[f"JSON export: {name}"] = text.encode()
        rows = list(csv.reader(io.StringIO(csv_export.decode())))
        column = rows[0].index
        for name, key, value in (
            ("probability NaN", "probability", "NaN"),
            ("probability 1e309", "probability", "1e309"),
            ("probability 400 nines", "probability", "9" * 400),
            ("forecast_at 2023-02-30", "forecast_at", "2023-02-30T10:00:00Z"),
            ("resolve_by yesterday", "resolve_by", "yesterday"),
            ("kind bogus", "kind", "bogus"),
        ):
            poisoned = [list(row) for row in rows]
            poisoned[1][column(key)] = value
            out = io.StringIO()
            csv.writer(out).writerows(poisoned)
            files[f"CSV export: {name}"] = out.getvalue().encode()
        return files

    def test_hostile_query_strings_and_ids_never_fail(self):
        """GET filters: invalid values are shown as errors (dashboard, reading) or ignored
        (lists, exports), never a 500. Ids that do not exist, are another user's or are
        not integers answer 404 on every URL, GET or POST."""
        results = []
        pages = self.query_pages()
        for page, params in self.query_cases():
            url, markers = pages[page]

            def check(url=url, params=params, markers=markers):
                response = self.client.get(url, params)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)  # errors surface while streaming
                problem = ""
                if response.status_code != 200 and not 400 <= response.status_code < 500:
                    problem = f"answered {response.status_code}"
                elif markers and response.status_code == 200:
                    problem = self.refused(response, markers)
                return problem

            results.append((f"GET {page} {_short(params)}", self.isolated(check)))
        for method, url, client in self.foreign_urls():

            def check(method=method, url=url, client=client):
                if method == "POST":
                    response = self.clients[client].post(url, {"probability": "70"})
                else:
                    response = self.clients[client].get(url)
                problem = "" if response.status_code == 404 else f"answered {response.status_code}"
                return problem

            results.append((f"{method} {_short(url)}", self.isolated(check)))
        self.assert_all_pass(results, minimum=150)

    def query_pages(self) -> dict[str, tuple[str, tuple[str, ...] | None]]:
        """page -> (URL, the error markers it must show, or None where bad filters are
        ignored as documented)."""
        binary = self.binary.pk
        return {
            "list": (reverse("predictions:list"), None),
            "due": (reverse("predictions:due"), None),
            "create": (reverse("predictions:create"), None),
            "detail": (reverse("predictions:detail", args=[binary]), None),
            "resolve": (reverse("predictions:resolve", args=[binary]), None),
            "reading": (reverse("predictions:probability_reading"), ("reading-error",)),
            "library": (reverse("sources:library"), None),
            "dashboard": (reverse("reports:dashboard"), ('class="errorlist', 'role="alert"')),
            "dashboard-edge": (reverse("reports:dashboard"), None),
            "chart": (reverse("reports:chart", args=["reliability"]), None),
            "export-csv": (reverse("reports:export_csv"), None),
            "export-json": (reverse("reports:export_json"), None),
            "export-columns": (reverse("reports:export_columns"), None),
        }

    def query_cases(self) -> list[tuple[str, dict]]:
        other_tag = str(self.other_tag.pk)
        texts = [NUL, LONG, "9" * 400, "%", "_", "\u202e", ["a", "b"]]
        filters = {
            "status": ["bogus", NUL, ["open", "due"]],
            "tag": [other_tag, "abc", "9" * 400, NUL, [str(self.tag.pk), other_tag]],
            "q": texts,
            "page": ["abc", "9" * 400, "-1", "NaN", "1e309", NUL],
        }
        cases = []
        cases += [("list", {key: v}) for key, values in filters.items() for v in values]
        for page in ("export-csv", "export-json"):
            cases += [(page, {key: v}) for key in ("status", "tag", "q") for v in filters[key]]
        cases += [("export-columns", {"q": v}) for v in [NUL, LONG, ["a", "b"]]]
        cases += [("due", {"page": v}) for v in filters["page"]]
        cases += [("library", {"q": v}) for v in texts]
        cases += [("library", {"page": v}) for v in filters["page"]]
        cases += [("create", {"kind": v}) for v in ["bogus", NUL, ["date", "x"]]]
        for page in ("detail", "resolve"):
            evidence = ["abc", "9" * 400, str(self.other_link.pk), NUL, ["1", "2"]]
            cases += [(page, {"evidence": v}) for v in evidence]
        cases += [("reading", {"text": v}) for v in [*BAD_NUMBERS, NUL, LONG, "abc"]]
        cases += [("reading", {"probability": v}) for v in ["-0", "1 in 0"]]
        dashboard = {
            "tag": [other_tag, "abc", "9" * 400, NUL, "-1"],
            "created_from": [*BAD_DATES, NUL],
            "resolved_to": ["2023-02-30", LONG],
            "kind": ["bogus", NUL, ["binary", "x"]],
        }
        for page in ("dashboard", "export-csv", "export-json", "chart"):
            markers_shown = page == "dashboard"
            for key, values in dashboard.items():
                for v in values:
                    if markers_shown or key != "kind":
                        cases.append((page, {key: v}))
        cases.append(("dashboard", {"created_from": "2026-05-02", "created_to": "2026-05-01"}))
        for key in ("created_from", "created_to", "resolved_from", "resolved_to"):
            for page in ("dashboard-edge", "export-csv", "chart"):
                cases += [(page, {key: day}) for day in ("0001-01-01", "9999-12-31")]
        cases += [("chart", {"v": v}) for v in [NUL, LONG, "../../x"]]
        for page in ("export-csv", "export-json"):
            cases += [(page, {"created_from": "2026-05-02", "created_to": "2026-05-01"})]
        return cases

    def foreign_urls(self) -> list[tuple[str, str, str]]:
        """(method, URL, client) for ids of another user, of nothing, and not ids."""
        by_kind = {
            "prediction": (self.other_prediction.pk, "999999999", "9" * 400, "abc", "-1"),
            "source": (self.other_source.pk, "999999999", "9" * 400, "1.5"),
            "link": (self.other_link.pk, "999999999", "9" * 400, "%00"),
        }
        names = [
            ("GET", "predictions:detail", "prediction"),
            ("POST", "predictions:forecast", "prediction"),
            ("POST", "predictions:resolve", "prediction"),
            ("POST", "predictions:reopen", "prediction"),
            ("POST", "predictions:extend", "prediction"),
            ("POST", "predictions:edit", "prediction"),
            ("POST", "predictions:share", "prediction"),
            ("GET", "reports:prediction_chart", "prediction"),
            ("GET", "sources:prediction_evidence", "prediction"),
            ("POST", "sources:evidence_create", "prediction"),
            ("POST", "sources:evidence_fetch_title", "prediction"),
            ("POST", "sources:source_edit", "source"),
            ("GET", "sources:evidence_detail", "link"),
            ("POST", "sources:evidence_edit", "link"),
            ("POST", "sources:evidence_delete", "link"),
        ]
        urls = []
        for method, name, kind in names:
            template = reverse(name, args=[424242])
            urls += [(method, template.replace("424242", str(pk)), "user") for pk in by_kind[kind]]
        private = self.other_prediction.share_token
        for token in (private, "nope", "abc%00def", "x" * 2000, "%E2%80%AE"):
            urls.append(
                (
                    "GET",
                    reverse("predictions:shared", args=["t"]).replace("/t/", f"/{token}/"),
                    "anon",
                )
            )
        for token in (private, "nope", "x" * 300):
            url = reverse("reports:shared_prediction_chart", args=["t"])
            urls.append(("GET", url.replace("/t.svg", f"/{token}.svg"), "anon"))
        urls.append(("GET", reverse("reports:chart", args=["bogus"]), "user"))
        for token in ("nope", "..", "abc%00def", "x" * 2000):
            for name, method in (
                ("reports:import_preview", "GET"),
                ("reports:import_preview", "POST"),
                ("reports:import_confirm", "POST"),
                ("reports:import_cancel", "POST"),
            ):
                url = reverse(name, args=["t"]).replace("/t/", f"/{token}/")
                urls.append((method, url, "user"))
        return urls

    def test_state_changes_without_csrf_token_are_forbidden(self):
        """Every state-changing URL, posted from a client that enforces CSRF with the
        valid payload but no (or a forged) token: 403 and nothing written."""
        self.client.get(reverse("predictions:create"))  # the CSRF cookie a browser holds
        clients = {
            "user": Client(enforce_csrf_checks=True),
            "anon": Client(enforce_csrf_checks=True),
        }
        clients["user"].cookies = self.client.cookies  # the logged-in session
        clients["anon"].get(reverse("login"))
        results = []
        for name, target in self.csrf_targets():
            for forged in (False, True):

                def check(target=target, forged=forged):
                    payload = self.payload(target)
                    headers = HTMX if target.htmx else {}
                    if forged:
                        payload["csrfmiddlewaretoken"] = "x" * 64
                        headers = {**headers, "X-CSRFToken": "y" * 32}
                    response = clients[target.client].post(target.url, payload, headers=headers)
                    status = response.status_code
                    return "" if status == 403 else f"answered {status}"

                label = f"{name}{' forged' if forged else ''}"
                results.append((label, self.isolated(check)))
        self.assert_all_pass(results, minimum=60)

    def csrf_targets(self) -> list[tuple[str, Target]]:
        posts = list(self.targets.items())
        token = self.upload_for_session()
        bare = {
            "reopen": reverse("predictions:reopen", args=[self.closed.pk]),
            "evidence-delete": reverse("sources:evidence_delete", args=[self.link.pk]),
            "option-total": reverse("predictions:option_total"),
            "logout": reverse("logout"),
            "import-mapping": reverse("reports:import_preview", args=[token]),
            "import-confirm": reverse("reports:import_confirm", args=[token]),
            "import-cancel": reverse("reports:import_cancel", args=[token]),
        }
        posts += [(name, Target("user", url, {})) for name, url in bare.items()]
        return posts

    def upload_for_session(self) -> str:
        """A valid file uploaded in the test client's session: its token."""
        upload = SimpleUploadedFile("good.csv", generic_csv(), content_type="text/csv")
        response = self.client.post(
            reverse("reports:import_upload"), {"file": upload, "format": "auto"}
        )
        assert response.status_code == 302, response.status_code
        return response["Location"].rstrip("/").rsplit("/", 1)[-1]

    def test_wrong_methods_are_refused(self):
        """GET on a POST-only URL answers 405; PUT, PATCH and DELETE answer 405 (or
        another 4xx) on every URL, and write nothing."""
        results = []
        for url, client, allowed in self.all_urls():
            methods = ["PUT", "PATCH", "DELETE"] + ([] if "GET" in allowed else ["GET"])
            for method in methods:

                def check(url=url, client=client, method=method):
                    response = self.clients[client].generic(
                        method,
                        url,
                        "probability=70",
                        content_type="application/x-www-form-urlencoded",
                    )
                    status = response.status_code
                    problem = ""
                    if method == "GET" and status != 405:
                        problem = f"answered {status}, expected 405"
                    elif not 400 <= status < 500:
                        problem = f"answered {status}"
                    return problem

                results.append((f"{method} {url}", self.isolated(check)))
        self.assert_all_pass(results, minimum=130)

    def all_urls(self) -> list[tuple[str, str, set[str]]]:
        """(URL, client, methods it answers) for every URL of the project but the admin."""
        token = self.upload_for_session()
        uid, reset = self.reset_link()
        binary, dated, link = self.binary.pk, self.dated.pk, self.link.pk
        get, both, post = {"GET"}, {"GET", "POST"}, {"POST"}
        urls = [
            (reverse("predictions:list"), "user", get),
            (reverse("predictions:create"), "user", both),
            (reverse("predictions:due"), "user", get),
            (reverse("predictions:option_total"), "user", post),
            (reverse("predictions:probability_reading"), "user", get),
            (reverse("predictions:extend", args=[dated]), "user", post),
            (reverse("predictions:detail", args=[binary]), "user", get),
            (reverse("predictions:forecast", args=[binary]), "user", post),
            (reverse("predictions:resolve", args=[binary]), "user", both),
            (reverse("predictions:reopen", args=[self.closed.pk]), "user", post),
            (reverse("predictions:edit", args=[binary]), "user", both),
            (reverse("predictions:share", args=[binary]), "user", both),
            (reverse("predictions:shared", args=[self.shared.share_token]), "anon", get),
            (reverse("signup"), "anon", both),
            (reverse("login"), "anon", both),
            (reverse("logout"), "user", post),
            (reverse("profile"), "user", both),
            (reverse("password_change"), "user", both),
            (reverse("password_change_done"), "user", get),
            (reverse("password_reset"), "anon", both),
            (reverse("password_reset_done"), "anon", get),
            (reverse("password_reset_confirm", args=[uid, reset]), "anon", both),
            (reverse("password_reset_complete"), "anon", get),
            (reverse("sources:library"), "user", get),
            (reverse("sources:source_edit", args=[self.library_source.pk]), "user", both),
            (reverse("sources:prediction_evidence", args=[binary]), "user", get),
            (reverse("sources:evidence_create", args=[binary]), "user", post),
            (reverse("sources:evidence_fetch_title", args=[binary]), "user", post),
            (reverse("sources:evidence_detail", args=[link]), "user", get),
            (reverse("sources:evidence_edit", args=[link]), "user", both),
            (reverse("sources:evidence_delete", args=[link]), "user", post),
            (reverse("reports:dashboard"), "user", get),
            (reverse("reports:chart", args=["reliability"]), "user", get),
            (reverse("reports:prediction_chart", args=[binary]), "user", get),
            (
                reverse("reports:shared_prediction_chart", args=[self.shared.share_token]),
                "anon",
                get,
            ),
            (reverse("reports:export_csv"), "user", get),
            (reverse("reports:export_json"), "user", get),
            (reverse("reports:export_columns"), "user", get),
            (reverse("reports:import_upload"), "user", both),
            (reverse("reports:import_preview", args=[token]), "user", both),
            (reverse("reports:import_confirm", args=[token]), "user", post),
            (reverse("reports:import_cancel", args=[token]), "user", post),
        ]
        return urls

    def test_unusual_text_is_stored_exactly_and_shown_escaped(self):
        """Right-to-left, emoji and markup are valid text: stored as typed, shown escaped."""
        results = []
        for form, field_name, page in self.text_fields():
            target = self.targets[form]
            values = (
                UNUSUAL_TEXT
                if field_name != "new_tags"
                else ["🚀 launch", "\u202eRTL tag", "<b>x</b>"]
            )
            for value in values:

                def check(form=form, target=target, field_name=field_name, value=value, page=page):
                    data = self.payload(target)
                    data[target.prefix + field_name] = value
                    response = self.post(target, data)
                    if response.status_code not in target.accepted:
                        return f"refused ({response.status_code})"
                    before, after = self.baseline, snapshot()
                    cells = [
                        cell
                        for label in changed_tables(before, after)
                        for row in set(after[label]) - set(before[label])
                        for cell in row
                        if isinstance(cell, str)
                    ]
                    exact = any(cell == value for cell in cells)
                    within = any(value in cell for cell in cells)  # e.g. "2027-12-31 (note)"
                    if not (exact or (within and form == "extend")):
                        return "not stored as typed"
                    body = self.clients[target.client].get(page(after)).content.decode()
                    if escape(value) not in body:
                        return "not shown (escaped) on the page"
                    if "<script>alert(1)" in body:
                        return "markup shown unescaped"
                    return ""

                label = f"{form}[{field_name}]={_short(value)}"
                results.append((label, self.isolated(check, writes=True)))
        self.assert_all_pass(results, minimum=60)

    def text_fields(self):
        """(form, free-text field, page showing it given the rows after the post)."""

        def newest_prediction(after):
            pk = max(row[0] for row in after["predictions.Prediction"])
            return reverse("predictions:detail", args=[pk])

        def detail(prediction):
            return lambda after: reverse("predictions:detail", args=[prediction.pk])

        evidence = lambda after: reverse("sources:prediction_evidence", args=[self.binary.pk])  # noqa: E731
        library = lambda after: reverse("sources:library")  # noqa: E731
        shared = lambda after: reverse("predictions:shared", args=[self.shared.share_token])  # noqa: E731
        return [
            ("create-binary", "question", newest_prediction),
            ("create-binary", "resolution_criteria", newest_prediction),
            ("create-binary", "notes", newest_prediction),
            ("create-binary", "new_tags", newest_prediction),
            ("create-choice", "label_0", newest_prediction),
            ("create-date", "question", newest_prediction),
            ("forecast-binary", "rationale", detail(self.binary)),
            ("resolve-binary", "note", detail(self.binary)),
            ("extend", "note", detail(self.dated)),
            ("edit", "question", detail(self.binary)),
            ("edit", "notes", detail(self.binary)),
            ("evidence-create", "title", evidence),
            ("evidence-create", "quote", evidence),
            ("evidence-create", "note", evidence),
            ("evidence-edit", "quote", evidence),
            ("source-edit", "title", library),
            (
                "source-edit",
                "notes",
                lambda after: reverse("sources:source_edit", args=[self.library_source.pk]),
            ),
            ("profile", "display_name", shared),
        ]

    def test_sources_dated_at_the_ends_of_the_calendar_still_resolve(self):
        """A source may carry any real date (an old document, a typo): resolving citing it
        still works, known-at clamped between the prediction's creation and now."""
        url = reverse("predictions:resolve", args=[self.binary.pk])
        results = []
        for day, expected in ((dt.date(1, 1, 1), NOW - dt.timedelta(days=10)), (dt.date.max, NOW)):

            def check(day=day, expected=expected):
                source = SourceFactory(owner=self.user, published_date=day)
                link = EvidenceLinkFactory(prediction=self.binary, source=source)
                page = self.client.get(f"{url}?evidence={link.pk}")
                data = {"outcome": "yes", "known_at": "", "note": "", "evidence": str(link.pk)}
                response = self.client.post(url, data)
                known_at = Prediction.objects.get(pk=self.binary.pk).known_at
                if (page.status_code, response.status_code, known_at) != (200, 302, expected):
                    return f"{page.status_code}, {response.status_code}, known at {known_at}"
                return ""

            results.append((str(day), self.isolated(check, writes=True)))
        self.assert_all_pass(results, minimum=2)


# --- Import values: every format × every class of hostile value ---------------------
#
# Each file holds a valid first record and a second whose one slot (a cell, or a JSON
# field) carries the hostile value. The import must name exactly that row and column
# (JSON: prediction and field), say what is wrong, and write nothing; the same file
# with a valid value in the slot imports (test_import_value_files_import_unpoisoned).

POISON = "__poison__"
OFFSET_TIMES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
OUT_OF_RANGE_DAYS = ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"]
DATE_VALUES = [*OFFSET_TIMES, *OUT_OF_RANGE_DAYS, "1900-01-01T00:30:00+01:00"]
PROBABILITY_VALUES = [
    "1e999999999%",
    "1e999999999",
    "1e-999999999",
    "NaN",
    "-0",
    "sNaN",
    "Infinity",
    "-Infinity",
    "9" * 400,
    "0." + "0" * 400 + "7",
    "1e99999999999999999999",
    "٣٠",  # Arabic-Indic digits: Decimal reads them, no file means them
]
INTEGER_VALUES = ["99999999999999999999", "-99999999999999999999", "9" * 5000, "1_000", "1e3"]
# JSON has numbers the CSV cells lack: written raw (unquoted) into the file.
JSON_RAW_NUMBERS = ["1e400", "1e99999999999999999999", "NaN", "Infinity", "-0", "9" * 5000]
JSON_RAW_INTEGERS = ["99999999999999999999", "9" * 5000, "1e400", "-Infinity"]
MSG_PROBABILITY = "expected a probability"
MSG_WHOLE = "expected a whole number"


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@dataclass(frozen=True)
class ImportFormat:
    """A valid file of one format with a POISON marker in each slot, the row (or
    prediction) the slot sits on, and the valid value it holds when unpoisoned."""

    name: str
    build: Any  # (slot, value) -> bytes
    slots: dict[str, tuple[str, int, str]]  # slot -> (kind of value, row, valid value)
    unit: str = "row"

    def where(self, slot: str) -> str:
        row = self.slots[slot][1]
        return f"{self.unit} {row}, {'column' if self.unit == 'row' else 'field'} {slot}"


def _csv_format(name: str, header: list[str], good: list[str], poisoned: list[list[str]], slots):
    def build(slot: str, value: str, raw: bool = False) -> bytes:  # raw: JSON's only
        column = header.index(slot)
        rows = [good]
        for row in poisoned:
            row = list(row)
            if row[column] == POISON:
                row[column] = value
            rows.append(row)
        # Every other poisoned-row slot holds its valid value.
        valid = {header.index(s): v for s, (_, _, v) in slots.items()}
        rows = [[valid[i] if c == POISON else c for i, c in enumerate(row)] for row in rows]
        return _csv_bytes([header, *rows])

    return ImportFormat(name, build, slots)


P = POISON


def _cells(line: str) -> list[str]:
    """A row written as "a|b|c" (none of these cells holds a bar)."""
    return line.split("|")


GENERIC_FORMAT = _csv_format(
    "generic CSV",
    _cells("question|probability|created|resolve_by|outcome|resolved"),
    _cells("A good claim|70%|2025-05-01|2025-06-30|yes|2025-07-01T00:00:00Z"),
    [_cells(f"A poisoned claim|{P}|{P}|{P}|no|{P}")],
    {
        "probability": ("probability", 3, "40%"),
        "created": ("date", 3, "2025-05-02"),
        "resolve_by": ("date", 3, "2025-07-31"),
        "resolved": ("date", 3, "2025-08-01T00:00:00Z"),
    },
)
FATEBOOK_FORMAT = _csv_format(
    "Fatebook CSV",
    _cells(
        "Question title|Forecast created by|Forecast (scale = 0-1)|Forecast created at"
        "|Question created by|Question created at|Question resolve by|Resolution|Resolved at"
    ),
    _cells(
        "Good|Ada|0.7|2025-05-01 10:00:0|Ada|2025-05-01 09:00:0|2025-06-30|YES|2025-07-01 12:00:0"
    ),
    [_cells(f"Poisoned|Ada|{P}|{P}|Ada|{P}|{P}|NO|{P}")],
    {
        "Forecast (scale = 0-1)": ("probability", 3, "0.4"),
        "Forecast created at": ("date", 3, "2025-05-02 10:00:0"),
        "Question created at": ("date", 3, "2025-05-02 09:00:0"),
        "Question resolve by": ("date", 3, "2025-07-31"),
        "Resolved at": ("date", 3, "2025-08-01 12:00:0"),
    },
)
PREDICTIONBOOK_CSV_FORMAT = _csv_format(
    "PredictionBook CSV",
    _cells("id|description|created_at|deadline|confidence|judgement|judged_at"),
    _cells(
        "101|Good|2025-05-01 10:00:00 UTC|2025-06-30 00:00:00 UTC|70|right|2025-07-01 00:00:00 UTC"
    ),
    [_cells(f"{P}|Poisoned|{P}|{P}|{P}|wrong|{P}")],
    {
        "id": ("integer", 3, "102"),
        "created_at": ("date", 3, "2025-05-02 10:00:00 UTC"),
        "deadline": ("date", 3, "2025-07-31 00:00:00 UTC"),
        "confidence": ("probability", 3, "40"),
        "judged_at": ("date", 3, "2025-08-01 00:00:00 UTC"),
    },
)
_T = "2025-05-01T10:00:00Z"
_CLOSED = "2025-08-01T00:00:00Z|2025-07-31|2025-05-01T10:00:00Z|2025-08-01T00:00:00Z"
OUR_CSV_FORMAT = _csv_format(
    "our CSV",
    _cells(
        "prediction_id|question|kind|option|forecast_id|forecast_at|probability|value|status"
        "|resolution|known_at|resolve_by|created_at|resolved_at"
    ),
    _cells(f"1|Good|binary||11|{_T}|0.7||resolved|yes|2025-07-01T00:00:00Z|2025-06-30|{_T}|{_T}"),
    [
        # A release-date prediction, resolved: its first quantile row carries the poison.
        _cells(f"{P}|Poisoned|date||{P}|{P}|{P}|{P}|resolved|{P}|{P}|{P}|{P}|{P}"),
        _cells(f"2|Poisoned|date||12|{_T}|0.5|2025-07-15|resolved|2025-07-20|{_CLOSED}"),
        _cells(f"2|Poisoned|date||12|{_T}|0.9|2025-07-30|resolved|2025-07-20|{_CLOSED}"),
    ],
    {
        "prediction_id": ("integer", 3, "2"),
        "forecast_id": ("integer", 3, "12"),
        "forecast_at": ("date", 3, _T),
        "probability": ("probability", 3, "0.1"),
        "value": ("date", 3, "2025-07-01"),
        "resolution": ("date", 3, "2025-07-20"),
        "known_at": ("date", 3, "2025-08-01T00:00:00Z"),
        "resolve_by": ("date", 3, "2025-07-31"),
        "created_at": ("date", 3, _T),
        "resolved_at": ("date", 3, "2025-08-01T00:00:00Z"),
    },
)


def _json_format(name: str, document: Any, slots: dict, unit: str = "prediction"):
    """`document` holds POISON (a string) in each slot; slots name their JSON path."""

    def build(slot: str, value: str, raw: bool = False) -> bytes:
        def fill(node, path=""):
            if isinstance(node, dict):
                return {k: fill(v, f"{path}.{k}" if path else k) for k, v in node.items()}
            if isinstance(node, list):
                return [fill(v, f"{path}[{i}]") for i, v in enumerate(node)]
            if node == POISON:
                here = path.split(".", 1)[1] if path.startswith("predictions[") else path
                return POISON if here == slot else slots[here][2]
            return node

        text = json.dumps(fill(document))
        return text.replace(f'"{POISON}"', value if raw else json.dumps(value)).encode()

    return ImportFormat(name, build, slots, unit=unit)


# PredictionBook's API JSON: prediction 2 carries the poison.
PREDICTIONBOOK_JSON_FORMAT = _json_format(
    "PredictionBook API JSON",
    {
        "user": {"user_id": 7},
        "predictions": [
            {
                "id": 201,
                "description": "Good",
                "created_at": "2025-05-01T10:00:00Z",
                "deadline": "2025-06-30T00:00:00Z",
                "outcome": True,
                "responses": [
                    {"id": 1, "confidence": 70, "created_at": _T, "user_id": 7},
                ],
            },
            {
                "id": POISON,
                "description": "Poisoned",
                "created_at": POISON,
                "deadline": POISON,
                "updated_at": POISON,
                "judged_at": POISON,
                "outcome": False,
                "responses": [
                    {"id": 2, "confidence": POISON, "created_at": POISON, "user_id": 7},
                ],
            },
        ],
    },
    {
        "id": ("integer", 2, 202),
        "created_at": ("date", 2, "2025-05-02T10:00:00Z"),
        "deadline": ("date", 2, "2025-07-31T00:00:00Z"),
        "updated_at": ("date", 2, "2025-07-01T00:00:00Z"),
        "judged_at": ("date", 2, "2025-08-01T00:00:00Z"),
        "responses[0].confidence": ("probability", 2, 40),
        "responses[0].created_at": ("date", 2, "2025-05-02T10:00:00Z"),
    },
)
_SOURCE = {"url": "https://example.org/report", "title": "A report"}
# Our JSON export: a yes/no prediction with a history, edits and evidence (2), a
# multiple-choice one (3) and a release-date one (4) after a valid first.
OUR_JSON_FORMAT = _json_format(
    "our JSON",
    {
        "format_version": 1,
        "predictions": [
            {
                "id": 1,
                "created_at": _T,
                "kind": "binary",
                "question": "Good",
                "resolve_by": "2025-06-30",
                "forecasts": [{"id": 11, "created_at": _T, "probability": 0.7}],
            },
            {
                "id": POISON,
                "created_at": POISON,
                "kind": "binary",
                "question": "Poisoned yes/no",
                "resolve_by": POISON,
                "forecasts": [{"id": POISON, "created_at": POISON, "probability": POISON}],
                "resolution_history": [
                    {"action": "resolve", "outcome": "yes", "created_at": POISON}
                    | {"known_at": POISON}
                ],
                "edits": [
                    {"field": "question", "old_value": "Before", "new_value": "Poisoned yes/no"}
                    | {"created_at": POISON}
                ],
                "evidence": [
                    {"id": 5, "stance": "supports", "created_at": POISON}
                    | {"source": _SOURCE | {"created_at": POISON}}
                ],
            },
            {
                "id": 3,
                "created_at": _T,
                "kind": "multiple_choice",
                "question": "Poisoned choice",
                "resolve_by": "2025-06-30",
                "options": [{"label": "A", "position": 0}, {"label": "B", "position": 1}],
                "forecasts": [
                    {
                        "id": 31,
                        "created_at": _T,
                        "option_probabilities": [
                            {"option": "A", "probability": POISON},
                            {"option": "B", "probability": 0.4},
                        ],
                    }
                ],
            },
            {
                "id": 4,
                "created_at": _T,
                "kind": "date",
                "question": "Poisoned release",
                "resolve_by": "2025-08-31",
                "forecasts": [
                    {
                        "id": 41,
                        "created_at": _T,
                        "quantiles": [
                            {"level": POISON, "value": "2025-07-01"},
                            {"level": 0.5, "value": POISON},
                            {"level": 0.9, "value": "2025-08-30"},
                        ],
                    }
                ],
                "resolution_history": [
                    {"action": "resolve", "created_at": "2025-09-01T00:00:00Z"}
                    | {"known_at": "2025-09-01T00:00:00Z", "outcome": POISON}
                ],
            },
        ],
    },
    {
        "id": ("integer", 2, 2),
        "created_at": ("date", 2, _T),
        "resolve_by": ("date", 2, "2025-06-30"),
        "forecasts[0].id": ("integer", 2, 21),
        "forecasts[0].created_at": ("date", 2, _T),
        "forecasts[0].probability": ("probability", 2, 0.3),
        "resolution_history[0].created_at": ("date", 2, "2025-07-01T00:00:00Z"),
        "resolution_history[0].known_at": ("date", 2, "2025-07-01T00:00:00Z"),
        "edits[0].created_at": ("date", 2, "2025-05-01T11:00:00Z"),
        "evidence[0].created_at": ("date", 2, "2025-05-01T11:00:00Z"),
        "evidence[0].source.created_at": ("date", 2, "2025-05-01T11:00:00Z"),
        "forecasts[0].option_probabilities[0].probability": ("probability", 3, 0.6),
        "forecasts[0].quantiles[0].level": ("probability", 4, 0.1),
        "forecasts[0].quantiles[1].value": ("date", 4, "2025-07-15"),
        "resolution_history[0].outcome": ("date", 4, "2025-08-15"),
    },
)
IMPORT_FORMATS = [
    GENERIC_FORMAT,
    FATEBOOK_FORMAT,
    PREDICTIONBOOK_CSV_FORMAT,
    PREDICTIONBOOK_JSON_FORMAT,
    OUR_CSV_FORMAT,
    OUR_JSON_FORMAT,
]
VALUE_CLASSES = {
    "date": (DATE_VALUES, rules.MSG_DATE_RANGE),
    "probability": (PROBABILITY_VALUES, MSG_PROBABILITY),
    "integer": (INTEGER_VALUES, MSG_WHOLE),
}

JSON_FORMATS = (PREDICTIONBOOK_JSON_FORMAT, OUR_JSON_FORMAT)
RAW_CLASSES = {
    "probability": ("raw JSON number", JSON_RAW_NUMBERS),
    "integer": ("raw JSON integer", JSON_RAW_INTEGERS),
}


def _value_cases():
    """(format, value class, slots of that class, values, raw, expected message)."""
    for fmt in IMPORT_FORMATS:
        for kind, (values, expected) in VALUE_CLASSES.items():
            slots = [slot for slot, (k, _, _) in fmt.slots.items() if k == kind]
            if not slots:
                continue
            yield pytest.param(fmt, slots, values, False, expected, id=f"{fmt.name}-{kind}")
            if fmt in JSON_FORMATS and kind in RAW_CLASSES:
                label, raw_values = RAW_CLASSES[kind]
                yield pytest.param(fmt, slots, raw_values, True, expected, id=f"{fmt.name}-{label}")


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "slots", "values", "raw", "expected"), list(_value_cases()))
def test_import_values_are_refused_at_their_row_and_column(fmt, slots, values, raw, expected):
    owner = UserFactory(username="importer")
    before = snapshot()
    failures = []
    for slot in slots:
        where = fmt.where(slot)
        for value in values:
            content = fmt.build(slot, value, raw=True) if raw else fmt.build(slot, value)
            result = run_import(io.BytesIO(content), owner=owner)
            found = [m for m in result.problems.messages() if m.startswith(f"{where}: ")]
            if not any(expected in m for m in found):
                failures.append(f"{slot}={_short(value)}: {result.problems.messages()[:3]}")
            if result.written or changed_tables(before, snapshot()):
                failures.append(f"{slot}={_short(value)}: rows were written")
    assert slots
    assert not failures, failures


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", IMPORT_FORMATS, ids=lambda fmt: fmt.name)
def test_import_value_files_import_unpoisoned(fmt):
    """The control: each file with a valid value in every slot imports every record,
    so the refusals above are the hostile value's doing."""
    owner = UserFactory(username="importer")
    slot, (_, _, valid) = next(iter(fmt.slots.items()))
    content = (
        fmt.build(slot, json.dumps(valid) if fmt in JSON_FORMATS else valid, raw=True)
        if fmt in JSON_FORMATS
        else fmt.build(slot, valid)
    )
    result = run_import(io.BytesIO(content), owner=owner)
    assert result.written, result.problems.messages()
    records = 4 if fmt is OUR_JSON_FORMAT else 2
    assert Prediction.objects.filter(owner=owner).count() == records


# JSON values of a type no field takes (lists and objects where an id or a flag goes):
# refused at their field, never an unhashable-type error.
WRONG_TYPES = [
    (OUR_JSON_FORMAT, ("evidence", 0), "id", [1], "evidence[0].id"),
    (OUR_JSON_FORMAT, ("evidence", 0), "id", {"a": 1}, "evidence[0].id"),
    (OUR_JSON_FORMAT, ("forecasts", 0), "evidence_id", [5], "forecasts[0].evidence_id"),
    (
        OUR_JSON_FORMAT,
        ("resolution_history", 0),
        "evidence_id",
        {"x": 1},
        "resolution_history[0].evidence_id",
    ),
    (OUR_JSON_FORMAT, ("forecasts", 0), "id", True, "forecasts[0].id"),
    (PREDICTIONBOOK_JSON_FORMAT, (), "outcome", [1], "outcome"),
    (PREDICTIONBOOK_JSON_FORMAT, (), "outcome", {"a": True}, "outcome"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "path", "key", "value", "field"), WRONG_TYPES)
def test_json_values_of_the_wrong_type_are_refused_at_their_field(fmt, path, key, value, field):
    owner = UserFactory(username="importer")
    slot, (_, _, valid) = next(iter(fmt.slots.items()))
    document = json.loads(fmt.build(slot, json.dumps(valid), raw=True))
    node = document["predictions"][1]
    for step in path:
        node = node[step]
    node[key] = value
    before = snapshot()
    result = run_import(io.BytesIO(json.dumps(document).encode()), owner=owner)
    assert any(m.startswith(f"prediction 2, field {field}: ") for m in result.problems.messages())
    assert not result.written
    assert not changed_tables(before, snapshot())


# One set of bounds: a form field, the single-row service and every import agree on
# the first and last day allowed and the days just outside.
EDGE_DAYS = {
    dt.date(1899, 12, 31): False,
    dt.date(1900, 1, 1): True,
    dt.date(2199, 12, 31): True,
    dt.date(2200, 1, 1): False,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "allowed"), EDGE_DAYS.items(), ids=str)
def test_forms_services_and_imports_share_the_date_bounds(day, allowed):
    owner = UserFactory(username="importer")
    verdicts = {}
    try:
        BoundedDateField().clean(day.isoformat())
        verdicts["form"] = True
    except ValidationError:
        verdicts["form"] = False
    try:
        with transaction.atomic():
            services.prediction_create(
                owner=owner, question="Edge", resolve_by=day, probability=Decimal("0.5")
            )
        verdicts["service"] = True
    except ValidationError:
        verdicts["service"] = False
    for fmt in IMPORT_FORMATS:
        for slot, (kind, _, _) in fmt.slots.items():
            if kind != "date" or slot in ("resolution_history[0].outcome", "resolution"):
                continue  # an actual date must also have happened: 2199 has not
            content = fmt.build(slot, day.isoformat())
            result = run_import(io.BytesIO(content), owner=owner, dry_run=True)
            verdicts[f"{fmt.name} {slot}"] = rules.MSG_DATE_RANGE not in " ".join(
                result.problems.messages()
            )
    assert verdicts == dict.fromkeys(verdicts, allowed)
