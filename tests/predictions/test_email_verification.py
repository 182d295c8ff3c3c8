"""Email addresses are confirmed by a signed link before the site mails them anything else."""

import re
from io import StringIO

import time_machine
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from predictions import verification
from predictions.models import Profile
from tests.predictions.factories import PredictionFactory, ProfileFactory, UserFactory

PASSWORD = "a much longer new passphrase"


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


class SignupVerificationTests(TestCase):
    def setUp(self):
        cache.clear()  # the resend limit is kept there

    def sign_up(self, **overrides):
        data = {
            "username": "newcomer",
            "email": "stranger@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "timezone": "UTC",
        }
        return self.client.post(reverse("signup"), {**data, **overrides}, follow=True)

    def test_sign_up_mails_only_a_fixed_confirmation_text_with_a_link(self):
        self.sign_up(username="visit-evil.example-now")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["stranger@example.org"]
        assert message.subject == verification.SUBJECT
        assert "evil" not in message.body  # nothing the signed-up stranger chose
        assert reverse("verify_email", args=["x"]).rsplit("x", 1)[0] in message.body

    def test_the_link_confirms_the_address_after_a_button_press(self):
        self.sign_up()
        user = Profile.objects.get().user
        link = link_in(mail.outbox[0])
        assert not verification.has_verified_email(user)
        page = self.client.get(link)  # what a mail scanner does: nothing is confirmed
        assert page.status_code == 200
        assert "stranger@example.org" in page.content.decode()
        assert Profile.objects.get().verified_email == ""
        response = self.client.post(link)
        assert response.status_code == 302
        assert Profile.objects.get().verified_email == "stranger@example.org"

    def test_the_link_works_logged_out_too(self):
        self.sign_up()
        link = link_in(mail.outbox[0])
        self.client.logout()
        assert self.client.post(link)["Location"] == reverse("login")
        assert Profile.objects.get().verified_email == "stranger@example.org"

    def test_a_tampered_or_expired_link_confirms_nothing(self):
        self.sign_up()
        link = link_in(mail.outbox[0])
        assert self.client.post(link[:-3] + "abc/").status_code == 400
        later = timezone.now() + timezone.timedelta(days=4)
        with time_machine.travel(later):
            assert self.client.post(link).status_code == 400
        assert Profile.objects.get().verified_email == ""

    def test_sign_up_without_address_sends_nothing(self):
        self.sign_up(email="")
        assert mail.outbox == []


class ProfileEmailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(email="me@example.org")
        ProfileFactory(user=cls.user)  # confirmed

    def setUp(self):
        cache.clear()
        self.client.force_login(self.user)

    def test_the_profile_shows_the_state(self):
        assert "(confirmed)" in self.client.get(reverse("profile")).content.decode()
        Profile.objects.update(verified_email="")
        html = self.client.get(reverse("profile")).content.decode()
        assert "not confirmed yet" in html
        assert "Send the link again" in html

    def test_changing_the_address_unconfirms_it_and_mails_the_new_one(self):
        response = self.client.post(reverse("profile_email"), {"email": "new@example.org"})
        assert response.status_code == 302
        self.user.refresh_from_db()
        assert self.user.email == "new@example.org"
        assert not verification.has_verified_email(self.user)
        assert [m.to for m in mail.outbox] == [["new@example.org"]]
        self.client.post(link_in(mail.outbox[0]))
        self.user.refresh_from_db()
        assert verification.has_verified_email(self.user)

    def test_a_link_for_the_old_address_cannot_confirm_the_new_one(self):
        Profile.objects.update(verified_email="")
        old_link = reverse("verify_email", args=[verification.make_token(self.user)])
        self.client.post(reverse("profile_email"), {"email": "new@example.org"})
        assert self.client.post(old_link).status_code == 400
        self.user.refresh_from_db()
        assert not verification.has_verified_email(self.user)

    def test_resending_is_limited(self):
        Profile.objects.update(verified_email="")
        self.client.post(reverse("resend_verification"))
        self.client.post(reverse("resend_verification"))
        assert len(mail.outbox) == 1
        assert "moments ago" in self.client.get(reverse("profile")).content.decode()

    def test_an_invalid_address_is_refused_next_to_the_field(self):
        response = self.client.post(reverse("profile_email"), {"email": "not an address"})
        assert response.status_code == 200
        assert "Enter a valid email address" in response.content.decode()


class PasswordResetStillReachesUnconfirmedAddresses(TestCase):
    def test_reset_mail_goes_to_an_unconfirmed_address(self):
        UserFactory(username="forgetful", email="forgetful@example.org")
        self.client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
        assert len(mail.outbox) == 1


@override_settings(FALSIFIABLE_BASE_URL="https://falsifiable.example")
class DigestTests(TestCase):
    def test_the_digest_waits_for_confirmation(self):
        user = UserFactory(email="owner@example.org")
        ProfileFactory(user=user, verified_email="")
        PredictionFactory(owner=user, resolve_by=timezone.now().date() - timezone.timedelta(days=3))
        call_command("send_resolution_reminders", stdout=StringIO())
        assert mail.outbox == []
        verification.confirm(user)
        call_command("send_resolution_reminders", stdout=StringIO())
        assert [m.to for m in mail.outbox] == [["owner@example.org"]]
