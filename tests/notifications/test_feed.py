"""notifications.feed: every source, hiding through the sharing rules, other accounts'
questions, leaving a group, ordering and a fixed number of queries."""

import datetime as dt
import itertools

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from groups.models import Membership
from notifications.feed import SOURCES, comment_events, events
from predictions import sharing
from predictions.models import Option, Prediction, ResolutionEvent
from tests.notifications.together import START, Together, at, forecast

EVER = START - dt.timedelta(days=365)


def seen(user, **kw) -> list[tuple[str, str, str]]:
    return [(e.kind, e.actor, e.text) for e in events(user, since=kw.pop("since", EVER), **kw)]


def resolve(prediction, when, action=ResolutionEvent.Action.RESOLVE, **kw) -> ResolutionEvent:
    return ResolutionEvent.objects.create(
        prediction=prediction, action=action, created_at=when, known_at=when, **kw
    )


@time_machine.travel(at(48), tick=False)
class FeedTests(TestCase):
    def setUp(self):
        self.t = Together()

    def test_others_forecasts_reach_the_owner_and_fellow_forecasters(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        forecast(t.question, t.carol, at(3))
        assert seen(t.alice) == [
            ("forecast", "carol", "made a forecast"),
            ("forecast", "Bob B.", "made a forecast"),
        ]
        # bob forecast on it, so carol's later forecast is news to him; his own is not.
        assert seen(t.bob) == [
            ("forecast", "carol", "made a forecast"),
            ("share", "alice", "shared it with Forecasters"),
            ("forecast", "alice", "made a forecast"),
        ]
        [event] = events(t.alice, since=at(2.5))
        assert event.prediction_id == t.question.pk
        assert event.question == "Will the bridge open by May?"
        assert event.url == f"/p/{t.question.pk}/"

    def test_a_hidden_forecast_is_left_out_until_the_reader_forecasts(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(hide_until_forecast=True)
        t.question.forecasts.filter(author=t.alice).delete()  # the owner has not forecast
        forecast(t.question, t.bob, at(2))
        assert seen(t.alice) == []
        forecast(t.question, t.alice, at(5))
        assert seen(t.alice) == [("forecast", "Bob B.", "made a forecast")]
        assert events(t.alice, since=EVER)[0].at == at(2)  # when it was made

    def test_hidden_until_a_date_hides_from_everyone_until_that_day(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(hidden_until=dt.date(2026, 11, 10))
        forecast(t.question, t.bob, at(2))
        forecast(t.question, t.carol, at(3))
        assert seen(t.alice) == []
        assert [kind for kind, _, _ in seen(t.bob)] == ["share"]
        with time_machine.travel(dt.datetime(2026, 11, 10, 0, 1, tzinfo=dt.UTC), tick=False):
            assert len(seen(t.alice)) == 2

    def test_a_member_who_has_not_forecast_hears_only_of_the_share(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        resolve(t.question, at(4), outcome=True)
        assert seen(t.carol) == [("share", "alice", "shared it with Forecasters")]

    def test_resolutions_reach_those_who_forecast_with_the_outcome(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        resolve(t.question, at(4), outcome=False)
        resolve(t.question, at(5), ResolutionEvent.Action.UNDO)
        resolve(t.question, at(6), ResolutionEvent.Action.ANNUL)
        assert [text for kind, _, text in seen(t.bob) if kind == "resolution"] == [
            "annulled it",
            "reopened it",
            "resolved it: NO",
        ]
        assert [kind for kind, _, _ in seen(t.alice)] == ["forecast"]  # not her own

    def test_a_multiple_choice_resolution_names_the_winning_option(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(kind=Prediction.Kind.MULTIPLE_CHOICE)
        t.question.refresh_from_db()
        won = Option.objects.create(prediction=t.question, label="<b>June</b>", position=1)
        forecast(t.question, t.bob, at(2), probability=None)
        resolve(t.question, at(4), outcome_option=won)
        assert ("resolution", "alice", "resolved it: “<b>June</b>”") in seen(t.bob)

    def test_shares_reach_members_but_not_the_sharer(self):
        t = self.t
        assert seen(t.carol) == [("share", "alice", "shared it with Forecasters")]
        assert seen(t.alice) == []
        assert seen(t.dave) == []

    def test_another_accounts_questions_never_appear(self):
        t = self.t
        private = Prediction.objects.create(
            owner=t.dave, question="Dave's own", resolve_by=dt.date(2027, 1, 1)
        )
        forecast(private, t.dave, at(2))
        # Even a forecast row by alice on it (no path makes one) does not let her in.
        forecast(private, t.alice, at(3))
        forecast(private, t.dave, at(4))
        resolve(private, at(5), outcome=True)
        assert all(e.prediction_id != private.pk for e in events(t.alice, since=EVER))
        assert all(e.prediction_id != private.pk for e in events(t.bob, since=EVER))

    def test_a_former_member_stops_hearing_of_the_groups_questions(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        assert seen(t.carol) != []
        Membership.objects.filter(user=t.carol).delete()
        resolve(t.question, at(4), outcome=True)
        assert seen(t.carol) == []

    def test_newest_first_within_since_until_and_limit(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        forecast(t.question, t.carol, at(3))
        resolve(t.question, at(4), outcome=True)
        times = [e.at for e in events(t.bob, since=EVER)]
        assert times == [at(4), at(3), at(1), START]
        assert [e.at for e in events(t.bob, since=at(1), until=at(3))] == [at(3)]
        assert [e.at for e in events(t.bob, since=EVER, limit=2)] == [at(4), at(3)]

    def test_comments_reach_the_owner_and_those_who_forecast(self):
        t = self.t
        assert comment_events in SOURCES
        forecast(t.question, t.bob, at(2))
        said = Comment.objects.create(
            prediction=t.question, author=t.carol, body="<b>Late</b>", created_at=at(3)
        )
        Comment.objects.create(
            prediction=t.question, author=t.carol, body="gone", created_at=at(4), deleted_at=at(5)
        )
        Comment.objects.create(prediction=t.question, author=t.alice, body="mine", created_at=at(4))
        comments = [e for e in events(t.alice, since=EVER) if e.kind == "comment"]
        assert [(e.actor, e.text) for e in comments] == [("carol", "commented")]
        assert comments[0].url.endswith(f"#comment-{said.pk}")
        assert ("comment", "alice", "commented") in seen(t.bob)  # bob forecast on it
        # carol never forecast on it: neither alice's comment nor her own reach her.
        assert not [e for e in events(t.carol, since=EVER) if e.kind == "comment"]
        Membership.objects.filter(user=t.bob).delete()
        assert not [e for e in events(t.bob, since=EVER) if e.kind == "comment"]

    def test_a_fixed_number_of_queries_however_many_events(self):
        t = self.t

        def queries() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                found = events(t.bob, since=EVER)
            return len(captured), len(found)

        forecast(t.question, t.bob, at(2))
        forecast(t.question, t.carol, at(2.5))
        resolve(t.question, at(2.7), outcome=True)
        few, count = queries()
        for hour in range(3, 13):
            other = Prediction.objects.create(
                owner=t.alice, question=f"Question {hour}", resolve_by=dt.date(2027, 1, 1)
            )
            other.shared_with.add(t.group, through_defaults={"shared_at": at(hour)})
            forecast(other, t.bob, at(hour))
            forecast(other, t.carol, at(hour + 0.5))
            Comment.objects.create(
                prediction=other, author=t.carol, body="Hm", created_at=at(hour + 0.6)
            )
            resolve(other, at(hour + 0.7), outcome=True)
        many, more = queries()
        assert more >= count + 40
        assert many == few, (few, many)


class SeeingOthersTests(TestCase):
    """The feed's bulk form of the rule agrees with `sharing.sees_others` one by one."""

    def test_agrees_with_sees_others_in_every_case(self):
        t = Together()
        today = dt.date(2026, 11, 5)
        cases = itertools.product([True, False], [None, today, today + dt.timedelta(1)])
        predictions = []
        for shared, hidden_until in cases:
            for hide in (True, False):
                for forecast_by_bob in (True, False):
                    p = Prediction.objects.create(
                        owner=t.alice,
                        question="q",
                        resolve_by=dt.date(2027, 1, 1),
                        hide_until_forecast=hide,
                        hidden_until=hidden_until,
                    )
                    if shared:
                        p.shared_with.add(t.group)
                    if forecast_by_bob:
                        forecast(p, t.bob, at(2))
                    predictions.append(p)
        for viewer in (t.alice, t.bob, t.carol, t.dave):
            one_by_one = {p.pk for p in predictions if sharing.sees_others(p, viewer, today)}
            assert sharing.seeing_others(predictions, viewer, today) == one_by_one
        assert 0 < len(one_by_one) < len(predictions)
