"""Forms: what a person may type, and what they are told when it is wrong.

Every refused value is checked twice: on the bound form (the message, keyed by field)
and through the page (status 200, the message inside the field's own row, nothing
written).
"""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from predictions.capture import MSG_NO_DATE
from predictions.forms import MSG_QUESTION_TOO_LONG, PredictionForm, ResolveForm
from predictions.models import Forecast, Prediction, ResolutionEvent, Tag
from predictions.probability import (
    MSG_EMPTY,
    MSG_NOT_A_NUMBER,
    MSG_OUT_OF_RANGE,
    MSG_TOO_PRECISE,
    ProbabilityError,
    parse_probability,
)
from predictions.services import (
    MSG_KNOWN_AT_BEFORE_CREATION,
    MSG_KNOWN_AT_FUTURE,
    MSG_TAG_TOO_LONG,
    tags_for_names,
)
from tests.predictions.factories import PredictionFactory, UserFactory

NOW = dt.datetime(2026, 5, 14, 12, 0, 30, tzinfo=dt.UTC)

VALID = [
    ("0", Decimal("0.000")),
    ("100", Decimal("1.000")),
    ("70", Decimal("0.700")),
    ("70%", Decimal("0.700")),
    (" 70 % ", Decimal("0.700")),
    ("70.5", Decimal("0.705")),
    ("0.5%", Decimal("0.005")),
]
INVALID = [
    ("", MSG_EMPTY),
    ("-0.1", MSG_OUT_OF_RANGE),
    ("100.1", MSG_OUT_OF_RANGE),
    ("abc", None),  # words: the parser suggests what to type (see test_phrases)
    ("NaN", MSG_NOT_A_NUMBER),
    ("inf", MSG_NOT_A_NUMBER),
    ("1e3", MSG_NOT_A_NUMBER),
    ("70.55", MSG_TOO_PRECISE),
]


def expected_message(text: str, message: str | None) -> str:
    """The pinned message, or for words whatever the parser says (non-empty)."""
    if message is not None:
        return message
    with pytest.raises(ProbabilityError) as refused:
        parse_probability(text)
    assert str(refused.value)
    return str(refused.value)


def form_row(html: str, name: str) -> str:
    """The `<div class="form-row">` holding the input named `name`: where its errors belong."""
    rows = html.split('<div class="form-row">')[1:]
    matches = [row for row in rows if re.search(rf'name="{re.escape(name)}"', row)]
    assert len(matches) == 1, f"no single form row for {name!r}"
    return matches[0]


def field_errors(html: str, name: str) -> list[str]:
    """The messages of the error list attached to field `name` (escaped as in the page)."""
    match = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def create_data(**overrides) -> dict:
    data = {
        "question": "The bridge reopens before June",
        "probability": "70",
        "resolve_by": "2026-06-01",
        "resolution_criteria": "The city's announcement.",
        "notes": "",
        "new_tags": "",
        "visibility": "private",
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Prediction.objects.count(), Forecast.objects.count(), Tag.objects.count()


@time_machine.travel(NOW, tick=False)
class PredictionFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def test_accepts_every_documented_spelling_exactly(self):
        for text, expected in VALID:
            with self.subTest(text=text):
                form = PredictionForm(create_data(probability=text), owner=self.owner)
                assert form.is_valid(), form.errors
                assert form.cleaned_data["probability"].probability == expected
                assert str(form.cleaned_data["probability"].probability) == str(expected)

    def test_refuses_each_invalid_probability_with_its_message(self):
        for text, message in INVALID:
            with self.subTest(text=text):
                form = PredictionForm(create_data(probability=text), owner=self.owner)
                assert not form.is_valid()
                assert form.errors["probability"] == [expected_message(text, message)]
                assert set(form.errors) == {"probability"}

    def test_refuses_a_10000_character_claim(self):
        form = PredictionForm(create_data(question="x" * 10_000), owner=self.owner)
        assert not form.is_valid()
        assert form.errors["question"] == [MSG_QUESTION_TOO_LONG]

    def test_accepts_a_claim_of_exactly_the_maximum_length(self):
        form = PredictionForm(create_data(question="x" * 300), owner=self.owner)
        assert form.is_valid(), form.errors

    def test_only_offers_the_owners_tags(self):
        own = Tag.objects.create(owner=self.owner, name="mine")
        other = Tag.objects.create(owner=UserFactory(), name="theirs")
        form = PredictionForm(create_data(tags=[str(other.pk)]), owner=self.owner)
        assert list(form.fields["tags"].queryset) == [own]
        assert not form.is_valid()
        assert "tags" in form.errors

    def test_refuses_a_new_tag_longer_than_40_characters(self):
        form = PredictionForm(create_data(new_tags="ok, " + "t" * 41), owner=self.owner)
        assert not form.is_valid()
        assert form.errors["new_tags"] == ["Each tag can be at most 40 characters."]

    def test_the_tag_length_is_the_models_and_the_message_the_services(self):
        limit = Tag._meta.get_field("name").max_length
        assert PredictionForm(create_data(new_tags="t" * limit), owner=self.owner).is_valid()
        form = PredictionForm(create_data(new_tags="t" * (limit + 1)), owner=self.owner)
        assert not form.is_valid()
        with pytest.raises(ValidationError) as ctx:
            tags_for_names(owner=self.owner, names=["t" * (limit + 1)])
        assert form.errors["new_tags"] == ctx.value.message_dict["tags"] == [MSG_TAG_TOO_LONG]
        with mock.patch("predictions.rules.TAG_NAME_MAX_LENGTH", limit + 1):
            # the form has no number of its own: the rules' (the model's) limit decides
            assert PredictionForm(
                create_data(new_tags="t" * (limit + 1)), owner=self.owner
            ).is_valid()


@time_machine.travel(NOW, tick=False)
class CreatePageValidationTests(TestCase):
    """Invalid input re-renders the page (200) with the message in the field's row."""

    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def setUp(self):
        self.client.force_login(self.owner)

    def post(self, **overrides):
        return self.client.post(reverse("predictions:create"), create_data(**overrides))

    def assert_refused(self, response, field: str, message: str) -> None:
        assert response.status_code == 200
        html = response.content.decode()
        assert field_errors(html, field) == [escape(message)]
        row = form_row(html, field)
        assert escape(message) in row
        assert 'aria-invalid="true"' in row

    def test_each_invalid_probability_is_refused_next_to_the_field_and_writes_nothing(self):
        for text, message in INVALID:
            with self.subTest(text=text):
                before = counts()
                response = self.post(probability=text, new_tags="fresh")
                self.assert_refused(response, "probability", expected_message(text, message))
                assert counts() == before
                # The other fields keep what was typed, so only the mistake needs fixing.
                assert 'value="The bridge reopens before June"' in response.content.decode()

    def test_a_10000_character_claim_is_refused_next_to_the_field_and_writes_nothing(self):
        before = counts()
        response = self.post(question="x" * 10_000, new_tags="fresh")
        self.assert_refused(response, "question", MSG_QUESTION_TOO_LONG)
        assert counts() == before

    def test_a_missing_resolve_by_date_is_refused_next_to_the_field(self):
        before = counts()
        response = self.post(resolve_by="", question="The bridge reopens")  # no date in it
        self.assert_refused(response, "resolve_by", MSG_NO_DATE)
        assert counts() == before

    def test_seventy_is_stored_exactly(self):
        response = self.post(probability="70")
        prediction = Prediction.objects.get()
        assert response.status_code == 302
        forecast = Forecast.objects.get(prediction=prediction)
        forecast.refresh_from_db()
        assert forecast.probability == Decimal("0.700")
        assert str(forecast.probability) == "0.700"
        assert forecast.created_at == prediction.created_at == NOW

    def test_each_valid_spelling_is_stored_exactly(self):
        for text, expected in VALID:
            with self.subTest(text=text):
                response = self.post(probability=text, question=f"Claim typed as {text!r}")
                assert response.status_code == 302
                forecast = Forecast.objects.get(prediction__question=f"Claim typed as {text!r}")
                assert str(forecast.probability) == str(expected)


@time_machine.travel(NOW, tick=False)
class ResolveFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.prediction = PredictionFactory(created_at=NOW - dt.timedelta(days=10))

    def test_known_at_may_not_be_in_the_future(self):
        form = ResolveForm(
            {"outcome": "yes", "known_at": "2026-05-14T12:02"}, prediction=self.prediction
        )
        assert not form.is_valid()
        assert form.errors["known_at"] == [MSG_KNOWN_AT_FUTURE]

    def test_known_at_may_not_precede_the_prediction(self):
        form = ResolveForm(
            {"outcome": "yes", "known_at": "2026-05-04T11:59"}, prediction=self.prediction
        )
        assert not form.is_valid()
        assert form.errors["known_at"] == [MSG_KNOWN_AT_BEFORE_CREATION]

    def test_known_at_is_optional_and_may_be_earlier_than_now(self):
        assert ResolveForm({"outcome": "no"}, prediction=self.prediction).is_valid()
        form = ResolveForm(
            {"outcome": "no", "known_at": "2026-05-10T08:00"}, prediction=self.prediction
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["known_at"] == dt.datetime(2026, 5, 10, 8, 0, tzinfo=dt.UTC)

    def test_outcome_is_required_and_limited_to_yes_no_annulled(self):
        for outcome in ["", "maybe"]:
            with self.subTest(outcome=outcome):
                form = ResolveForm({"outcome": outcome}, prediction=self.prediction)
                assert not form.is_valid()
                assert "outcome" in form.errors

    def test_the_page_shows_the_message_next_to_known_at_and_writes_nothing(self):
        self.client.force_login(self.prediction.owner)
        response = self.client.post(
            reverse("predictions:resolve", args=[self.prediction.pk]),
            {"outcome": "yes", "known_at": "2027-01-01T00:00"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert escape(MSG_KNOWN_AT_FUTURE) in form_row(html, "known_at")
        self.prediction.refresh_from_db()
        assert self.prediction.status == Prediction.Status.OPEN
        assert not ResolutionEvent.objects.exists()
