"""Log-in throttling (django-axes with predictions.login_gate) and password reset by email.

The attacks with real concurrency, against gunicorn, are in test_login_concurrency.py.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from predictions.login_gate import client_address
from tests.predictions.factories import UserFactory

PASSWORD = "correct horse battery staple"
LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED = "Too many failed log-in attempts"


def _log_in(client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="alice")
        UserFactory(username="bob")

    def attempt(self, password: str, username: str = "alice", **extra):
        return _log_in(self.client, username, password, **extra)

    def test_locks_after_repeated_failures_even_with_the_right_password(self):
        for _ in range(LIMIT - 1):
            assert self.attempt("wrong").status_code == 200
        locked = self.attempt("wrong")  # the failure that reaches the limit says so at once
        assert locked.status_code == 429
        response = self.attempt(PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert "_auth_user_id" not in self.client.session

    def test_the_lockout_says_when_to_try_again(self):
        for _ in range(LIMIT):
            self.attempt("wrong")
        response = self.attempt(PASSWORD)
        retry_at = timezone.now() + settings.AXES_COOLOFF_TIME
        assert f"{retry_at:%H:%M} UTC" in response.content.decode()
        assert "in about 15 minutes" in response.content.decode()
        assert 14 * 60 <= int(response["Retry-After"]) <= 15 * 60

    def test_the_lock_ends_after_the_cool_off_however_often_the_attacker_knocks(self):
        for _ in range(LIMIT + 10):
            self.attempt("wrong")
        # Knocking while locked does not move the end: the last counted failure does.
        last = AccessAttempt.objects.get().attempt_time
        assert self.attempt(PASSWORD).status_code == 429
        assert AccessAttempt.objects.get().attempt_time == last
        AccessAttempt.objects.update(
            attempt_time=last - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
        )
        assert self.attempt(PASSWORD).status_code == 302

    def test_a_success_before_the_limit_resets_the_count(self):
        for _ in range(LIMIT - 1):
            self.attempt("wrong")
        assert self.attempt(PASSWORD).status_code == 302
        self.client.logout()
        for _ in range(LIMIT - 1):
            self.attempt("wrong")
        assert self.attempt(PASSWORD).status_code == 302

    def test_a_success_does_not_reset_other_names_from_the_same_address(self):
        for _ in range(LIMIT - 1):
            self.attempt("wrong", username="bob")
        assert self.attempt(PASSWORD).status_code == 302  # alice, same address
        self.client.logout()
        assert self.attempt("wrong", username="bob").status_code == 429

    def test_one_address_cannot_lock_out_a_user_elsewhere(self):
        for _ in range(LIMIT):
            self.attempt("wrong", REMOTE_ADDR="198.51.100.7")
        assert self.attempt(PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
        assert self.attempt(PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302

    @override_settings(FALSIFIABLE_LOGIN_ADDRESS_LIMIT=8)
    def test_spraying_many_names_from_one_address_is_limited(self):
        for n in range(8):
            assert self.attempt("x", username=f"guess{n}").status_code == 200
        response = self.attempt(PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert self.attempt(PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302

    def test_an_overlong_name_is_counted_not_crashed_on(self):
        """Neither log-in form checks the length before authenticating; axes keeps 255."""
        for path in (reverse("login"), reverse("admin:login")):
            for _ in range(LIMIT):
                response = self.client.post(path, {"username": "x" * 10_000, "password": "p"})
                assert response.status_code in (200, 429)
        assert (
            self.client.post(
                reverse("login"), {"username": "x" * 10_000, "password": "p"}
            ).status_code
            == 429
        )

    def test_admin_log_in_is_throttled_by_the_same_rule(self):
        UserFactory(username="root", is_staff=True, is_superuser=True)
        admin_login = reverse("admin:login")
        for _ in range(LIMIT):
            self.client.post(admin_login, {"username": "root", "password": "wrong"})
        response = self.client.post(admin_login, {"username": "root", "password": PASSWORD})
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert self.attempt(PASSWORD, username="root").status_code == 429  # and on the site


@override_settings(FALSIFIABLE_TRUSTED_PROXY_HOPS=1)
class BehindProxyTests(TestCase):
    """Behind the TLS proxy every request comes from the proxy's address; the client's is
    the last X-Forwarded-For entry, which the proxy appended."""

    PROXY = {"REMOTE_ADDR": "10.0.0.2"}

    @classmethod
    def setUpTestData(cls):
        UserFactory(username="alice")

    def attempt(self, password: str, forwarded: str):
        return _log_in(self.client, "alice", password, **self.PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    def test_the_client_address_is_the_one_the_proxy_appended(self):
        request = RequestFactory().post(
            "/", **self.PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
        )
        assert client_address(request) == "203.0.113.9"
        assert client_address(RequestFactory().post("/", **self.PROXY)) == "10.0.0.2"
        bad = RequestFactory().post("/", **self.PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_address(bad) == "10.0.0.2"

    def test_an_attacker_behind_the_proxy_locks_only_their_own_address(self):
        for _ in range(LIMIT):
            self.attempt("wrong", "198.51.100.7")
        assert self.attempt(PASSWORD, "198.51.100.7").status_code == 429
        assert self.attempt(PASSWORD, "203.0.113.9").status_code == 302

    def test_a_forged_forwarded_header_does_not_escape_the_lock(self):
        for n in range(LIMIT):
            self.attempt("wrong", f"192.0.2.{n}, 198.51.100.7")
        assert self.attempt(PASSWORD, "203.0.113.1, 198.51.100.7").status_code == 429

    @override_settings(FALSIFIABLE_TRUSTED_PROXY_HOPS=0)
    def test_without_the_setting_the_header_is_ignored(self):
        for n in range(LIMIT):
            self.attempt("wrong", f"192.0.2.{n}")
        assert self.attempt(PASSWORD, "203.0.113.9").status_code == 429


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
        assert _log_in(self.client, "bob", new).status_code == 302

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


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_password_check_holds_no_database_write_lock(client):
    """On SQLite a transaction around the log-in would hold the database's one write lock
    while the password is hashed, queueing every other write on the site behind it (under
    load past the busy timeout: "database is locked"). The gate serialises with file
    locks there instead; on PostgreSQL its row locks need the transaction."""
    seen = []

    def check(request=None, **credentials):
        seen.append(connection.in_atomic_block)

    UserFactory(username="alice")
    with mock.patch("django.contrib.auth.forms.authenticate", side_effect=check):
        _log_in(client, "alice", PASSWORD)
    assert seen == [connection.vendor != "sqlite"]
