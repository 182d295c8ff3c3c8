"""send_resolution_reminders: one digest per user, only what became due, never twice."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from predictions import services
from predictions.models import Prediction, Profile
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ProfileFactory,
    UserFactory,
)

BERLIN = dt.timezone(dt.timedelta(hours=1))  # CET in January, for readable instants
DAY = dt.date(2024, 1, 10)


def run(*args) -> str:
    out = StringIO()
    call_command("send_resolution_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def at(day: dt.date, hour: int, tz=BERLIN):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=tz), tick=False)


class ReminderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="alice", email="alice@example.org")
        ProfileFactory(user=cls.user, timezone="Europe/Berlin")
        created = dt.datetime(2023, 12, 1, tzinfo=dt.UTC)

        def make(question, resolve_by, **kw):
            return PredictionFactory(
                owner=cls.user, question=question, resolve_by=resolve_by, created_at=created, **kw
            )

        cls.long_due = make("Long overdue claim", DAY - dt.timedelta(days=9))
        cls.yesterday = make("Due yesterday claim", DAY - dt.timedelta(days=1))
        cls.today = make("Due today claim", DAY)
        cls.later = make("Next month claim", DAY + dt.timedelta(days=30))
        cls.resolved = make(
            "Already resolved claim",
            DAY - dt.timedelta(days=2),
            status="resolved",
            outcome=True,
            known_at=created,
        )

    def test_first_digest_lists_everything_due_and_nothing_else(self):
        with at(DAY, 8):
            assert "Sent 1 digest." in run()
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["alice@example.org"]
        assert message.subject == "2 predictions are due to be resolved"
        assert "Long overdue claim" in message.body
        assert "Due yesterday claim" in message.body
        assert "Due today claim" not in message.body  # its day has not ended yet
        assert "Next month claim" not in message.body
        assert "Already resolved claim" not in message.body
        assert f"/p/{self.yesterday.pk}/resolve/" in message.body
        assert "Long overdue claim (due 01 Jan 2024)" in message.body  # no forecast yet

    def test_each_line_gives_the_latest_forecast_as_the_due_page_does(self):
        ForecastFactory(prediction=self.yesterday, probability=Decimal("0.6"))
        with time_machine.travel(dt.datetime(2023, 12, 2, tzinfo=dt.UTC), tick=False):
            services.prediction_create(
                owner=self.user,
                kind=Prediction.Kind.MULTIPLE_CHOICE,
                question="Which city",
                resolve_by=DAY - dt.timedelta(days=3),
                options=["Lyon", "Turin"],
                option_probabilities=[Decimal("0.3"), Decimal("0.7")],
            )
        with at(DAY, 8):
            run()
        body = mail.outbox[0].body
        assert "Due yesterday claim (due 09 Jan 2024; your forecast: 60%)" in body
        assert "Which city (due 07 Jan 2024; your forecast: Turin 70%)" in body

    def test_running_twice_sends_nothing_new(self):
        with at(DAY, 8):
            run()
            assert "Sent 0 digests." in run()
        with at(DAY, 23):
            run()
        assert len(mail.outbox) == 1

    def test_next_day_only_what_became_due_since(self):
        with at(DAY, 8):
            run()
        with at(DAY + dt.timedelta(days=1), 8):
            run()
            run()
        assert len(mail.outbox) == 2
        second = mail.outbox[1]
        assert second.subject == "1 prediction is due to be resolved"
        assert "Due today claim" in second.body
        assert "Due yesterday claim" not in second.body
        assert "Long overdue claim" not in second.body

    def test_due_at_midnight_in_the_owners_time_zone(self):
        # 23:59 on DAY in Berlin: "Due today" has not ended; 00:01 the next day it has.
        with at(DAY, 8):
            run()
        with time_machine.travel(dt.datetime(2024, 1, 10, 23, 59, tzinfo=BERLIN), tick=False):
            run()
        assert len(mail.outbox) == 1
        with time_machine.travel(dt.datetime(2024, 1, 11, 0, 1, tzinfo=BERLIN), tick=False):
            run()
        assert len(mail.outbox) == 2

    def test_digest_late_in_the_day_does_not_skip_a_prediction(self):
        # A digest at 23:30 on DAY; "Due today" becomes due half an hour later and is
        # in the next digest.
        with time_machine.travel(dt.datetime(2024, 1, 10, 23, 30, tzinfo=BERLIN), tick=False):
            run()
        with at(DAY + dt.timedelta(days=1), 7):
            run()
        assert "Due today claim" in mail.outbox[1].body

    def test_dry_run_sends_and_records_nothing(self):
        with at(DAY, 8):
            assert "alice: 2 predictions" in run("--dry-run")
        assert mail.outbox == []
        assert Profile.objects.get(user=self.user).last_reminder_at is None

    def test_a_failed_send_is_retried_next_time(self):
        with at(DAY, 8):
            with (
                mock.patch(
                    "notifications.mailing.EmailMessage.send",
                    side_effect=OSError("SMTP down"),
                ),
                pytest.raises(CommandError),
            ):
                run()
            assert Profile.objects.get(user=self.user).last_reminder_at is None
            run()
        assert len(mail.outbox) == 1

    def test_base_url_makes_absolute_links(self):
        with at(DAY, 8):
            run("--base-url", "https://falsifiable.example/")
        assert f"https://falsifiable.example/p/{self.yesterday.pk}/resolve/" in mail.outbox[0].body


class ReminderUsersTests(TestCase):
    def test_each_user_gets_their_own_digest_in_their_own_time_zone(self):
        auckland = UserFactory(username="kiwi", email="kiwi@example.org")
        ProfileFactory(user=auckland, timezone="Pacific/Auckland")  # UTC+13 in January
        angeles = UserFactory(username="angeleno", email="la@example.org")
        ProfileFactory(user=angeles, timezone="America/Los_Angeles")  # UTC-8
        for owner in (auckland, angeles):
            PredictionFactory(owner=owner, question=f"{owner.username} claim", resolve_by=DAY)
        # 12:00 UTC on DAY: already the 11th in Auckland, still the 10th in Los Angeles.
        with time_machine.travel(dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC), tick=False):
            run()
        assert [m.to for m in mail.outbox] == [["kiwi@example.org"]]
        assert "kiwi claim" in mail.outbox[0].body
        assert "angeleno" not in mail.outbox[0].body

    def test_users_without_email_or_inactive_are_skipped(self):
        quiet = UserFactory(username="quiet", email="")
        gone = UserFactory(username="gone", email="gone@example.org", is_active=False)
        for owner in (quiet, gone):
            PredictionFactory(owner=owner, resolve_by=DAY - dt.timedelta(days=3))
        with at(DAY, 8):
            run()
        assert mail.outbox == []

    def test_unconfirmed_addresses_get_no_digest(self):
        """A stranger's address typed at sign-up must not receive mail it never asked for."""
        never = UserFactory(username="new", email="stranger@example.org")  # no profile yet
        ProfileFactory(
            user=UserFactory(username="typed", email="victim@example.org"), verified_email=""
        )
        moved = UserFactory(username="moved", email="new-victim@example.org")
        ProfileFactory(user=moved, verified_email="old@example.org")  # changed since confirming
        for owner in (never, moved, Profile.objects.get(user__username="typed").user):
            PredictionFactory(owner=owner, resolve_by=DAY - dt.timedelta(days=3))
        with at(DAY, 8):
            assert "Sent 0 digests." in run()
        assert mail.outbox == []
