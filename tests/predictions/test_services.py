"""Services: every write, its validation, and the history it records."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from predictions import rules, services
from predictions.models import Forecast, Prediction, PredictionEdit, ResolutionEvent, Tag
from predictions.services import (
    MSG_ALREADY_OPEN,
    MSG_KNOWN_AT_BEFORE_CREATION,
    MSG_KNOWN_AT_FUTURE,
    MSG_RESOLVED_NO_FORECAST,
    MSG_TAG_TOO_LONG,
)
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    TagFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 5, 14, 12, 0, 30, tzinfo=dt.UTC)
CREATED = NOW - dt.timedelta(days=10)


def messages_of(exc: ValidationError, field: str | None = None) -> list[str]:
    if field is None:
        return exc.messages
    return exc.message_dict[field]


@time_machine.travel(NOW, tick=False)
class PredictionCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def test_creates_the_prediction_with_its_first_forecast_at_the_same_moment(self):
        tag = TagFactory(owner=self.owner, name="transport")
        prediction = services.prediction_create(
            owner=self.owner,
            question="  The bridge   reopens before June ",
            resolve_by=dt.date(2026, 6, 1),
            probability=Decimal("0.700"),
            resolution_criteria="  The city's announcement. ",
            tags=[tag],
        )
        prediction.refresh_from_db()
        assert prediction.question == "The bridge reopens before June"
        assert prediction.resolution_criteria == "The city's announcement."
        assert prediction.status == Prediction.Status.OPEN
        assert prediction.visibility == Prediction.Visibility.PRIVATE
        assert prediction.created_at == NOW
        assert list(prediction.tags.all()) == [tag]
        forecast = prediction.forecasts.get()
        assert str(forecast.probability) == "0.700"
        assert forecast.created_at == prediction.created_at

    def test_without_a_probability_no_forecast_is_made(self):
        prediction = services.prediction_create(
            owner=self.owner, question="Unforecast claim", resolve_by=dt.date(2026, 6, 1)
        )
        assert not prediction.forecasts.exists()

    def test_an_out_of_range_probability_writes_nothing(self):
        for probability in [Decimal("1.001"), Decimal("-0.001")]:
            with self.subTest(probability=probability):
                with pytest.raises(ValidationError) as ctx:
                    services.prediction_create(
                        owner=self.owner,
                        question="Claim",
                        resolve_by=dt.date(2026, 6, 1),
                        probability=probability,
                    )
                assert "probability" in ctx.value.message_dict
                assert not Prediction.objects.exists()
                assert not Forecast.objects.exists()

    def test_a_too_long_claim_writes_nothing(self):
        with pytest.raises(ValidationError) as ctx:
            services.prediction_create(
                owner=self.owner,
                question="x" * 10_000,
                resolve_by=dt.date(2026, 6, 1),
                probability=Decimal("0.5"),
            )
        assert "question" in ctx.value.message_dict
        assert not Prediction.objects.exists()

    def test_refuses_another_users_tag_and_writes_nothing(self):
        foreign = TagFactory(owner=UserFactory())
        with pytest.raises(ValidationError):
            services.prediction_create(
                owner=self.owner,
                question="Claim",
                resolve_by=dt.date(2026, 6, 1),
                probability=Decimal("0.5"),
                tags=[foreign],
            )
        assert not Prediction.objects.exists()
        assert not Forecast.objects.exists()


@time_machine.travel(NOW, tick=False)
class ForecastCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def setUp(self):
        self.prediction = PredictionFactory(owner=self.owner, created_at=CREATED)
        ForecastFactory(
            prediction=self.prediction, probability=Decimal("0.050"), created_at=CREATED
        )

    def test_appends_a_forecast(self):
        forecast = services.forecast_create(
            prediction=self.prediction,
            author=self.owner,
            probability=Decimal("0.700"),
            rationale="  The vendor confirmed. ",
        )
        assert forecast.created_at == NOW
        assert forecast.rationale == "The vendor confirmed."
        assert [str(f.probability) for f in self.prediction.forecasts.all()] == ["0.050", "0.700"]

    def test_refuses_resolved_and_annulled_predictions(self):
        for outcome in ["yes", "no", "annulled"]:
            with self.subTest(outcome=outcome):
                prediction = PredictionFactory(owner=self.owner, created_at=CREATED)
                services.prediction_resolve(prediction=prediction, outcome=outcome)
                with pytest.raises(ValidationError) as ctx:
                    services.forecast_create(
                        prediction=prediction, author=self.owner, probability=Decimal("0.5")
                    )
                assert messages_of(ctx.value) == [MSG_RESOLVED_NO_FORECAST]
                assert not prediction.forecasts.exists()

    def test_reads_the_status_from_the_database_not_a_stale_instance(self):
        stale = Prediction.objects.get(pk=self.prediction.pk)
        services.prediction_resolve(prediction=self.prediction, outcome="no")
        assert stale.status == Prediction.Status.OPEN
        with pytest.raises(ValidationError):
            services.forecast_create(
                prediction=stale, author=self.owner, probability=Decimal("0.5")
            )
        assert self.prediction.forecasts.count() == 1

    def test_refuses_a_forecast_by_someone_else(self):
        with pytest.raises(ValidationError):
            services.forecast_create(
                prediction=self.prediction, author=UserFactory(), probability=Decimal("0.5")
            )
        assert self.prediction.forecasts.count() == 1

    def test_refuses_probabilities_outside_zero_to_one(self):
        for probability in [Decimal("1.001"), Decimal("-0.001"), Decimal("NaN")]:
            with self.subTest(probability=probability):
                with pytest.raises(ValidationError) as ctx:
                    services.forecast_create(
                        prediction=self.prediction, author=self.owner, probability=probability
                    )
                assert "probability" in ctx.value.message_dict
                assert self.prediction.forecasts.count() == 1

    def test_accepts_both_ends_of_the_range(self):
        for probability in [Decimal("0"), Decimal("1")]:
            services.forecast_create(
                prediction=self.prediction, author=self.owner, probability=probability
            )
        assert [str(f.probability) for f in self.prediction.forecasts.all()][1:] == [
            "0.000",
            "1.000",
        ]


@time_machine.travel(NOW, tick=False)
class PredictionResolveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def setUp(self):
        self.prediction = PredictionFactory(owner=self.owner, created_at=CREATED)

    def reload(self) -> Prediction:
        return Prediction.objects.get(pk=self.prediction.pk)

    def test_yes_no_and_annulled(self):
        expected = {
            "yes": (Prediction.Status.RESOLVED, True, ResolutionEvent.Action.RESOLVE),
            "no": (Prediction.Status.RESOLVED, False, ResolutionEvent.Action.RESOLVE),
            "annulled": (Prediction.Status.ANNULLED, None, ResolutionEvent.Action.ANNUL),
        }
        for outcome, (status, value, action) in expected.items():
            with self.subTest(outcome=outcome):
                prediction = PredictionFactory(owner=self.owner, created_at=CREATED)
                services.prediction_resolve(prediction=prediction, outcome=outcome, note=" why ")
                prediction.refresh_from_db()
                assert prediction.status == status
                assert prediction.outcome is value
                assert prediction.resolution_note == "why"
                event = prediction.resolution_events.get()
                assert (event.action, event.outcome, event.note) == (action, value, "why")

    def test_known_at_defaults_to_now(self):
        services.prediction_resolve(prediction=self.prediction, outcome="yes")
        prediction = self.reload()
        assert prediction.known_at == NOW
        assert prediction.resolved_at == NOW
        assert prediction.resolution_events.get().known_at == NOW

    def test_known_at_may_be_earlier_than_now(self):
        earlier = NOW - dt.timedelta(days=3)
        services.prediction_resolve(prediction=self.prediction, outcome="no", known_at=earlier)
        prediction = self.reload()
        assert prediction.known_at == earlier
        assert prediction.resolved_at == NOW

    def test_known_at_in_the_future_is_refused_and_writes_nothing(self):
        with pytest.raises(ValidationError) as ctx:
            services.prediction_resolve(
                prediction=self.prediction,
                outcome="yes",
                known_at=NOW + dt.timedelta(minutes=1),
            )
        assert messages_of(ctx.value, "known_at") == [MSG_KNOWN_AT_FUTURE]
        assert self.reload().status == Prediction.Status.OPEN
        assert not ResolutionEvent.objects.exists()

    def test_known_at_before_creation_is_refused_and_writes_nothing(self):
        with pytest.raises(ValidationError) as ctx:
            services.prediction_resolve(
                prediction=self.prediction,
                outcome="yes",
                known_at=CREATED - dt.timedelta(minutes=1),
            )
        assert messages_of(ctx.value, "known_at") == [MSG_KNOWN_AT_BEFORE_CREATION]
        assert self.reload().known_at is None
        assert not ResolutionEvent.objects.exists()

    def test_known_at_in_the_minute_of_creation_is_allowed(self):
        # The form has minute precision, so "the minute it was made" must be accepted.
        minute = CREATED.replace(second=0)
        assert minute < CREATED
        services.prediction_resolve(prediction=self.prediction, outcome="yes", known_at=minute)
        assert self.reload().known_at == minute

    def test_an_unknown_outcome_is_refused(self):
        with pytest.raises(ValidationError) as ctx:
            services.prediction_resolve(prediction=self.prediction, outcome="maybe")
        assert "outcome" in ctx.value.message_dict
        assert self.reload().status == Prediction.Status.OPEN

    def test_reopen_and_re_resolve_are_recorded_append_only(self):
        first_known = NOW - dt.timedelta(days=2)
        services.prediction_resolve(
            prediction=self.prediction, outcome="yes", known_at=first_known, note="first"
        )
        first = ResolutionEvent.objects.get()
        with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
            services.prediction_reopen(prediction=self.prediction, note="wrong source")
            assert self.reload().status == Prediction.Status.OPEN
            assert self.reload().known_at is None
            assert self.reload().outcome is None
        with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
            services.prediction_resolve(prediction=self.prediction, outcome="no", note="second")

        prediction = self.reload()
        assert (prediction.status, prediction.outcome) == (Prediction.Status.RESOLVED, False)
        events = list(prediction.resolution_events.all())
        assert [(e.action, e.outcome, e.note) for e in events] == [
            (ResolutionEvent.Action.RESOLVE, True, "first"),
            (ResolutionEvent.Action.UNDO, None, "wrong source"),
            (ResolutionEvent.Action.RESOLVE, False, "second"),
        ]
        # The first event is untouched by what came after.
        assert events[0].pk == first.pk
        assert events[0].known_at == first_known
        assert events[0].created_at == NOW

    def test_re_resolving_without_reopening_is_also_recorded(self):
        services.prediction_resolve(prediction=self.prediction, outcome="yes")
        services.prediction_resolve(prediction=self.prediction, outcome="annulled")
        assert self.reload().status == Prediction.Status.ANNULLED
        actions = list(self.prediction.resolution_events.values_list("action", flat=True))
        assert actions == [ResolutionEvent.Action.RESOLVE, ResolutionEvent.Action.ANNUL]

    def test_reopening_an_open_prediction_is_refused(self):
        with pytest.raises(ValidationError) as ctx:
            services.prediction_reopen(prediction=self.prediction)
        assert messages_of(ctx.value) == [MSG_ALREADY_OPEN]
        assert not ResolutionEvent.objects.exists()


@time_machine.travel(NOW, tick=False)
class PredictionUpdateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def setUp(self):
        self.prediction = PredictionFactory(
            owner=self.owner,
            question="Old claim",
            resolution_criteria="Old criteria",
            resolve_by=dt.date(2026, 6, 1),
            created_at=CREATED,
        )

    def update(self, **overrides):
        values = {
            "prediction": self.prediction,
            "question": "Old claim",
            "resolve_by": dt.date(2026, 6, 1),
            "resolution_criteria": "Old criteria",
            "notes": "",
        }
        values.update(overrides)
        return services.prediction_update(**values)

    def test_before_the_first_forecast_edits_are_not_recorded(self):
        self.update(question="New claim", resolve_by=dt.date(2026, 7, 1))
        self.prediction.refresh_from_db()
        assert self.prediction.question == "New claim"
        assert not PredictionEdit.objects.exists()

    def test_after_the_first_forecast_each_changed_tracked_field_is_recorded(self):
        ForecastFactory(prediction=self.prediction, created_at=CREATED)
        self.update(
            question="  New   claim ",
            resolve_by=dt.date(2026, 7, 1),
            notes="Notes are not tracked",
        )
        edits = list(PredictionEdit.objects.filter(prediction=self.prediction))
        assert sorted((e.field, e.old_value, e.new_value) for e in edits) == [
            ("question", "Old claim", "New claim"),
            ("resolve_by", "2026-06-01", "2026-07-01"),
        ]
        assert all(e.created_at == NOW for e in edits)

    def test_saving_without_changes_records_nothing(self):
        ForecastFactory(prediction=self.prediction, created_at=CREATED)
        self.update()
        assert not PredictionEdit.objects.exists()

    def test_an_invalid_edit_writes_nothing(self):
        ForecastFactory(prediction=self.prediction, created_at=CREATED)
        with pytest.raises(ValidationError):
            self.update(question="x" * 10_000)
        self.prediction.refresh_from_db()
        assert self.prediction.question == "Old claim"
        assert not PredictionEdit.objects.exists()

    def test_sets_the_tags(self):
        old, new = TagFactory(owner=self.owner), TagFactory(owner=self.owner)
        self.prediction.tags.set([old])
        self.update(tags=[new])
        assert list(self.prediction.tags.all()) == [new]


@time_machine.travel(NOW, tick=False)
class AdminEditTests(TestCase):
    """The admin edits a prediction through prediction_update: the same history."""

    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.root = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    def make(self) -> Prediction:
        prediction = PredictionFactory(
            owner=self.owner,
            question="Old claim",
            resolution_criteria="Old criteria",
            resolve_by=dt.date(2026, 6, 1),
            created_at=CREATED,
        )
        ForecastFactory(prediction=prediction, created_at=CREATED)
        return prediction

    def post(self, prediction: Prediction, **changes):
        data = {
            "question": prediction.question,
            "resolution_criteria": prediction.resolution_criteria,
            "resolve_by": prediction.resolve_by.isoformat(),
            "notes": prediction.notes,
            "visibility": prediction.visibility,
            "import_key": prediction.import_key,
            # read-only here; sent as a form that offered them would
            "owner": str(prediction.owner_id),
            "kind": prediction.kind,
            "share_token": prediction.share_token,
        }
        for prefix in ("forecasts", "resolution_events", "edits"):
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        data.update(changes)
        self.client.force_login(self.root)
        url = reverse("admin:predictions_prediction_change", args=[prediction.pk])
        return self.client.post(url, data)

    def history(self, prediction: Prediction) -> list[tuple]:
        return list(
            prediction.edits.order_by("field").values_list(
                "field", "old_value", "new_value", "created_at"
            )
        )

    def test_the_change_view_records_edits_as_the_edit_service_does(self):
        in_admin, in_app = self.make(), self.make()
        response = self.post(
            in_admin,
            question="New  claim",
            resolution_criteria="New criteria",
            resolve_by="2026-07-01",
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        services.prediction_update(
            prediction=in_app,
            question="New  claim",
            resolution_criteria="New criteria",
            resolve_by=dt.date(2026, 7, 1),
        )
        assert self.history(in_admin) == self.history(in_app)
        assert [field for field, *_ in self.history(in_admin)] == sorted(services.TRACKED_FIELDS)
        in_admin.refresh_from_db()
        assert in_admin.question == "New claim"

    def test_the_change_view_refuses_a_date_out_of_range(self):
        prediction = self.make()
        response = self.post(prediction, resolve_by="1800-01-01")
        assert response.status_code == 200
        assert rules.MSG_DATE_RANGE in response.content.decode()
        prediction.refresh_from_db()
        assert prediction.resolve_by == dt.date(2026, 6, 1)
        assert not prediction.edits.exists()


class TagsForNamesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.other = UserFactory()
        cls.ai = TagFactory(owner=cls.owner, name="AI")
        cls.others_politics = TagFactory(owner=cls.other, name="politics")

    def test_reuses_existing_tags_case_insensitively_and_creates_the_rest_once(self):
        tags = services.tags_for_names(
            owner=self.owner, names=["ai", "  Politics ", "POLITICS", "", "  ", "machine  learning"]
        )
        assert [t.name for t in tags] == ["AI", "Politics", "machine learning"]
        assert tags[0].pk == self.ai.pk
        assert Tag.objects.filter(owner=self.owner).count() == 3
        # Another user's tag of the same name is neither reused nor changed.
        assert tags[1].pk != self.others_politics.pk
        assert tags[1].owner == self.owner
        self.others_politics.refresh_from_db()
        assert self.others_politics.name == "politics"

    def test_nothing_given_nothing_made(self):
        assert services.tags_for_names(owner=self.owner, names=["", " "]) == []
        assert Tag.objects.count() == 2

    def test_refuses_a_name_longer_than_40_characters(self):
        with pytest.raises(ValidationError) as ctx:
            services.tags_for_names(owner=self.owner, names=["t" * 41])
        assert messages_of(ctx.value, "tags") == [MSG_TAG_TOO_LONG]
        assert Tag.objects.count() == 2


class PredictionShareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.prediction = PredictionFactory()

    def test_sets_visibility_and_keeps_the_link_unless_asked(self):
        token = self.prediction.share_token
        services.prediction_share(prediction=self.prediction, visibility="link")
        self.prediction.refresh_from_db()
        assert self.prediction.visibility == "link"
        assert self.prediction.share_token == token

    def test_new_link_replaces_the_token(self):
        token = self.prediction.share_token
        services.prediction_share(prediction=self.prediction, visibility="public", new_link=True)
        self.prediction.refresh_from_db()
        assert self.prediction.share_token != token
        assert len(self.prediction.share_token) >= 20

    def test_refuses_an_unknown_visibility(self):
        with pytest.raises(ValidationError):
            services.prediction_share(prediction=self.prediction, visibility="everyone")
        self.prediction.refresh_from_db()
        assert self.prediction.visibility == "private"
