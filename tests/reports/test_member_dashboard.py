"""A member's own dashboard (issue #14, docs/decisions/0027-a-members-own-dashboard.md):
it scores their own forecasts on their own questions and on the shared ones they
forecast on; the counts by state stay their own; `?group=` narrows to a group's
questions; nothing shows another user's numbers."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership
from predictions import services
from predictions.buckets import parse_range
from predictions.list_filters import MSG_GROUP, FilterForm
from predictions.models import Prediction
from predictions.services.profiles import data_changed
from reports.dashboard.cache import dashboard_numbers
from reports.dashboard.filters import Filters
from reports.dashboard.links import bucket_url
from reports.selectors.filters import prediction_counts
from reports.selectors.version import data_version
from tests.predictions.factories import ProfileFactory, UserFactory

DASHBOARD = reverse("reports:dashboard")
LIST = reverse("predictions:list")
HOUR = dt.timedelta(hours=1)
HTMX = {"HX-Request": "true"}
ALL = Filters()


def brier(pairs) -> float:
    """Mean squared error of (probability, outcome) pairs, computed here with numpy."""
    p, o = np.array(pairs, dtype=float).T
    return float(np.mean((p - o) ** 2))


class MemberSetup(TestCase):
    """An owner with three questions shared with a group (the member forecast on two,
    a former member on one before leaving) and one not shared; the member's own two
    resolved predictions and one open one."""

    def setUp(self):
        cache.clear()
        self.owner, self.member, self.former = (
            ProfileFactory(user=UserFactory()).user for _ in range(3)
        )
        self.group = Group.objects.create(name="Club")
        self.elsewhere = Group.objects.create(name="Not the member's")
        for user in (self.owner, self.member, self.former):
            Membership.objects.create(group=self.group, user=user)
        Membership.objects.create(group=self.elsewhere, user=self.owner)
        start = timezone.now() - 10 * HOUR
        # (owner's forecasts, member's forecasts, outcome) on shared questions; the
        # member's last forecast is the final one.
        self.shared = []
        for owner_ps, member_ps, outcome in (
            (["0.9"], ["0.2", "0.6"], "yes"),
            (["0.1"], ["0.35"], "no"),
            (["0.5"], [], "yes"),  # the member never forecast on it: not theirs
        ):
            prediction = self.question(self.owner, owner_ps, start)
            prediction.shared_with.add(self.group)
            for i, p in enumerate(member_ps):
                self.forecast(prediction, self.member, p, start + (i + 1) * HOUR)
            self.shared.append((prediction, outcome))
        self.forecast(self.shared[0][0], self.former, "0.99", start + HOUR)
        self.member_own = [
            (self.question(self.member, ["0.8"], start), "yes"),
            (self.question(self.member, ["0.7"], start), "no"),
        ]
        self.owner_own = [(self.question(self.owner, ["0.25"], start), "no")]
        self.open_own = self.question(self.member, ["0.4"], start)
        for prediction, outcome in [*self.shared, *self.member_own, *self.owner_own]:
            services.prediction_resolve(prediction=prediction, outcome=outcome)
        Membership.objects.filter(user=self.former).delete()  # left the group

    def question(self, owner, probabilities, start) -> Prediction:
        prediction = services.prediction_create(
            owner=owner,
            question="Will it?",
            resolve_by=timezone.localdate() + dt.timedelta(days=30),
            probability=Decimal(probabilities[0]),
        )
        Prediction.objects.filter(pk=prediction.pk).update(created_at=start - HOUR)
        prediction.forecasts.update(created_at=start)
        prediction.refresh_from_db()
        for i, p in enumerate(probabilities[1:]):
            self.forecast(prediction, owner, p, start + (i + 1) * HOUR)
        return prediction

    def forecast(self, prediction, author, p, at):
        services.forecast_create(
            prediction=prediction, author=author, probability=Decimal(p), created_at=at
        )

    def numbers(self, user, filters=ALL):
        return dashboard_numbers(user=user, filters=filters, version=data_version(user=user))


class MemberDashboardTests(MemberSetup):
    def test_member_scores_own_and_shared_questions_with_their_own_forecasts(self):
        expected = [(0.8, 1), (0.7, 0), (0.6, 1), (0.35, 0)]
        headline = self.numbers(self.member).headline
        assert headline is not None
        assert headline.n == 4
        assert abs(headline.brier - brier(expected)) < 1e-9

    def test_owner_is_scored_on_their_own_forecasts_only(self):
        headline = self.numbers(self.owner).headline
        assert headline is not None
        assert headline.n == 4  # three shared questions and one not shared
        expected = [(0.9, 1), (0.1, 0), (0.5, 1), (0.25, 0)]
        assert abs(headline.brier - brier(expected)) < 1e-9

    def test_counts_by_state_are_the_members_own(self):
        counts = prediction_counts(user=self.member, today=timezone.localdate())
        assert (counts.resolved, counts.open) == (2, 1)

    def test_a_former_member_no_longer_counts_the_groups_questions(self):
        assert self.numbers(self.former).headline is None

    def test_group_filter_keeps_the_groups_questions(self):
        headline = self.numbers(self.member, Filters(group=self.group.pk)).headline
        assert headline is not None
        assert headline.n == 2
        assert abs(headline.brier - brier([(0.6, 1), (0.35, 0)])) < 1e-9

    def test_another_groups_id_is_the_fields_error_and_filters_nothing(self):
        self.client.force_login(self.member)
        for value in (str(self.elsewhere.pk), "999999", "x"):
            form = FilterForm({"group": value}, user=self.member)
            assert form.filters() == Filters()
            assert form.errors["group"] == [MSG_GROUP]
            response = self.client.get(DASHBOARD, {"group": value})
            assert response.status_code == 200
            assert MSG_GROUP in response.text
            listed = self.client.get(LIST, {"group": value})
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == 5  # 2 shared + 3 own

    def test_group_menu_only_for_members_of_a_group(self):
        self.client.force_login(self.member)
        assert 'name="group"' in self.client.get(DASHBOARD).text
        assert 'name="group"' in self.client.get(LIST).text
        loner = ProfileFactory(user=UserFactory()).user
        self.client.force_login(loner)
        assert 'name="group"' not in self.client.get(DASHBOARD).text
        assert 'name="group"' not in self.client.get(LIST).text

    def test_bucket_links_list_exactly_what_the_buckets_count(self):
        self.client.force_login(self.member)
        for filters in (Filters(), Filters(group=self.group.pk)):
            calibration = self.numbers(self.member, filters).calibration
            assert calibration is not None
            for row in calibration.buckets:
                response = self.client.get(bucket_url(filters, row.centre_pct))
                assert response.context["page"].paginator.count == row.count, row

    def test_bucket_list_uses_the_viewers_final_forecast(self):
        # The first shared question: the owner's 90% and the member's 60%.
        shared = Prediction.objects.filter(pk=self.shared[0][0].pk)
        assert shared.in_buckets(parse_range("60"), author=self.member).exists()
        assert not shared.in_buckets(parse_range("90"), author=self.member).exists()
        assert shared.in_buckets(parse_range("90"), author=self.owner).exists()

    def test_no_parameter_shows_another_users_numbers(self):
        self.client.force_login(self.member)
        # The results region (htmx): the full page differs by its nonce and CSRF token.
        own = self.client.get(DASHBOARD, headers=HTMX).text
        assert "Brier" in own
        for name in ("user", "owner", "user_id", "author"):
            for user in (self.owner, self.former):
                cache.clear()
                text = self.client.get(DASHBOARD, {name: user.pk}, headers=HTMX).text
                # The export links pass the query string on (the export reads the same
                # form, which has no such field either).
                assert text.replace(f"?{name}={user.pk}", "") == own


class MemberDashboardInvalidationTests(MemberSetup):
    """A member's cached dashboard shows their new forecast and the owner's resolution."""

    def test_a_forecast_and_a_resolution_reach_the_members_cached_page(self):
        self.client.force_login(self.member)
        owner_version = data_version(user=self.owner)
        before = self.numbers(self.member).headline
        assert before is not None
        assert before.n == 4
        question = self.question(self.owner, ["0.5"], timezone.now() - 3 * HOUR)
        question.shared_with.add(self.group)
        self.client.get(DASHBOARD)  # cached
        self.forecast(question, self.member, "0.15", timezone.now() - HOUR)
        assert data_version(user=self.owner) != owner_version  # the owner's counts too
        member_version = data_version(user=self.member)
        services.prediction_resolve(prediction=question, outcome="no")
        assert data_version(user=self.member) != member_version
        after = self.numbers(self.member).headline
        assert after is not None
        assert after.n == 5
        expected = [(0.8, 1), (0.7, 0), (0.6, 1), (0.35, 0), (0.15, 0)]
        assert abs(after.brier - brier(expected)) < 1e-9
        member_version = data_version(user=self.member)
        services.prediction_reopen(prediction=question)
        assert data_version(user=self.member) != member_version
        assert self.numbers(self.member).headline.n == 4

    def test_one_update_bumps_several_users(self):
        versions = {u.pk: data_version(user=u) for u in (self.owner, self.member, self.former)}
        with self.assertNumQueries(1):
            data_changed(self.owner.pk, self.member.pk)
        assert data_version(user=self.owner) != versions[self.owner.pk]
        assert data_version(user=self.member) != versions[self.member.pk]
        assert data_version(user=self.former) == versions[self.former.pk]
