"""The database's own guarantees: writes that skip full_clean() are still refused."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from predictions.models import Forecast, Prediction, Tag
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ProfileFactory,
    TagFactory,
    UserFactory,
)

UTC = dt.UTC


class ForecastProbabilityConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.prediction = PredictionFactory()
        cls.forecast = ForecastFactory(prediction=cls.prediction, probability=Decimal("0.5"))

    def test_update_to_out_of_range_values_is_refused(self):
        for value in [Decimal("1.001"), Decimal("-0.001")]:
            with self.subTest(value=value):
                with pytest.raises(IntegrityError), transaction.atomic():
                    Forecast.objects.filter(pk=self.forecast.pk).update(probability=value)
                self.forecast.refresh_from_db()
                assert self.forecast.probability == Decimal("0.5")

    def test_bulk_create_of_an_out_of_range_value_is_refused(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Forecast.objects.bulk_create(
                [
                    Forecast(
                        prediction=self.prediction,
                        author_id=self.prediction.owner_id,
                        probability=Decimal("1.001"),
                    )
                ]
            )
        assert Forecast.objects.count() == 1

    def test_both_ends_of_the_range_are_accepted(self):
        Forecast.objects.bulk_create(
            [
                Forecast(
                    prediction=self.prediction,
                    author_id=self.prediction.owner_id,
                    probability=Decimal("0"),
                ),
                Forecast(
                    prediction=self.prediction,
                    author_id=self.prediction.owner_id,
                    probability=Decimal("1"),
                ),
            ]
        )
        stored = sorted(Forecast.objects.values_list("probability", flat=True))
        assert stored == [Decimal("0"), Decimal("0.5"), Decimal("1")]


class KnownAtIffClosedConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.prediction = PredictionFactory()

    def assert_refused(self, **values) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Prediction.objects.filter(pk=self.prediction.pk).update(**values)
        self.prediction.refresh_from_db()
        assert (self.prediction.status, self.prediction.known_at) == ("open", None)

    def test_closed_without_known_at_is_refused(self):
        self.assert_refused(status=Prediction.Status.RESOLVED, outcome=True)
        self.assert_refused(status=Prediction.Status.ANNULLED)

    def test_open_with_known_at_is_refused(self):
        self.assert_refused(known_at=dt.datetime(2026, 1, 1, tzinfo=UTC))

    def test_closed_with_known_at_is_accepted(self):
        known = dt.datetime(2026, 1, 1, tzinfo=UTC)
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status=Prediction.Status.RESOLVED, outcome=False, known_at=known
        )
        self.prediction.refresh_from_db()
        assert self.prediction.known_at == known


class TagConstraintTests(TestCase):
    def test_a_tag_name_is_unique_per_owner_ignoring_case(self):
        owner = UserFactory()
        TagFactory(owner=owner, name="AI")
        with pytest.raises(IntegrityError), transaction.atomic():
            Tag.objects.bulk_create([Tag(owner=owner, name="ai")])
        # Another owner may use the same name.
        TagFactory(owner=UserFactory(), name="ai")
        assert Tag.objects.filter(name__iexact="ai").count() == 2


class ShareTokenTests(TestCase):
    def test_each_prediction_gets_its_own_unguessable_token(self):
        tokens = {PredictionFactory().share_token for _ in range(5)}
        assert len(tokens) == 5
        assert all(len(token) >= 20 for token in tokens)


class ProfileTimeTests(TestCase):
    """`resolve_by` means the end of that day where the owner lives."""

    @classmethod
    def setUpTestData(cls):
        cls.auckland = ProfileFactory(timezone="Pacific/Auckland")
        cls.los_angeles = ProfileFactory(timezone="America/Los_Angeles")

    def test_end_of_day_is_local_midnight_in_utc(self):
        day = dt.date(2026, 3, 10)
        # Auckland is UTC+13 (daylight time) in March; Los Angeles UTC-7 from 8 March.
        assert self.auckland.end_of_day(day) == dt.datetime(2026, 3, 10, 11, 0, tzinfo=UTC)
        assert self.los_angeles.end_of_day(day) == dt.datetime(2026, 3, 11, 7, 0, tzinfo=UTC)

    def test_end_of_day_follows_daylight_saving_changes(self):
        # 8 March 2026: Los Angeles springs forward, so 7 March ends at 08:00 UTC, 8 March at 07:00.
        assert self.los_angeles.end_of_day(dt.date(2026, 3, 7)) == dt.datetime(
            2026, 3, 8, 8, 0, tzinfo=UTC
        )
        assert self.los_angeles.end_of_day(dt.date(2026, 3, 8)) == dt.datetime(
            2026, 3, 9, 7, 0, tzinfo=UTC
        )
        # 5 April 2026: Auckland leaves daylight time (UTC+13 -> UTC+12).
        assert self.auckland.end_of_day(dt.date(2026, 4, 5)) == dt.datetime(
            2026, 4, 5, 12, 0, tzinfo=UTC
        )

    def test_end_of_day_is_timezone_aware_utc(self):
        end = self.auckland.end_of_day(dt.date(2026, 3, 10))
        assert end.utcoffset() == dt.timedelta(0)

    @time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False)
    def test_today_is_the_local_date(self):
        assert self.auckland.today() == dt.date(2026, 3, 11)
        assert self.los_angeles.today() == dt.date(2026, 3, 10)

    @time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False)
    def test_an_unknown_time_zone_falls_back_to_utc(self):
        profile = ProfileFactory(timezone="Mars/Olympus_Mons")
        assert profile.tzinfo == zoneinfo.ZoneInfo("UTC")
        assert profile.today() == dt.date(2026, 3, 10)


@time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False)
class DueByLocalDateTests(TestCase):
    """At 12:00 UTC on 10 March it is already 11 March in Auckland, still 10 March in LA."""

    @classmethod
    def setUpTestData(cls):
        cls.auckland = ProfileFactory(timezone="Pacific/Auckland")
        cls.los_angeles = ProfileFactory(timezone="America/Los_Angeles")
        utc_date = dt.date(2026, 3, 10)
        cls.kiwi_claim = PredictionFactory(owner=cls.auckland.user, resolve_by=utc_date)
        cls.la_claim = PredictionFactory(owner=cls.los_angeles.user, resolve_by=utc_date)

    def test_the_same_resolve_by_date_is_due_for_one_user_and_not_the_other(self):
        assert self.kiwi_claim.is_due(self.auckland.today())
        assert not self.la_claim.is_due(self.los_angeles.today())
        kiwi_due = Prediction.objects.owned_by(self.auckland.user).due(self.auckland.today())
        la_due = Prediction.objects.owned_by(self.los_angeles.user).due(self.los_angeles.today())
        assert list(kiwi_due) == [self.kiwi_claim]
        assert list(la_due) == []
        assert self.kiwi_claim.display_status(self.auckland.today()) == "due"
        assert self.la_claim.display_status(self.los_angeles.today()) == "open"

    def test_the_due_queue_and_navigation_count_use_the_users_date(self):
        self.client.force_login(self.auckland.user)
        response = self.client.get(reverse("predictions:due"))
        assert self.kiwi_claim.question in response.content.decode()
        assert response.context["nav_due_count"] == 1

        self.client.force_login(self.los_angeles.user)
        response = self.client.get(reverse("predictions:due"))
        assert self.la_claim.question not in response.content.decode()
        assert "Nothing is due" in response.content.decode()
        assert response.context["nav_due_count"] == 0

    def test_a_closed_prediction_is_never_due(self):
        Prediction.objects.filter(pk=self.kiwi_claim.pk).update(
            status=Prediction.Status.ANNULLED, known_at=dt.datetime(2026, 3, 9, tzinfo=UTC)
        )
        assert not Prediction.objects.due(self.auckland.today()).filter(pk=self.kiwi_claim.pk)
