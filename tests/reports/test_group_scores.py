"""A group's scores (reports/selectors/group_scores.py, groups/leaderboard.py and the
leaderboard include) on SQLite and PostgreSQL: who is scored on what, with each
forecaster's own history, and in a constant number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from groups.leaderboard import MSG_UNKNOWN_PERIOD, group_leaderboard_context
from groups.models import Group, Membership
from predictions.models import Forecast, Option, OptionProbability, Prediction, Profile
from reports.selectors.group_scores import group_scores
from tests.predictions.factories import ProfileFactory, UserFactory
from tests.reports.builders import T0, resolved

NOW = dt.datetime(2024, 9, 1, 12, 0, tzinfo=dt.UTC)
UTC = Profile(timezone="UTC")


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def forecast(prediction, author, at, p) -> Forecast:
    return Forecast.objects.create(
        prediction=prediction, author=author, created_at=at, probability=Decimal(str(p))
    )


def group_of(name: str, *users) -> Group:
    group = Group.objects.create(name=name)
    for user in users:
        Membership.objects.create(group=group, user=user)
    return group


def scores_of(result) -> dict:
    """{question id: {name: (brier, brier_time_avg, relative)}}."""
    return {
        q.prediction_id: {f.name: (f.brier, f.brier_time_avg, f.relative) for f in q.forecasters}
        for q in result.questions
    }


@time_machine.travel(NOW, tick=False)
class GroupTestCase(TestCase):
    """A group's owner, at NOW."""

    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory(username="owner")


class GroupScoresTests(GroupTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ann = UserFactory(username="ann")
        cls.bob = UserFactory(username="bob")
        ProfileFactory(user=cls.ann, display_name="Ann")
        cls.group = group_of("Forecasters", cls.owner, cls.ann, cls.bob)

    def share(self, prediction, group=None):
        prediction.shared_with.add(group or self.group)
        return prediction

    def question(self, owner_forecasts, *, outcome=True, known=10, **kwargs):
        return self.share(
            resolved(self.owner, owner_forecasts, outcome=outcome, known_at=day(known), **kwargs)
        )

    def resolved_kind(self, kind, *, known: int, **outcome) -> Prediction:
        """A resolved prediction of `kind` without forecasts, known at day `known`."""
        return Prediction.objects.create(
            owner=self.owner,
            question=f"A {kind} question",
            kind=kind,
            resolve_by=day(known).date(),
            created_at=day(0),
            status=Prediction.Status.RESOLVED,
            known_at=day(known),
            resolved_at=day(known),
            **outcome,
        )

    def test_each_forecaster_scored_on_their_own_forecasts(self):
        q = self.question([(day(0), 0.8)])  # YES
        forecast(q, self.ann, day(2), 0.6)
        forecast(q, self.bob, day(5), 0.3)
        got = scores_of(group_scores(self.group, profile=UTC))[q.pk]
        # Briers (1 − p)²: owner 0.04, Ann 0.16, Bob 0.49; each minus the median of the
        # two others (their mean): owner 0.04 − 0.325, Ann 0.16 − 0.265, Bob 0.49 − 0.10.
        assert got["owner"] == pytest.approx((0.04, 0.04, 0.04 - 0.325))
        assert got["Ann"] == pytest.approx((0.16, 0.16, 0.16 - 0.265))
        assert got["bob"] == pytest.approx((0.49, 0.49, 0.49 - 0.10))

    def test_time_average_from_each_forecasters_first_forecast(self):
        q = self.question([(day(0), 0.5), (day(5), 0.9)])
        forecast(q, self.ann, day(8), 0.7)
        got = scores_of(group_scores(self.group, profile=UTC))[q.pk]
        # Owner: 0.25 for 5 days, 0.01 for 5; Ann: 0.09 from day 8 to known-at (day 10).
        assert got["owner"][1] == pytest.approx((5 * 0.25 + 5 * 0.01) / 10)
        assert got["Ann"][1] == pytest.approx(0.09)

    def test_late_forecast_rule_applies_per_forecaster(self):
        q = self.question([(day(0), 0.7)])
        forecast(q, self.ann, day(3), 0.4)
        forecast(q, self.ann, day(11), 1.0)  # after known-at: ignored for Ann
        forecast(q, self.bob, day(12), 1.0)  # Bob's only forecast is late
        got = scores_of(group_scores(self.group, profile=UTC))[q.pk]
        assert set(got) == {"owner", "Ann"}
        assert got["Ann"][0] == pytest.approx(0.36)
        assert got["owner"][0] == pytest.approx(0.09)
        assert got["owner"][2] == pytest.approx(0.09 - 0.36)

    def test_every_score_follows_the_owners_resolution(self):
        q = self.question([(day(0), 0.8)])
        forecast(q, self.ann, day(5), 0.6)
        # Re-resolved NO, known at day 3: Ann's forecast at day 5 is now late.
        Prediction.objects.filter(pk=q.pk).update(outcome=False, known_at=day(3))
        got = scores_of(group_scores(self.group, profile=UTC))[q.pk]
        assert got == {"owner": pytest.approx((0.64, 0.64, None))}

    def test_members_forecasts_never_change_the_owners_score(self):
        q = self.question([(day(0), 0.2), (day(6), 0.6)], outcome=False)
        alone = scores_of(group_scores(self.group, profile=UTC))[q.pk]["owner"]
        forecast(q, self.ann, day(1), 0.9)
        forecast(q, self.ann, day(9), 0.1)
        forecast(q, self.bob, day(7), 0.5)
        together = scores_of(group_scores(self.group, profile=UTC))[q.pk]["owner"]
        # (0.6 − 0)² final; 0.04 for 6 days then 0.36 for 4.
        assert alone[:2] == together[:2] == pytest.approx((0.36, (6 * 0.04 + 4 * 0.36) / 10))
        assert alone[2] is None
        assert together[2] == pytest.approx(0.36 - (0.01 + 0.25) / 2)

    def test_multiple_choice_uses_its_own_rule(self):
        q = self.resolved_kind(Prediction.Kind.MULTIPLE_CHOICE, known=10)
        options = [
            Option.objects.create(prediction=q, label=x, position=i) for i, x in enumerate("ABC")
        ]
        q.outcome_option = options[0]
        q.save()
        self.share(q)
        for author, probs in ((self.owner, (0.5, 0.3, 0.2)), (self.ann, (0.1, 0.8, 0.1))):
            f = Forecast.objects.create(prediction=q, author=author, created_at=day(1))
            for option, p in zip(options, probs, strict=True):
                OptionProbability.objects.create(
                    forecast=f, option=option, probability=Decimal(str(p))
                )
        got = scores_of(group_scores(self.group, profile=UTC))[q.pk]
        # ½ Σ (p − o)²: owner ½(0.25 + 0.09 + 0.04) = 0.19; Ann ½(0.81 + 0.64 + 0.01) = 0.73.
        assert got["owner"] == pytest.approx((0.19, 0.19, 0.19 - 0.73))
        assert got["Ann"] == pytest.approx((0.73, 0.73, 0.73 - 0.19))

    def test_only_questions_shared_with_this_group(self):
        other = group_of("Elsewhere", self.owner, self.ann)
        mine = self.question([(day(0), 0.9)])
        private = resolved(self.owner, [(day(0), 0.1)], outcome=True, known_at=day(10))
        elsewhere = self.share(
            resolved(self.owner, [(day(0), 0.2)], outcome=True, known_at=day(10)), other
        )
        for p in (private, elsewhere):
            forecast(p, self.ann, day(1), 0.5)
        result = group_scores(self.group, profile=UTC)
        assert [q.prediction_id for q in result.questions] == [mine.pk]
        assert result.leaderboard.n_questions == 1
        rows = {r.name: r for r in result.leaderboard.unranked}
        assert (rows["owner"].questions_scored, rows["Ann"].questions_scored) == (1, 0)

    def test_open_annulled_and_release_date_questions_are_not_counted(self):
        self.question([(day(0), 0.9)], status=Prediction.Status.ANNULLED)
        self.share(
            Prediction.objects.create(
                owner=self.owner, question="Open", resolve_by=day(30).date(), created_at=day(0)
            )
        )
        self.share(self.resolved_kind(Prediction.Kind.DATE, known=20, outcome_date=day(20).date()))
        result = group_scores(self.group, profile=UTC)
        assert (result.questions, result.leaderboard.n_questions) == ([], 0)

    def test_questions_hidden_until_a_later_date_are_left_out(self):
        q = self.question([(day(0), 0.9)])
        q.hidden_until = NOW.date() + dt.timedelta(days=1)
        q.save()
        assert group_scores(self.group, profile=UTC).questions == []
        q.hidden_until = NOW.date()
        q.save()
        assert len(group_scores(self.group, profile=UTC).questions) == 1

    def test_former_members_are_neither_listed_nor_compared_with(self):
        q = self.question([(day(0), 0.8)])
        forecast(q, self.ann, day(1), 0.4)
        forecast(q, self.bob, day(1), 0.1)
        Membership.objects.filter(group=self.group, user=self.bob).delete()
        result = group_scores(self.group, profile=UTC)
        assert set(scores_of(result)[q.pk]) == {"owner", "Ann"}
        assert scores_of(result)[q.pk]["owner"][2] == pytest.approx(0.04 - 0.36)
        names = [r.name for r in [*result.leaderboard.ranked, *result.leaderboard.unranked]]
        assert sorted(names) == ["Ann", "owner"]

    def test_ranked_after_the_minimum_count(self):
        for i in range(5):
            q = self.question([(day(i), 0.9)], known=10 + i)
            forecast(q, self.ann, day(i), 0.6)
        board = group_scores(self.group, profile=UTC).leaderboard
        assert [(r.name, r.rank_label) for r in board.ranked] == [("owner", "1"), ("Ann", "2")]
        assert board.ranked[0].relative == pytest.approx(0.01 - 0.16)
        assert [(r.name, r.needs, r.participation) for r in board.unranked] == [("bob", 5, 0.0)]

    def test_constant_number_of_queries(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                group_scores(self.group, profile=UTC)
            return len(queries)

        q = self.question([(day(0), 0.9)])
        forecast(q, self.ann, day(1), 0.5)
        small = count()
        assert small == 4  # members, questions, forecasts, their authors
        for i in range(6):
            q = self.question([(day(i), 0.3)], known=20 + i)
            for user in (self.ann, self.bob):
                forecast(q, user, day(i + 1), 0.6)
        for i in range(3):
            Membership.objects.create(group=self.group, user=UserFactory(username=f"extra{i}"))
        assert count() == small
        with self.assertNumQueries(small):
            group_scores(self.group, profile=UTC)


class LeaderboardPageTests(GroupTestCase):
    """groups/leaderboard.py and templates/groups/includes/leaderboard.html."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.eve = UserFactory(username="eve")
        ProfileFactory(user=cls.owner, display_name="Olga")
        ProfileFactory(user=cls.eve, display_name="<script>alert(1)</script>")
        cls.group = group_of("G", cls.owner, cls.eve)
        # One question resolved in August (within 3 months), one in January (not).
        for known, p in ((NOW - dt.timedelta(days=20), 0.8), (NOW - dt.timedelta(days=220), 0.3)):
            q = resolved(
                cls.owner, [(known - dt.timedelta(days=5), p)], outcome=True, known_at=known
            )
            q.shared_with.add(cls.group)
            forecast(q, cls.eve, known - dt.timedelta(days=2), 0.5)

    def test_period_switch_uses_the_dashboards_periods(self):
        every = group_leaderboard_context(self.group, {}, viewer=self.owner)
        recent = group_leaderboard_context(self.group, {"period": "3m"}, viewer=self.owner)
        assert every["leaderboard"].n_questions == 2
        assert recent["leaderboard"].n_questions == 1
        assert recent["leaderboard_period_label"] == "Last 3 months"
        assert [v for v, _ in every["leaderboard_periods"]] == ["", "3m", "12m"]

    def test_an_unknown_period_says_so_and_shows_all_time(self):
        context = group_leaderboard_context(self.group, {"period": "<b>x"}, viewer=AnonymousUser())
        assert context["leaderboard_error"] == MSG_UNKNOWN_PERIOD
        assert (context["leaderboard_period"], context["leaderboard"].n_questions) == ("", 2)

    def test_rendered_table(self):
        context = group_leaderboard_context(self.group, {"period": "12m"}, viewer=self.owner)
        html = render_to_string("groups/includes/leaderboard.html", context)
        assert "<caption>Leaderboard, last 12 months</caption>" in html
        assert "Last 12 months: 2 resolved questions shared with the group." in html
        assert html.count('scope="col"') == 8
        assert '<th scope="row">Olga</th>' in html
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        # Olga: (0.04 + 0.49) / 2; both need 3 more compared questions to be ranked.
        assert "0.265" in html
        assert html.count("needs 3 more") == 2
        assert "at least 5 such questions" in html
        assert "median Brier of the other members" in html
        assert '<option value="12m" selected>' in html

    def test_rendered_empty(self):
        empty = group_of("Empty")
        html = render_to_string(
            "groups/includes/leaderboard.html", group_leaderboard_context(empty, {"period": "3m"})
        )
        assert "No question shared with this group was resolved in this period" in html
        assert "<table" not in html
