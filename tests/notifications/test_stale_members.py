"""Stale reminders for members (issue #14): a member who forecast on a shared question
is reminded of their own latest forecast, once per period, while they may still read
the question; never about someone else's forecast, a resolved question, after leaving
the group, to an unverified address or after opting out."""

import datetime as dt

import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from groups.models import Membership
from notifications.kinds import MailKind
from notifications.preferences import opt_out
from notifications.stale import send_stale_reminders
from predictions.models import Prediction, Profile
from tests.notifications.helpers import BASE_URL
from tests.notifications.together import START, Together, at, forecast


def remind(days: float) -> dict[str, mail.EmailMessage]:
    """The reminders a run `days` after START sends, by recipient's user name."""
    mail.outbox.clear()
    with time_machine.travel(START + dt.timedelta(days=days), tick=False):
        send_stale_reminders(BASE_URL)
    return {m.to[0].split("@")[0]: m for m in mail.outbox}


class MemberStaleReminderTests(TestCase):
    def setUp(self):
        self.t = t = Together()  # alice forecast 40% at START
        forecast(t.question, t.bob, at(2), "0.65")

    def test_a_member_is_reminded_of_their_own_forecast(self):
        sent = remind(14.05)
        assert set(sent) == {"alice"}  # bob's forecast is not two weeks old yet
        sent = remind(14.1)
        assert set(sent) == {"bob"}  # carol never forecast, dave is in no group
        body = sent["bob"].body
        assert sent["bob"].subject == (
            "It has been two weeks since you forecast on “Will the bridge open by May?”"
        )
        assert "your forecast: 65%, made 02 Nov 2026" in body
        assert "40%" not in body  # alice's forecast is hers
        assert f"{BASE_URL}/p/{self.t.question.pk}/" in body

    def test_once_per_period_each_member_on_their_own_forecast(self):
        t = self.t
        assert set(remind(15)) == {"alice", "bob"}
        assert remind(16) == {}
        forecast(t.question, t.bob, START + dt.timedelta(days=20), "0.5")
        assert remind(33) == {}  # bob's new forecast is 13 days old; alice was told
        sent = remind(34.1)
        assert set(sent) == {"bob"}
        assert "your forecast: 50%" in sent["bob"].body

    def test_a_former_member_is_not_reminded(self):
        Membership.objects.filter(user=self.t.bob).delete()
        assert set(remind(15)) == {"alice"}

    def test_a_resolved_question_is_not_mentioned(self):
        Prediction.objects.filter(pk=self.t.question.pk).update(
            status=Prediction.Status.RESOLVED, outcome=True, resolved_at=at(5), known_at=at(5)
        )
        assert remind(15) == {}

    def test_unverified_or_opted_out_members_are_not_mailed(self):
        t = self.t
        Profile.objects.filter(user=t.bob).update(verified_email="")
        assert set(remind(15)) == {"alice"}
        Profile.objects.filter(user=t.bob).update(verified_email=t.bob.email)
        opt_out(t.bob, MailKind.STALE_REMINDER)
        assert remind(16) == {}

    def test_a_hidden_forecast_is_never_in_a_members_reminder(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(
            hide_until_forecast=True, hidden_until=dt.date(2027, 1, 1)
        )
        forecast(t.question, t.carol, at(3), "0.93")
        sent = remind(15)
        assert set(sent) == {"alice", "bob", "carol"}
        assert "93%" in sent["carol"].body
        for name in ("alice", "bob"):
            assert "93%" not in sent[name].body
        assert "65%" not in sent["carol"].body

    def test_queries_do_not_grow_with_shared_questions(self):
        t = self.t

        def count(days: float) -> int:
            with CaptureQueriesContext(connection) as captured:
                assert set(remind(days)) == {"alice", "bob"}
            return len(captured)

        def share(n: int, day: float) -> None:
            for i in range(n):
                other = Prediction.objects.create(
                    owner=t.alice, question=f"Q{day}-{i}", resolve_by=dt.date(2027, 5, 31)
                )
                other.shared_with.add(t.group, through_defaults={"shared_at": at(1)})
                forecast(other, t.bob, START + dt.timedelta(days=day), "0.3")
                forecast(other, t.alice, START + dt.timedelta(days=day), "0.3")

        share(1, 1)
        few = count(15.5)
        share(8, 2)
        assert count(16.5) == few
