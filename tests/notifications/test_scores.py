"""The reader's own score in resolution notifications (notifications.scores): each
member sees their own number, on the page and in the digest; none after an annulment,
a reopening or for an undone resolution; no relative Brier while others' forecasts are
hidden; a fixed number of queries however many resolutions are listed.

Expected numbers are worked out here from the definition: a yes/no Brier is
(p − outcome)² of the last forecast made before the outcome was known; the relative
Brier is that minus the median Brier of the others who forecast on the question."""

import datetime as dt
from statistics import median

import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import Membership
from notifications.group_digest import send_activity_digests
from notifications.models import SentMail
from predictions.models import Prediction, ResolutionEvent
from tests.notifications.helpers import BASE_URL
from tests.notifications.together import Together, at, forecast

ACTION = ResolutionEvent.Action


def settle(prediction, when, action=ACTION.RESOLVE, outcome: bool | None = True) -> None:
    """What the resolve service leaves behind: the prediction's state and its event."""
    status = {
        ACTION.RESOLVE: Prediction.Status.RESOLVED,
        ACTION.ANNUL: Prediction.Status.ANNULLED,
        ACTION.UNDO: Prediction.Status.OPEN,
    }[action]
    closed = action != ACTION.UNDO
    Prediction.objects.filter(pk=prediction.pk).update(
        status=status,
        outcome=outcome if action == ACTION.RESOLVE else None,
        resolved_at=when if closed else None,
        known_at=when if closed else None,
    )
    ResolutionEvent.objects.create(
        prediction=prediction,
        action=action,
        outcome=outcome if action == ACTION.RESOLVE else None,
        created_at=when,
        known_at=when,
    )


def more_resolved(t: Together, hours: range) -> None:
    """One more shared question per hour, forecast on by bob and carol, resolved YES."""
    for hour in hours:
        other = Prediction.objects.create(
            owner=t.alice, question=f"Q{hour}", resolve_by=dt.date(2027, 1, 1)
        )
        other.shared_with.add(t.group, through_defaults={"shared_at": at(hour)})
        forecast(other, t.bob, at(hour + 0.1), "0.3")
        forecast(other, t.carol, at(hour + 0.2), "0.6")
        settle(other, at(hour + 0.5))


def brier(p: float, outcome: int) -> float:
    return (p - outcome) ** 2


@time_machine.travel(at(48), tick=False)
class ScoreLineTests(TestCase):
    def setUp(self):
        self.t = t = Together()
        # alice (owner) said 0.4 at START; bob 0.4 then 0.2; carol 0.7.
        forecast(t.question, t.bob, at(2), "0.4")
        forecast(t.question, t.bob, at(2.5), "0.2")
        forecast(t.question, t.carol, at(3), "0.7")
        self.own = {"alice": brier(0.4, 1), "bob": brier(0.2, 1), "carol": brier(0.7, 1)}

    def expected(self, name: str) -> str:
        others = [v for k, v in self.own.items() if k != name]
        mine = self.own[name]
        return f"Your Brier {mine:.4f} · relative Brier {mine - median(others):.3f}"

    def page(self, user) -> str:
        self.client.force_login(user)
        return self.client.get(reverse("inbox:list")).content.decode()

    def test_each_member_sees_their_own_score_on_the_page(self):
        settle(self.t.question, at(5))
        bob, carol = self.page(self.t.bob), self.page(self.t.carol)
        assert self.expected("bob") == "Your Brier 0.6400 · relative Brier 0.415"
        assert self.expected("bob") in bob
        assert self.expected("carol") not in bob
        assert self.expected("carol") in carol
        assert self.expected("bob") not in carol
        assert "Your Brier" not in self.page(self.t.dave)

    def test_the_digest_carries_the_same_line(self):
        settle(self.t.question, at(5))
        mail.outbox.clear()
        with time_machine.travel(at(10), tick=False):
            send_activity_digests(BASE_URL)
        sent = {m.to[0].split("@")[0]: m.body for m in mail.outbox}
        assert f"  {self.expected('bob')}\n" in sent["bob"]
        assert f"  {self.expected('carol')}\n" in sent["carol"]
        assert self.expected("carol") not in sent["bob"]
        assert "Your Brier" not in sent["alice"]  # the owner is not told of her own act

    def test_annulled_reopened_and_undone_resolutions_say_no_score(self):
        t = self.t
        settle(t.question, at(5), outcome=False)
        settle(t.question, at(6), ACTION.UNDO)
        assert "Your Brier" not in self.page(t.bob)  # reopened: nothing is scored now
        settle(t.question, at(7), outcome=True)
        assert self.page(t.bob).count("Your Brier") == 1  # only the resolution standing
        settle(t.question, at(8), ACTION.UNDO)
        settle(t.question, at(9), ACTION.ANNUL)
        assert "Your Brier" not in self.page(t.bob)

    def test_no_relative_brier_while_others_forecasts_are_hidden(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(hidden_until=dt.date(2027, 1, 1))
        settle(t.question, at(5))
        bob = self.page(t.bob)
        assert f"Your Brier {self.own['bob']:.4f}" in bob
        assert "relative Brier" not in bob

    def test_script_in_the_question_is_escaped(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(question="<script>x()</script>")
        settle(t.question, at(5))
        page = self.page(t.bob)
        assert "<script>x()" not in page
        assert "&lt;script&gt;" in page

    def test_queries_do_not_grow_with_resolved_questions(self):
        t = self.t
        settle(t.question, at(5))

        def count() -> int:
            self.client.force_login(t.bob)
            with CaptureQueriesContext(connection) as captured:
                answer = self.client.get(reverse("inbox:list"))
            assert answer.status_code == 200
            return len(captured)

        count()  # the first visit creates the seen-row; later ones update it
        few = count()
        more_resolved(t, range(6, 12))
        page = self.client.get(reverse("inbox:list")).content.decode()
        assert page.count("Your Brier") == 7
        assert count() == few

    def test_a_former_member_is_nobodys_other_forecaster(self):
        t = self.t
        Membership.objects.filter(user=t.carol).delete()
        settle(t.question, at(5))
        del self.own["carol"]
        assert self.expected("bob") == "Your Brier 0.6400 · relative Brier 0.280"
        assert self.expected("bob") in self.page(t.bob)

    def test_digest_queries_do_not_grow_with_resolved_questions(self):
        t = self.t

        def count() -> int:
            SentMail.objects.all().delete()
            mail.outbox.clear()
            with time_machine.travel(at(47), tick=False), CaptureQueriesContext(connection) as c:
                send_activity_digests(BASE_URL)
            assert "Your Brier" in {m.to[0]: m.body for m in mail.outbox}["bob@example.org"]
            assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "carol@example.org"]
            return len(c)

        more_resolved(t, range(30, 31))
        few = count()
        more_resolved(t, range(31, 37))
        assert count() == few
