"""Query budget of the group page (issue #14): its open questions, recently resolved ones
and its leaderboard over each period cost an exact number of queries, the same for
2 members with one resolved question as for 12 members with 6, each forecast by everyone
several times."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.leaderboard import MSG_UNKNOWN_PERIOD
from groups.models import Group, Membership
from predictions.models import Prediction
from tests.notifications.helpers import UNREAD_QUERIES
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ProfileFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
PERIODS = ["", "3m", "12m", "no-such-period"]  # the last one: the page says so, all time


@time_machine.travel(NOW, tick=False)
class GroupPageQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.group = Group.objects.create(name="Forecasting club")
        cls.owner = cls.join(Membership.Role.OWNER)
        cls.member = cls.join(Membership.Role.MEMBER)

    @classmethod
    def join(cls, role=Membership.Role.MEMBER):
        user = UserFactory()
        ProfileFactory(user=user, display_name=f"Person {user.pk}")
        Membership.objects.create(group=cls.group, user=user, role=role)
        return user

    def members(self) -> list:
        return [m.user for m in self.group.memberships.select_related("user")]

    def add_questions(self, n: int) -> None:
        """`n` resolved questions and `n` open ones, shared with the group, owned by members
        in turn; every member forecasts 3 times on each (the open ones: once)."""
        members = self.members()
        for i in range(n):
            settled = PredictionFactory(
                owner=members[i % len(members)],
                created_at=NOW - dt.timedelta(days=400),
                status=Prediction.Status.RESOLVED,
                outcome=i % 2 == 0,
                known_at=NOW - dt.timedelta(days=1 + 40 * i),  # some before the last 3 months
                resolved_at=NOW - dt.timedelta(days=1 + 40 * i),
            )
            opened = PredictionFactory(
                owner=members[i % len(members)], resolve_by=NOW.date() + dt.timedelta(days=i)
            )
            for prediction in (settled, opened):
                prediction.shared_with.add(self.group)
            for j, user in enumerate(members):
                ForecastFactory(prediction=opened, author=user, probability=Decimal("0.5"))
                for k in range(3):
                    ForecastFactory(
                        prediction=settled,
                        author=user,
                        probability=Decimal(10 + 7 * j + k) / 100,
                        created_at=NOW - dt.timedelta(days=30 + 40 * i - k),
                    )

    def counts(self) -> dict:
        url = reverse("groups:detail", args=[self.group.pk])
        counts = {}
        self.html: dict[str, str] = {}
        for viewer in (self.owner, self.member):
            self.client.force_login(viewer)
            self.client.get(url)  # warm: the first visit may make the viewer's profile
            for period in PERIODS:
                with CaptureQueriesContext(connection) as ctx:
                    response = self.client.get(url, {"period": period} if period else {})
                assert response.status_code == 200
                counts[(viewer == self.owner, period)] = len(ctx.captured_queries)
                self.html[period] = response.content.decode()
        return counts

    def test_group_page_with_its_leaderboard(self):
        self.add_questions(1)
        few = self.counts()
        assert all(
            "1 resolved question shared with the group" in html for html in self.html.values()
        )
        for _ in range(10):
            self.join()
        self.add_questions(5)
        many = self.counts()
        assert len(self.members()) == 12
        assert "6 resolved questions shared with the group" in self.html[""]  # it grew
        assert "4 resolved questions shared with the group" in self.html["3m"]
        assert MSG_UNKNOWN_PERIOD in self.html["no-such-period"]
        assert all(f"Person {user.pk}" in self.html[""] for user in self.members())
        assert many == few
        # session, user, profile; the viewer's membership; the members; the open questions
        # (count, page) and the resolved ones; the leaderboard's 4 (names, questions,
        # forecasts, their authors); the rest is the navigation's, as on every full page.
        assert few == {
            (is_owner, p): 16 + UNREAD_QUERIES for is_owner in (True, False) for p in PERIODS
        }
