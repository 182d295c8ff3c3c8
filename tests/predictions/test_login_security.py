"""Login throttling and password reset by email."""

import re

from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from predictions.throttle import MAX_FAILURES, MSG_LOCKED
from tests.predictions.factories import UserFactory

PASSWORD = "correct horse battery staple"


class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="alice")

    def setUp(self):
        cache.clear()

    def attempt(self, password: str):
        return self.client.post(reverse("login"), {"username": "alice", "password": password})

    def test_locks_after_repeated_failures_even_with_the_right_password(self):
        for _ in range(MAX_FAILURES):
            response = self.attempt("wrong")
            assert response.status_code == 200
        response = self.attempt(PASSWORD)
        assert response.status_code == 429
        assert MSG_LOCKED in response.content.decode()
        assert "_auth_user_id" not in self.client.session

    def test_a_success_before_the_limit_resets_the_count(self):
        for _ in range(MAX_FAILURES - 1):
            self.attempt("wrong")
        assert self.attempt(PASSWORD).status_code == 302
        self.client.logout()
        for _ in range(MAX_FAILURES - 1):
            self.attempt("wrong")
        assert self.attempt(PASSWORD).status_code == 302

    def test_the_lock_also_covers_other_names_from_the_same_address(self):
        for n in range(MAX_FAILURES):
            self.client.post(reverse("login"), {"username": f"guess{n}", "password": "x"})
        assert self.attempt(PASSWORD).status_code == 429


class PasswordResetTests(TestCase):
    def test_reset_by_email_sets_a_new_password(self):
        UserFactory(username="bob", email="bob@example.org")
        response = self.client.post(reverse("password_reset"), {"email": "bob@example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
        response = self.client.get(link, follow=True)
        assert response.status_code == 200
        assert "Choose a new password" in response.content.decode()
        new = "a much better passphrase 42"
        response = self.client.post(
            response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302
        assert self.client.login(username="bob", password=new)

    def test_unknown_address_sends_nothing_and_reveals_nothing(self):
        response = self.client.post(reverse("password_reset"), {"email": "nobody@example.org"})
        assert response.status_code == 302
        assert mail.outbox == []


class HtmxSessionExpiryTests(TestCase):
    def test_htmx_request_without_session_redirects_the_whole_page_to_log_in(self):
        response = self.client.get(reverse("predictions:list"), headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login"))

    def test_plain_request_still_gets_an_ordinary_redirect(self):
        response = self.client.get(reverse("predictions:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
