"""The prediction list of a member (issue #14): their own predictions and the shared
questions they forecast on, each with their own latest forecast, narrowed by `?group=`;
a question they cannot read, or never forecast on, is not listed."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership
from predictions import services
from tests.predictions.factories import ForecastFactory, PredictionFactory
from tests.predictions.shared_setup import SharedQuestionCase

LIST = reverse("predictions:list")


class MemberListTests(SharedQuestionCase):
    def setUp(self):
        super().setUp()
        self.own = PredictionFactory(owner=self.member, question="Mira's own claim")
        ForecastFactory(prediction=self.own, probability=Decimal("0.4"))
        services.forecast_create(
            prediction=self.prediction, author=self.member, probability=Decimal("0.215")
        )
        self.unforecast = self.shared(PredictionFactory(owner=self.owner, question="Untouched"))

    def listed(self, user, **params) -> list[str]:
        response = self.as_user(user).get(LIST, params)
        assert response.status_code == 200
        return [p.question for p in response.context["page"].object_list]

    def test_member_lists_own_and_forecast_on_questions_with_their_own_forecast(self):
        response = self.as_user(self.member).get(LIST)
        assert {p.pk for p in response.context["page"].object_list} == {
            self.own.pk,
            self.prediction.pk,
        }
        assert "21.5%" in response.text  # the member's forecast
        assert "63.7%" not in response.text  # not the owner's

    def test_owner_list_is_unchanged_by_members(self):
        response = self.as_user(self.owner).get(LIST)
        assert {p.pk for p in response.context["page"].object_list} == {
            self.prediction.pk,
            self.unforecast.pk,
        }
        assert "63.7%" in response.text
        assert "21.5%" not in response.text

    def test_group_filter_and_its_note(self):
        assert self.listed(self.member, group=self.group.pk) == [self.prediction.question]
        text = self.as_user(self.member).get(LIST, {"group": self.group.pk}).text
        assert "shared with Forecasting club" in text

    def test_former_member_and_outsider_list_nothing_of_the_group(self):
        ForecastFactory(
            prediction=self.prediction,
            author=self.former,
            created_at=timezone.now() - dt.timedelta(hours=1),
        )
        assert self.listed(self.former) == []
        assert self.listed(self.outsider, group=self.group.pk) == []

    def test_a_script_in_a_group_name_is_text(self):
        group = Group.objects.create(name="<script>alert(1)</script>")
        Membership.objects.create(group=group, user=self.member)
        text = self.as_user(self.member).get(LIST, {"group": group.pk}).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
