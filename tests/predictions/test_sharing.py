"""predictions.sharing and PredictionQuerySet.readable_by: who reads, who forecasts,
whose forecasts a viewer sees."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.test import TestCase

from groups.models import Group, Membership
from predictions import sharing
from predictions.models import Prediction
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory

TODAY = date(2026, 12, 2)


class SharingTests(TestCase):
    def setUp(self):
        self.owner, self.member, self.outsider = (UserFactory() for _ in range(3))
        self.group = Group.objects.create(name="Forecasters")
        for user in (self.owner, self.member):
            Membership.objects.create(group=self.group, user=user)
        self.prediction = PredictionFactory(owner=self.owner)
        ForecastFactory(prediction=self.prediction, author=self.owner)

    def share(self):
        self.prediction.shared_with.add(self.group)

    def test_members_read_and_forecast_only_once_shared(self):
        readable = Prediction.objects.readable_by
        assert list(readable(self.owner)) == [self.prediction]
        assert list(readable(self.member)) == []
        assert not sharing.can_forecast(self.prediction, self.member)
        self.share()
        assert list(readable(self.member)) == [self.prediction]
        assert sharing.can_forecast(self.prediction, self.member)
        for nobody in (self.outsider, AnonymousUser()):
            assert list(readable(nobody)) == []
            assert not sharing.can_forecast(self.prediction, nobody)

    def test_shared_with_two_of_the_members_groups_is_listed_once(self):
        other = Group.objects.create(name="Second")
        Membership.objects.create(group=other, user=self.member)
        self.share()
        self.prediction.shared_with.add(other)
        assert Prediction.objects.readable_by(self.member).count() == 1

    def test_a_leaver_loses_access(self):
        self.share()
        Membership.objects.filter(user=self.member).delete()
        assert list(Prediction.objects.readable_by(self.member)) == []
        assert not sharing.can_forecast(self.prediction, self.member)

    def test_nothing_is_hidden_on_an_unshared_prediction(self):
        for viewer in (self.owner, self.outsider, AnonymousUser()):
            assert sharing.sees_others(self.prediction, viewer, TODAY)
            assert sharing.forecasts_visible_to(self.prediction, viewer, TODAY).count() == 1

    def test_a_member_sees_others_only_after_their_own_forecast(self):
        self.share()
        assert not sharing.sees_others(self.prediction, self.member, TODAY)
        assert sharing.forecasts_visible_to(self.prediction, self.member, TODAY).count() == 0
        assert sharing.forecasts_visible_to(self.prediction, AnonymousUser(), TODAY).count() == 0
        mine = ForecastFactory(
            prediction=self.prediction, author=self.member, probability=Decimal("0.2")
        )
        assert sharing.sees_others(self.prediction, self.member, TODAY)
        assert set(sharing.forecasts_visible_to(self.prediction, self.member, TODAY)) == set(
            self.prediction.forecasts.all()
        )
        assert mine in sharing.forecasts_visible_to(self.prediction, self.member, TODAY)

    def test_the_owner_can_turn_hiding_off(self):
        self.share()
        self.prediction.hide_until_forecast = False
        assert sharing.sees_others(self.prediction, self.member, TODAY)

    def test_hidden_until_a_date_hides_from_everyone_before_it(self):
        self.share()
        self.prediction.hidden_until = TODAY + timedelta(days=1)
        ForecastFactory(prediction=self.prediction, author=self.member)
        for viewer in (self.owner, self.member):
            assert not sharing.sees_others(self.prediction, viewer, TODAY)
            assert list(sharing.forecasts_visible_to(self.prediction, viewer, TODAY)) == list(
                self.prediction.forecasts.filter(author=viewer)
            )
        assert sharing.sees_others(self.prediction, self.member, TODAY + timedelta(days=1))

    def test_groups_of_a_user_are_theirs_only(self):
        other = Group.objects.create(name="Another")
        Membership.objects.create(group=other, user=self.outsider)
        assert list(sharing.groups_of(self.member)) == [self.group]
        assert list(sharing.groups_of(self.outsider)) == [other]
        assert list(sharing.groups_of(AnonymousUser())) == []

    def test_latest_forecast_is_the_authors_own(self):
        self.share()
        owners = self.prediction.forecasts.get()
        assert sharing.latest_forecast(self.prediction) == owners
        assert sharing.latest_forecast(self.prediction, self.member) is None
        mine = ForecastFactory(prediction=self.prediction, author=self.member)
        assert sharing.latest_forecast(self.prediction, self.member) == mine
        assert sharing.latest_forecast(self.prediction, self.owner) == owners
