"""The stale-forecast reminder: once per prediction per staleness period, never for due,
settled or opted-out predictions, one mail per user."""

import datetime as dt
from unittest import mock

import time_machine
from django.core import mail
from django.test import TestCase

from notifications.models import SentMail
from notifications.stale import send_stale_reminders
from predictions.models import Prediction
from tests.notifications.helpers import BASE_URL, forecast_on, open_prediction, person

START = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)


def on_day(days: float):
    return time_machine.travel(START + dt.timedelta(days=days), tick=False)


def remind() -> list:
    mail.outbox.clear()
    send_stale_reminders(BASE_URL)
    return list(mail.outbox)


class StaleReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = person("alice")
        cls.claim = open_prediction(cls.alice, START, question="Rust in the kernel by June")

    def test_sent_once_two_weeks_after_the_latest_forecast(self):
        with on_day(13.9):
            assert remind() == []
        with on_day(14):
            sent = remind()
        assert len(sent) == 1
        message = sent[0]
        assert message.to == ["alice@example.org"]
        assert message.subject == (
            "It has been two weeks since you forecast on “Rust in the kernel by June”"
        )
        assert "your forecast: 40%, made 01 Mar 2024" in message.body
        assert f"{BASE_URL}/p/{self.claim.pk}/" in message.body
        assert "Stop them: https://falsifiable.example/mail/unsubscribe/" in message.body
        for later in (14.5, 15, 30, 58):  # not on every run while it stays stale
            with on_day(later):
                assert remind() == []

    def test_a_new_forecast_starts_a_new_staleness_period(self):
        with on_day(14):
            remind()
        with on_day(20):
            forecast_on(self.claim, START + dt.timedelta(days=20), "0.55")
        with on_day(33):
            assert remind() == []
        with on_day(34):
            sent = remind()
        assert len(sent) == 1
        assert "your forecast: 55%" in sent[0].body
        assert SentMail.objects.filter(subject_id=self.claim.pk).count() == 2

    def test_weeks_are_counted_when_it_is_longer(self):
        with on_day(30):
            assert remind()[0].subject.startswith("It has been four weeks since you forecast")

    def test_due_and_settled_predictions_are_left_to_the_due_digest(self):
        due = open_prediction(self.alice, START, resolve_in_days=10, question="Due already")
        settled = open_prediction(self.alice, START, question="Settled one")
        Prediction.objects.filter(pk=settled.pk).update(
            status=Prediction.Status.ANNULLED, known_at=START, resolved_at=START
        )
        with on_day(14):
            body = remind()[0].body
        assert "Due already" not in body
        assert "Settled one" not in body
        assert due.pk not in SentMail.objects.values_list("subject_id", flat=True)

    def test_several_stale_predictions_make_one_mail(self):
        open_prediction(self.alice, START + dt.timedelta(days=2), question="Second claim")
        open_prediction(person("bob"), START, question="Bob's claim")
        with on_day(16):
            sent = remind()
        assert sorted(m.to[0] for m in sent) == ["alice@example.org", "bob@example.org"]
        alice = next(m for m in sent if m.to == ["alice@example.org"])
        assert alice.subject == "It has been two weeks since you forecast on 2 open predictions"
        assert "Rust in the kernel" in alice.body
        assert "Second claim" in alice.body
        assert "Bob's claim" not in alice.body

    def test_hostile_question_text_stays_in_the_body(self):
        open_prediction(
            person("mallory"),
            START,
            question="Line one\r\nBcc: victim@example.org <script>alert(1)</script> " + "x" * 200,
        )
        with on_day(14):
            sent = [m for m in remind() if m.to == ["mallory@example.org"]]
        subject = sent[0].subject
        assert "\n" not in subject
        assert "\r" not in subject
        assert len(subject) <= 120
        assert subject.endswith("…”")  # shortened inside its quotes
        assert sent[0].bcc == []
        assert sent[0].recipients() == ["mallory@example.org"]

    def test_a_failed_send_records_nothing_and_is_retried(self):
        with (
            on_day(14),
            mock.patch("notifications.mailing.EmailMessage.send", side_effect=OSError("down")),
        ):
            outcome = send_stale_reminders(BASE_URL)
        assert outcome.as_dict() == {"sent": 0, "failed": 1}
        assert not SentMail.objects.exists()
        with on_day(15):
            assert len(remind()) == 1
