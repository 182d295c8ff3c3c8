"""The profile page shows which mails the user gets and changes them."""

import datetime as dt
import re

from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from notifications.due_digest import send_due_digests
from notifications.kinds import MailKind
from notifications.models import MailOptOut
from notifications.preferences import wanted_kinds
from notifications.stale import send_stale_reminders
from tests.notifications.helpers import BASE_URL, due_prediction, open_prediction, person


def ticked(html: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="kinds" value="(\w+)"[^>]*checked', html))


class MailPreferencesPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = person("alice")

    def setUp(self):
        self.client.force_login(self.alice)

    def test_every_mail_is_on_by_default_and_listed_on_the_profile(self):
        page = self.client.get(reverse("profile")).content.decode()
        assert "Emails" in page
        assert ticked(page) == {"due_digest", "stale_reminder", "group_digest"}
        assert "Predictions due to be resolved" in page
        assert "none are sent until you confirm" not in page  # her address is confirmed

    def test_turning_one_off_is_saved_and_shown(self):
        answer = self.client.post(reverse("notifications:preferences"), {"kinds": ["due_digest"]})
        assert answer.status_code == 302
        assert wanted_kinds(self.alice) == {MailKind.DUE_DIGEST}
        page = self.client.get(reverse("profile")).content.decode()
        assert ticked(page) == {"due_digest"}
        assert "Email choices saved." in page
        self.client.post(reverse("notifications:preferences"), {"kinds": []})
        assert wanted_kinds(self.alice) == set()
        everything = ["due_digest", "stale_reminder", "group_digest"]
        self.client.post(reverse("notifications:preferences"), {"kinds": everything})
        assert wanted_kinds(self.alice) == set(MailKind)
        assert not MailOptOut.objects.exists()

    def test_an_unknown_choice_changes_nothing_and_says_so(self):
        self.client.post(reverse("notifications:preferences"), {"kinds": ["due_digest"]})
        answer = self.client.post(
            reverse("notifications:preferences"), {"kinds": ["<script>", "x" * 10000]}, follow=True
        )
        assert "were not understood; nothing changed" in answer.content.decode()
        assert "<script>" not in answer.content.decode()
        assert wanted_kinds(self.alice) == {MailKind.DUE_DIGEST}

    def test_an_unconfirmed_address_is_told_nothing_is_sent(self):
        self.client.force_login(person("newbie", verified=False))
        page = self.client.get(reverse("profile")).content.decode()
        assert "none are sent until you confirm yours" in page

    def test_changing_choices_needs_a_session_and_only_post(self):
        assert self.client.get(reverse("notifications:preferences")).status_code == 405
        self.client.logout()
        answer = self.client.post(reverse("notifications:preferences"), {"kinds": []})
        assert answer.status_code == 302
        assert reverse("login") in answer["Location"]
        assert wanted_kinds(self.alice) == set(MailKind)


class OptedOutUsersGetNoMailTests(TestCase):
    def test_each_kind_is_withheld_separately(self):
        weeks_ago = timezone.now() - dt.timedelta(days=15)
        for name, off in (("both", []), ("nodue", ["due_digest"]), ("nostale", ["stale_reminder"])):
            user = person(name)
            due_prediction(user)
            open_prediction(user, weeks_ago)
            for kind in off:
                MailOptOut.objects.create(user=user, kind=kind)
        quiet = person("unconfirmed", verified=False)
        due_prediction(quiet)
        open_prediction(quiet, weeks_ago)

        send_due_digests(BASE_URL)
        assert sorted(m.to[0] for m in mail.outbox) == ["both@example.org", "nostale@example.org"]
        mail.outbox.clear()
        send_stale_reminders(BASE_URL)
        assert sorted(m.to[0] for m in mail.outbox) == ["both@example.org", "nodue@example.org"]
