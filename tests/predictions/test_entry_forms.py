"""The entry forms never guess and never lose what was typed: probability readings,
multiple-choice rows, forms that start from the current forecast, past dates on edit.

View tests through the test client (real database); the browser side is in
tests/e2e/test_entry.py.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from predictions import services
from predictions.models import Prediction, Tag
from predictions.probability import ProbabilityError, parse_probability
from tests.predictions.factories import PredictionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def binary_post(**overrides) -> dict:
    data = {
        "kind": "binary",
        "question": "Rain in Paris tomorrow",
        "probability": "30",
        "resolve_by": "2099-01-01",
        "visibility": "private",
    }
    return data | overrides


# --- probability readings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one in three", "0.333"),
        ("two in five", "0.400"),
        ("1 in 4", "0.250"),
        ("3 out of 10", "0.300"),
        ("One-in-three", "0.333"),
        ("one in a hundred", "0.010"),
        ("a one in four chance", "0.250"),
        ("two to one against", "0.333"),
        ("even odds", "0.500"),
        ("a coin flip", "0.500"),
        ("coin toss", "0.500"),
    ],
)
def test_spelled_out_odds_are_read(text, expected):
    reading = parse_probability(text)
    assert reading.probability == Decimal(expected)
    assert reading.phrase == text


@pytest.mark.parametrize("text", ["-1 in 20", "five in three", "one in zero"])
def test_spelled_out_odds_keep_the_odds_refusals(text):
    with pytest.raises(ProbabilityError):
        parse_probability(text)


@pytest.mark.parametrize(
    ("text", "suggested", "never"),
    [
        ("possible", "“could happen”", "“probable”"),
        ("quite possible", "“realistic possibility”", "“probable”"),
        ("likley", "“likely”", "“unlikely”"),
        ("doubtful", "“we doubt”", "“likely”"),
    ],
)
def test_suggestions_go_by_meaning_not_spelling(text, suggested, never):
    with pytest.raises(ProbabilityError) as exc:
        parse_probability(text)
    assert suggested in str(exc.value)
    assert never not in str(exc.value)


def test_a_bare_fraction_requires_a_choice_and_saves_nothing(client_for):
    response = client_for.post(reverse("predictions:create"), binary_post(probability="0.3"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "0.3% — did you mean 30%?" in html
    assert 'type="radio" name="probability_meant" value="0.3%"' in html
    assert 'type="radio" name="probability_meant" value="30%"' in html
    assert 'aria-invalid="true"' in html
    assert not Prediction.objects.exists()


@pytest.mark.parametrize(("choice", "stored"), [("30%", "0.300"), ("0.3%", "0.003")])
def test_the_chosen_reading_is_saved(client_for, choice, stored):
    data = binary_post(probability="0.3", probability_meant=choice)
    response = client_for.post(reverse("predictions:create"), data)
    assert response.status_code == 302
    assert Prediction.objects.get().forecasts.get().probability == Decimal(stored)


def test_a_choice_for_another_value_is_ignored(client_for):
    """A stale choice (the box was changed to 0.4 after choosing 30% for 0.3) asks again."""
    data = binary_post(probability="0.4", probability_meant="30%")
    response = client_for.post(reverse("predictions:create"), data)
    assert "0.4% — did you mean 40%?" in response.content.decode()
    assert not Prediction.objects.exists()


def test_the_live_reading_asks_too_with_buttons(client_for):
    response = client_for.get(reverse("predictions:probability_reading"), {"text": "0.3"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "reading-error" in html
    assert "0.3% — did you mean 30%?" in html
    assert 'data-set-probability="30%"' in html
    assert 'data-set-probability="0.3%"' in html


def test_a_refused_probability_is_marked_as_an_error_next_to_its_box(client_for):
    response = client_for.post(reverse("predictions:create"), binary_post(probability="possible"))
    html = response.content.decode()
    row_start = html.index('id="id_probability"')
    row = html[html.rfind('<div class="form-row">', 0, row_start) : row_start + 2000]
    assert 'class="errorlist' in row
    assert "“could happen”" in row
    assert 'aria-invalid="true"' in row


# --- the edit form asks before a past resolve-by date ---------------------------------


def edit_post(prediction, **overrides) -> dict:
    data = {
        "question": prediction.question,
        "resolve_by": prediction.resolve_by.isoformat(),
        "resolution_criteria": "",
        "notes": "",
    }
    return data | overrides


def test_the_edit_form_asks_before_moving_the_date_into_the_past(client_for):
    prediction = PredictionFactory(owner=client_for.user)
    url = reverse("predictions:edit", args=[prediction.pk])
    response = client_for.post(url, edit_post(prediction, resolve_by="2023-03-01"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wed 1 Mar 2023 is in the past" in html
    assert 'name="confirm_past"' in html
    assert 'value="2023-03-01"' in html  # what was typed is kept
    prediction.refresh_from_db()
    assert prediction.resolve_by != dt.date(2023, 3, 1)

    response = client_for.post(
        url, edit_post(prediction, resolve_by="2023-03-01", confirm_past="1")
    )
    assert response.status_code == 302
    prediction.refresh_from_db()
    assert prediction.resolve_by == dt.date(2023, 3, 1)


def test_editing_the_notes_of_a_past_due_prediction_asks_nothing(client_for):
    prediction = PredictionFactory(owner=client_for.user, resolve_by=dt.date(2023, 3, 1))
    url = reverse("predictions:edit", args=[prediction.pk])
    response = client_for.post(url, edit_post(prediction, notes="looked again"))
    assert response.status_code == 302
    prediction.refresh_from_db()
    assert prediction.notes == "looked again"


# --- a new user's create form ----------------------------------------------------------

KINDS = ["binary", "multiple_choice", "date"]
TRAILING = ["resolve_by", "resolution_criteria", "new_tags", "notes", "visibility"]


def field_names_in_order(html: str) -> list[str]:
    names = re.findall(r'<(?:input|textarea|select)[^>]*\bname="([a-z_]+)"', html)
    return list(dict.fromkeys(name for name in names if name in [*TRAILING, "tags"]))


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_user_sees_no_empty_tags_box_and_the_same_order(client_for, kind):
    html = client_for.get(reverse("predictions:create"), {"kind": kind}).content.decode()
    assert 'name="tags"' not in html
    assert '<label for="id_new_tags">Tags' in html
    assert field_names_in_order(html) == TRAILING


@pytest.mark.parametrize("kind", KINDS)
def test_with_tags_the_box_offers_them_in_the_same_place(client_for, kind):
    Tag.objects.create(owner=client_for.user, name="ai")
    html = client_for.get(reverse("predictions:create"), {"kind": kind}).content.decode()
    order = ["resolve_by", "resolution_criteria", "tags", "new_tags", "notes", "visibility"]
    assert field_names_in_order(html) == order


# --- multiple choice: rows added and removed without JavaScript ------------------------


def choice_post(labels, probabilities, **extra) -> dict:
    data = {
        "kind": "multiple_choice",
        "question": "Who wins?",
        "resolve_by": "2099-01-01",
        "visibility": "private",
        "option_count": str(len(labels)),
        "new_tags": "sport",
    }
    for i, (label, probability) in enumerate(zip(labels, probabilities, strict=True)):
        data[f"label_{i}"], data[f"prob_{i}"] = label, probability
    return data | extra


def rendered_rows(html: str) -> list[tuple[str, str]]:
    labels = dict(re.findall(r'name="label_(\d+)"[^>]*?value="([^"]*)"', html))
    probs = dict(re.findall(r'name="prob_(\d+)"[^>]*?value="([^"]*)"', html))
    count = len(re.findall(r'name="label_\d+"', html))
    return [(labels.get(str(i), ""), probs.get(str(i), "")) for i in range(count)]


def test_add_an_option_keeps_everything_and_the_new_option_is_saved(client_for):
    url = reverse("predictions:create")
    data = choice_post(["A", "B", "C"], ["50", "30", "10"], add_option="1")
    html = client_for.post(url, data).content.decode()
    assert rendered_rows(html) == [("A", "50"), ("B", "30"), ("C", "10"), ("", "")]
    assert re.search(r'name="option_count" value="4"', html)
    assert re.search(r'name="label_3"[^>]*autofocus', html)
    assert 'value="sport"' in html  # the rest of the form is kept too
    assert not Prediction.objects.exists()

    saved = choice_post(["A", "B", "C", "D"], ["50", "30", "10", "10"])
    assert client_for.post(url, saved).status_code == 302
    prediction = Prediction.objects.get()
    assert [o.label for o in prediction.options.all()] == ["A", "B", "C", "D"]


def test_remove_takes_out_one_row_and_moves_the_rest_up(client_for):
    data = choice_post(["A", "B", "C"], ["50", "30", "20"], remove_option="1")
    html = client_for.post(reverse("predictions:create"), data).content.decode()
    assert rendered_rows(html) == [("A", "50"), ("C", "20")]
    assert re.search(r'name="option_count" value="2"', html)
    assert "Removed option 2." in html
    # At two options the Remove buttons are hidden, and a forged press changes nothing.
    assert re.search(r'name="remove_option" value="0"[^>]*hidden', html)
    data = choice_post(["A", "C"], ["50", "20"], remove_option="0")
    html = client_for.post(reverse("predictions:create"), data).content.decode()
    assert rendered_rows(html) == [("A", "50"), ("C", "20")]
    assert "A question needs at least 2 options." in html


def test_a_two_option_question_can_be_created(client_for):
    data = choice_post(["Yes, before May", "No"], ["40", "60"])
    assert client_for.post(reverse("predictions:create"), data).status_code == 302
    assert Prediction.objects.get().options.count() == 2


def test_twenty_options_and_no_more(client_for):
    labels = [f"option {i}" for i in range(20)]
    data = choice_post(labels, ["5"] * 20, add_option="1")
    html = client_for.post(reverse("predictions:create"), data).content.decode()
    assert len(rendered_rows(html)) == 20
    assert re.search(r"data-add-option hidden", html)


def test_normalise_leaves_out_empty_rows_and_says_so(client_for):
    data = choice_post(["A", "B", ""], ["30", "30", ""], normalise="1")
    html = client_for.post(reverse("predictions:create"), data).content.decode()
    assert rendered_rows(html) == [("A", "50"), ("B", "50")]
    assert "Scaled from 60% to 100%. Left out the empty row 3." in html


def test_normalise_says_what_it_cannot_do(client_for):
    data = choice_post(["A", "B", "C"], ["30", "30", ""], normalise="1")
    html = client_for.post(reverse("predictions:create"), data).content.decode()
    assert rendered_rows(html) == [("A", "30"), ("B", "30"), ("C", "")]
    assert "Normalise needs a readable probability for every option: “C” has none yet." in html
    assert not Prediction.objects.exists()


def test_a_huge_or_forged_row_count_stays_within_bounds(client_for):
    for count in ("999999999999", "-5", "abc"):
        data = choice_post(["A", "B"], ["50", "50"], option_count=count, add_option="1")
        response = client_for.post(reverse("predictions:create"), data)
        assert response.status_code == 200
        assert 2 <= len(rendered_rows(response.content.decode())) <= 20


# --- updates start from the current forecast, with the creation form's aids -------------


def choice_prediction(owner):
    return services.prediction_create(
        owner=owner,
        kind=Prediction.Kind.MULTIPLE_CHOICE,
        question="Which option wins?",
        resolve_by=dt.date(2099, 1, 1),
        options=["Red", "Green", "Blue"],
        option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
    )


def test_the_multiple_choice_update_starts_from_the_current_forecast(client_for):
    prediction = choice_prediction(client_for.user)
    html = client_for.get(reverse("predictions:detail", args=[prediction.pk])).content.decode()
    panel = html[html.index('id="forecast-panel"') :]
    assert re.search(r'name="prob_0"[^>]*value="50%"', panel)
    assert re.search(r'name="prob_2"[^>]*value="20%"', panel)
    assert "Normalise to 100%" in panel  # the button the total mentions is there


def test_normalise_on_the_update_scales_and_saves_nothing(client_for):
    prediction = choice_prediction(client_for.user)
    url = reverse("predictions:forecast", args=[prediction.pk])
    data = {"prob_0": "60", "prob_1": "30", "prob_2": "30", "normalise": "1"}
    html = client_for.post(url, data).content.decode()
    assert re.search(r'name="prob_0"[^>]*value="50"', html)
    assert re.search(r'name="prob_1"[^>]*value="25"', html)
    assert "Scaled from 120% to 100%." in html
    assert prediction.forecasts.count() == 1


def test_the_release_date_update_starts_from_the_current_dates_in_text_boxes(client_for):
    days = {
        Decimal("0.1"): dt.date(2027, 1, 1),
        Decimal("0.5"): dt.date(2027, 6, 1),
        Decimal("0.9"): dt.date(2028, 1, 1),
    }
    prediction = services.prediction_create(
        owner=client_for.user,
        kind=Prediction.Kind.DATE,
        question="When does it ship?",
        resolve_by=dt.date(2099, 1, 1),
        quantiles=days,
    )
    html = client_for.get(reverse("predictions:detail", args=[prediction.pk])).content.decode()
    for name, day in [("q10", "2027-01-01"), ("q50", "2027-06-01"), ("q90", "2028-01-01")]:
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
        assert 'type="text"' in box
        assert f'value="{day}"' in box
    assert not re.search(r'<input[^>]*name="q25"[^>]*value=', html)

    url = reverse("predictions:forecast", args=[prediction.pk])
    data = {"q10": "2027-01-01", "q50": "end of june 2027", "q90": "2028-01-01"}
    assert client_for.post(url, data).status_code == 302
    latest = prediction.forecasts.order_by("-created_at", "-pk").first()
    assert {q.level: q.value for q in latest.quantiles.all()}[Decimal("0.5")] == dt.date(
        2027, 6, 30
    )


def test_the_date_reading_answers_for_any_date_box(client_for):
    response = client_for.get(reverse("predictions:date_reading"), {"q50": "2027-06-30"})
    assert "Wed 30 Jun 2027" in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_resolve_by_box_takes_the_date_from_the_claim(client_for, kind):
    data = binary_post(question="GPT-4 will be announced by 1 July 2099", resolve_by="")
    if kind == "multiple_choice":
        data = choice_post(["A", "B"], ["50", "50"], resolve_by="")
        data["question"] = "Who wins by 1 July 2099"
    elif kind == "date":
        data |= {"kind": "date", "q10": "2098-01-01", "q50": "2098-06-01", "q90": "2099-01-01"}
    response = client_for.post(reverse("predictions:create"), data)
    assert response.status_code == 302
    prediction = Prediction.objects.get()
    assert prediction.resolve_by == dt.date(2099, 7, 1)
    assert "by 1 July 2099" in prediction.question  # the phrase stays in the claim
