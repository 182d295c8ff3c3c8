"""Multiple-choice and release-date predictions: service and form boundaries, pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from predictions import rules, services
from predictions.kinds import (
    DatePredictionForm,
    MultipleChoicePredictionForm,
    OptionForecastForm,
    running_total,
)
from predictions.models import DateQuantile, Forecast, Option, OptionProbability, Prediction
from tests.predictions.factories import UserFactory

D = Decimal
TODAY = dt.date(2030, 1, 1)
HTMX = {"HX-Request": "true"}
QUANTILES = {
    D("0.1"): dt.date(2030, 1, 30),
    D("0.5"): dt.date(2030, 3, 1),
    D("0.9"): dt.date(2030, 5, 1),
}


def create_choice(
    owner, probabilities=("0.7", "0.25", "0.05"), labels=("misspoke", "leaked", "real")
):
    return services.prediction_create(
        owner=owner,
        kind=Prediction.Kind.MULTIPLE_CHOICE,
        question="Why did he say next week?",
        resolve_by=TODAY,
        options=list(labels),
        option_probabilities=[D(p) for p in probabilities],
    )


def create_date(owner, quantiles=None):
    return services.prediction_create(
        owner=owner,
        kind=Prediction.Kind.DATE,
        question="The release is out",
        resolve_by=TODAY,
        quantiles=QUANTILES if quantiles is None else quantiles,
    )


def row_counts() -> tuple[int, ...]:
    models = (Prediction, Option, Forecast, OptionProbability, DateQuantile)
    return tuple(model.objects.count() for model in models)


class MultipleChoiceServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def test_stores_options_in_order_with_exact_probabilities(self):
        prediction = create_choice(self.owner)
        assert [o.label for o in prediction.options.all()] == ["misspoke", "leaked", "real"]
        stored = prediction.forecasts.get().option_probabilities.all()
        assert [op.probability for op in stored] == [D("0.700"), D("0.250"), D("0.050")]

    def test_total_may_be_off_by_a_tenth_of_a_percent_but_not_by_two(self):
        create_choice(self.owner, ("0.7", "0.25", "0.051"))  # 100.1%: accepted
        before = row_counts()
        for probabilities in [("0.7", "0.25", "0.052"), ("0.7", "0.25", "0.048")]:
            with (
                self.subTest(probabilities=probabilities),
                self.assertRaisesMessage(ValidationError, ", not 100%."),
            ):
                create_choice(self.owner, probabilities)
        assert row_counts() == before

    def test_option_count_duplicates_and_empty_labels_are_refused(self):
        before = row_counts()
        cases = {
            "between 2 and 20": [f"option {i}" for i in range(21)],
            "different label": ["Yes", "yes"],
            "needs a label": ["Yes", " "],
        }
        cases["between 2 and 20 "] = ["only one"]
        for message, labels in cases.items():
            with self.subTest(labels=labels):
                share = str((D(1) / len(labels)).quantize(D("0.001")))
                with self.assertRaisesMessage(ValidationError, message.strip()):
                    create_choice(self.owner, [share] * len(labels), labels)
        assert row_counts() == before

    def test_twenty_options_are_fine(self):
        labels = [f"option {i}" for i in range(20)]
        prediction = create_choice(self.owner, ["0.05"] * 20, labels)
        assert prediction.options.count() == 20

    def test_resolution_takes_only_its_own_option(self):
        prediction = create_choice(self.owner)
        other = create_choice(self.owner)
        with pytest.raises(ValidationError):
            services.prediction_resolve(prediction=prediction, outcome=other.options.first())
        with pytest.raises(ValidationError):
            services.prediction_resolve(prediction=prediction, outcome="yes")
        winner = prediction.options.get(label="real")
        services.prediction_resolve(prediction=prediction, outcome=winner)
        prediction.refresh_from_db()
        assert prediction.outcome_option == winner
        assert prediction.outcome is None

    def test_a_binary_payload_is_refused_on_a_multiple_choice_prediction(self):
        prediction = create_choice(self.owner)
        with pytest.raises(ValidationError):
            services.forecast_create(prediction=prediction, author=self.owner, probability=D("0.5"))


class DateServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def test_stores_quantiles_sorted_by_level(self):
        prediction = create_date(self.owner, {**QUANTILES, D("0.25"): dt.date(2030, 2, 10)})
        stored = list(prediction.forecasts.get().quantiles.values_list("level", "value"))
        assert [level for level, _ in stored] == [D("0.100"), D("0.250"), D("0.500"), D("0.900")]

    def test_missing_equal_or_decreasing_dates_and_odd_levels_are_refused(self):
        before = row_counts()
        cases = {
            "10%, 50% and 90%": {D("0.1"): dt.date(2030, 1, 30), D("0.9"): dt.date(2030, 5, 1)},
            "later than the one before": {**QUANTILES, D("0.5"): dt.date(2030, 1, 30)},
            "later than the one before ": {**QUANTILES, D("0.9"): dt.date(2030, 2, 1)},
            "Only the 5, 10, 25": {**QUANTILES, D("0.6"): dt.date(2030, 3, 15)},
        }
        for message, quantiles in cases.items():
            with (
                self.subTest(message=message),
                self.assertRaisesMessage(ValidationError, message.strip()),
            ):
                create_date(self.owner, quantiles)
        assert row_counts() == before

    def test_extend_records_the_change_and_only_moves_later(self):
        prediction = create_date(self.owner)
        with pytest.raises(ValidationError):
            services.prediction_extend(prediction=prediction, resolve_by=TODAY)
        services.prediction_extend(
            prediction=prediction, resolve_by=dt.date(2030, 6, 1), note="slipped"
        )
        edit = prediction.edits.get()
        assert (edit.field, edit.old_value) == ("resolve_by", "2030-01-01")
        assert edit.new_value.startswith("2030-06-01")
        assert "slipped" in edit.new_value

    def test_resolves_with_the_actual_date(self):
        prediction = create_date(self.owner)
        services.prediction_resolve(prediction=prediction, outcome=dt.date(2025, 12, 1))
        prediction.refresh_from_db()
        assert prediction.outcome_date == dt.date(2025, 12, 1)
        assert prediction.resolution_events.get().outcome_date == dt.date(2025, 12, 1)

    def test_the_service_refuses_an_actual_date_in_the_future(self):
        """Not only the form: a service call with tomorrow's date writes nothing."""
        prediction = create_date(self.owner)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        before = row_counts()
        with pytest.raises(ValidationError) as ctx:
            services.prediction_resolve(prediction=prediction, outcome=tomorrow)
        assert ctx.value.message_dict == {"outcome": [rules.MSG_FUTURE_DATE]}
        assert row_counts() == before
        prediction.refresh_from_db()
        assert prediction.status == Prediction.Status.OPEN


class KindFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def choice_data(self, **overrides) -> dict:
        data = {
            "question": "Why?",
            "resolve_by": "2030-01-01",
            "visibility": "private",
            "option_count": "3",
            "label_0": "misspoke",
            "label_1": "leaked",
            "label_2": "real",
            "prob_0": "70",
            "prob_1": "25",
            "prob_2": "5",
        }
        return {**data, **overrides}

    def test_choice_form_reports_the_total(self):
        form = MultipleChoicePredictionForm(self.choice_data(prob_2="4.8"), owner=self.owner)
        assert not form.is_valid()
        assert "add up to 99.8%, not 100%" in str(form.non_field_errors())
        assert not form.total_ok

    def test_choice_form_accepts_words_and_odds_per_option(self):
        data = self.choice_data(prob_0="likely", prob_1="1 in 5", prob_2="5%")
        form = MultipleChoicePredictionForm(data, owner=self.owner)
        assert form.is_valid(), form.errors
        assert form.probabilities() == [D("0.750"), D("0.200"), D("0.050")]

    def test_duplicate_labels_are_refused_in_the_form(self):
        form = MultipleChoicePredictionForm(self.choice_data(label_1="Misspoke"), owner=self.owner)
        assert not form.is_valid()
        assert "different label" in str(form.non_field_errors())

    def test_unparseable_phrase_names_the_field(self):
        form = MultipleChoicePredictionForm(
            self.choice_data(prob_1="kinda maybe"), owner=self.owner
        )
        assert not form.is_valid()
        assert "Not a probability I can read" in form.errors["prob_1"][0]

    def test_normalise_scales_to_exactly_one_hundred(self):
        form = MultipleChoicePredictionForm(self.choice_data(prob_2="4"), owner=self.owner)
        data, note = form.normalised_data()
        assert note == "Scaled from 99% to 100%."
        assert [data["prob_0"], data["prob_1"], data["prob_2"]] == ["70.7", "25.3", "4"]
        assert running_total(data) == D("1.000")

    def test_option_rows_are_capped_at_twenty(self):
        form = MultipleChoicePredictionForm(
            self.choice_data(option_count="25", add_option="1"), owner=self.owner
        )
        assert form.option_total == 20

    def test_date_form_refuses_non_increasing_dates(self):
        data = {
            "question": "It ships",
            "resolve_by": "2030-06-01",
            "visibility": "private",
            "q10": "2030-03-01",
            "q50": "2030-03-01",
            "q90": "2030-05-01",
        }
        form = DatePredictionForm(data, owner=self.owner)
        assert not form.is_valid()
        assert "later than the one before" in str(form.non_field_errors())

    def test_option_forecast_form_labels_each_option(self):
        prediction = create_choice(self.owner)
        form = OptionForecastForm(prediction=prediction)
        assert [form.fields[f"prob_{i}"].label for i in range(3)] == [
            "Probability of “misspoke”",
            "Probability of “leaked”",
            "Probability of “real”",
        ]


class KindPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.stranger = UserFactory()

    def setUp(self):
        self.client.force_login(self.owner)

    def test_create_multiple_choice_through_the_page(self):
        data = {
            "kind": "multiple_choice",
            "question": "Why?",
            "resolve_by": "2030-01-01",
            "visibility": "private",
            "option_count": "2",
            "label_0": "A",
            "label_1": "B",
            "prob_0": "60",
            "prob_1": "40",
        }
        response = self.client.post(reverse("predictions:create"), data)
        prediction = Prediction.objects.get()
        assert response["Location"] == reverse("predictions:detail", args=[prediction.pk])
        assert prediction.kind == "multiple_choice"

    def test_add_option_and_normalise_redisplay_without_saving(self):
        data = {
            "kind": "multiple_choice",
            "question": "Why?",
            "option_count": "2",
            "label_0": "A",
            "label_1": "B",
            "prob_0": "30",
            "prob_1": "30",
        }
        html = self.client.post(reverse("predictions:create"), {**data, "add_option": "1"})
        assert html.content.decode().count('name="label_') == 3
        html = self.client.post(reverse("predictions:create"), {**data, "normalise": "1"})
        assert 'name="prob_0" value="50"' in html.content.decode()
        assert Prediction.objects.count() == 0

    def test_running_total_fragment(self):
        response = self.client.post(
            reverse("predictions:option_total"), {"prob_0": "70", "prob_1": "20"}
        )
        html = response.content.decode()
        assert "<html" not in html
        assert "Total: <strong>90%</strong>" in html
        assert "must be 100%" in html

    def test_option_forecast_in_place(self):
        prediction = create_choice(self.owner)
        url = reverse("predictions:forecast", args=[prediction.pk])
        response = self.client.post(
            url, {"prob_0": "50", "prob_1": "30", "prob_2": "20"}, headers=HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert "misspoke 50%" in html
        assert response["HX-Trigger"] == "forecast-saved"
        response = self.client.post(
            url, {"prob_0": "50", "prob_1": "30", "prob_2": "10"}, headers=HTMX
        )
        assert "add up to 90%" in response.content.decode()
        assert prediction.forecasts.count() == 2

    def test_resolve_pages_by_kind(self):
        choice = create_choice(self.owner)
        winner = choice.options.get(label="real")
        url = reverse("predictions:resolve", args=[choice.pk])
        assert "Which option happened?" in self.client.get(url).content.decode()
        assert self.client.post(url, {"winner": winner.pk}).status_code == 302
        date_prediction = create_date(self.owner)
        url = reverse("predictions:resolve", args=[date_prediction.pk])
        future = self.client.post(url, {"actual_date": "2199-01-01"})
        assert "in the future" in future.content.decode()
        assert self.client.post(url, {"actual_date": "2024-05-01"}).status_code == 302

    def test_other_users_see_404_on_every_kind_specific_url(self):
        choice, release = create_choice(self.owner), create_date(self.owner)
        self.client.force_login(self.stranger)
        for prediction in (choice, release):
            for name, data in [
                ("predictions:detail", None),
                ("predictions:forecast", {"prob_0": "50", "prob_1": "30", "prob_2": "20"}),
                ("predictions:resolve", {"winner": choice.options.first().pk}),
                ("predictions:extend", {"resolve_by": "2031-01-01"}),
                ("reports:prediction_chart", None),
            ]:
                url = reverse(name, args=[prediction.pk])
                with self.subTest(url=url):
                    response = self.client.post(url, data) if data else self.client.get(url)
                    assert response.status_code == 404
        assert Forecast.objects.count() == 2

    def queries_for(self, prediction) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("predictions:detail", args=[prediction.pk]))
        assert response.status_code == 200
        return len(queries)

    def test_detail_query_counts_do_not_grow_with_forecasts(self):
        choice, release = create_choice(self.owner), create_date(self.owner)
        self.queries_for(choice)  # the first page view creates the profile
        small = (self.queries_for(choice), self.queries_for(release))
        for _ in range(45):
            services.forecast_create(
                prediction=choice,
                author=self.owner,
                option_probabilities=[D("0.5"), D("0.3"), D("0.2")],
            )
            services.forecast_create(prediction=release, author=self.owner, quantiles=QUANTILES)
        assert (self.queries_for(choice), self.queries_for(release)) == small
