"""Accounts: sign up, log in, log out, change password, and who may see what logged out."""

import datetime as dt

from django.contrib.auth import SESSION_KEY, get_user_model
from django.http import HttpResponse
from django.test import RequestFactory, TestCase
from django.urls import URLPattern, reverse

from predictions import account_urls
from predictions import urls as prediction_urls
from predictions.middleware import PrivateCacheMiddleware
from predictions.models import Prediction, Profile
from predictions.usernames import MSG_CONFUSABLE, skeletons
from tests.predictions.factories import PASSWORD, PredictionFactory, ProfileFactory, UserFactory

NEW_PASSWORD = "a much longer new passphrase"

# Everything else needs a login (LoginRequiredMiddleware); these are the deliberate exceptions.
PUBLIC_URL_NAMES = {
    "signup",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "verify_email",
    "predictions:shared",
    "predictions:embed",  # the embeddable card of a public or link-shared prediction
}


class SignupTests(TestCase):
    def data(self, **overrides) -> dict:
        data = {
            "username": "newcomer",
            "email": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "timezone": "Pacific/Auckland",
        }
        data.update(overrides)
        return data

    def test_the_form_renders_with_a_time_zone_choice(self):
        response = self.client.get(reverse("signup"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Create your account" in html
        assert 'name="timezone"' in html
        assert 'value="America/Los_Angeles"' in html
        assert 'name="password1"' in html

    def test_signing_up_stores_the_time_zone_logs_in_and_starts_the_first_prediction(self):
        response = self.client.post(reverse("signup"), self.data())
        user = get_user_model().objects.get(username="newcomer")
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:create")
        assert Profile.objects.get(user=user).timezone == "Pacific/Auckland"
        assert user.check_password(NEW_PASSWORD)
        assert int(self.client.session[SESSION_KEY]) == user.pk

    def test_invalid_sign_up_re_renders_and_creates_nothing(self):
        cases = {
            "mismatch": self.data(password2="something else entirely"),
            "unknown time zone": self.data(timezone="Mars/Olympus_Mons"),
            "taken": self.data(username=UserFactory().username),
        }
        users = get_user_model().objects.count()
        for case, data in cases.items():
            with self.subTest(case=case):
                response = self.client.post(reverse("signup"), data)
                assert response.status_code == 200
                assert 'class="errorlist' in response.content.decode()
                assert get_user_model().objects.count() == users
                assert SESSION_KEY not in self.client.session

    def test_a_logged_in_user_is_sent_to_their_list(self):
        self.client.force_login(UserFactory())
        response = self.client.get(reverse("signup"))
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:list")


class LoginLogoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="carol")

    def test_the_login_page_renders(self):
        response = self.client.get(reverse("login"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Log in" in html
        assert 'name="username"' in html
        assert 'name="password"' in html

    def test_logging_in_goes_to_the_list_or_to_next(self):
        response = self.client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:list")
        assert int(self.client.session[SESSION_KEY]) == self.user.pk
        self.client.logout()
        due = reverse("predictions:due")
        response = self.client.post(
            reverse("login"), {"username": "carol", "password": PASSWORD, "next": due}
        )
        assert response["Location"] == due

    def test_an_offsite_next_is_ignored(self):
        response = self.client.post(
            reverse("login"),
            {"username": "carol", "password": PASSWORD, "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("predictions:list")

    def test_a_wrong_password_is_refused(self):
        response = self.client.post(reverse("login"), {"username": "carol", "password": "nope"})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
        assert SESSION_KEY not in self.client.session

    def test_log_out_is_a_post(self):
        self.client.force_login(self.user)
        assert self.client.get(reverse("logout")).status_code == 405
        assert SESSION_KEY in self.client.session
        response = self.client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        assert SESSION_KEY not in self.client.session
        assert self.client.get(reverse("predictions:list")).status_code == 302

    def test_the_navigation_has_a_log_out_form_not_a_link(self):
        self.client.force_login(self.user)
        html = self.client.get(reverse("predictions:list")).content.decode()
        assert f'<form method="post" action="{reverse("logout")}"' in html
        assert f'<a href="{reverse("logout")}"' not in html


class PasswordChangeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def setUp(self):
        self.client.force_login(self.user)

    def test_the_form_renders(self):
        response = self.client.get(reverse("password_change"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Change password" in html
        assert 'name="old_password"' in html

    def test_changing_the_password_keeps_the_session(self):
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            follow=True,
        )
        assert response.redirect_chain == [(reverse("password_change_done"), 302)]
        assert "Password changed" in response.content.decode()
        self.user.refresh_from_db()
        assert self.user.check_password(NEW_PASSWORD)
        assert self.client.get(reverse("predictions:list")).status_code == 200

    def test_a_wrong_old_password_changes_nothing(self):
        response = self.client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        self.user.refresh_from_db()
        assert self.user.check_password(PASSWORD)


class ProfileTests(TestCase):
    def test_the_profile_sets_display_name_and_time_zone(self):
        user = UserFactory()
        self.client.force_login(user)
        assert self.client.get(reverse("profile")).status_code == 200
        response = self.client.post(
            reverse("profile"), {"display_name": "Carol C.", "timezone": "America/Los_Angeles"}
        )
        assert response.status_code == 302
        profile = Profile.objects.get(user=user)
        assert (profile.display_name, profile.timezone) == ("Carol C.", "America/Los_Angeles")

    def test_times_are_shown_in_the_users_time_zone(self):
        profile = ProfileFactory(timezone="Pacific/Auckland")
        # 12:00 UTC on 14 May is midnight starting 15 May in Auckland (UTC+12).
        created = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
        prediction = PredictionFactory(owner=profile.user, created_at=created)
        self.client.force_login(profile.user)
        url = reverse("predictions:detail", args=[prediction.pk])
        assert (
            "<dt>Created</dt><dd>15 May 2026, 00:00</dd>" in self.client.get(url).content.decode()
        )
        profile.timezone = "America/Los_Angeles"
        profile.save()
        assert (
            "<dt>Created</dt><dd>14 May 2026, 05:00</dd>" in self.client.get(url).content.decode()
        )


def url_for(pattern: URLPattern, namespace: str = "") -> tuple[str, str]:
    name = f"{namespace}{pattern.name}"
    args = {
        "pk": 1,
        "token": "some-token",
        "uidb64": "MQ",
        "name": "calibration",
    }
    kwargs = {key: args[key] for key in pattern.pattern.converters}
    return name, reverse(name, kwargs=kwargs)


class LoginRequiredTests(TestCase):
    """Every page needs login except sign-up, log-in, password reset and shared pages."""

    @classmethod
    def setUpTestData(cls):
        cls.shared = PredictionFactory(visibility=Prediction.Visibility.PUBLIC)

    def test_every_account_and_prediction_url_but_the_public_ones_redirects_to_log_in(self):
        patterns = [url_for(p) for p in account_urls.urlpatterns]
        patterns += [url_for(p, "predictions:") for p in prediction_urls.urlpatterns]
        assert len(patterns) >= 15
        for name, url in patterns:
            if name in PUBLIC_URL_NAMES:
                continue
            for method in ["get", "post"]:
                with self.subTest(name=name, method=method):
                    response = getattr(self.client, method)(url)
                    assert response.status_code == 302
                    assert response["Location"].startswith(f"{reverse('login')}?next=")

    def test_the_public_pages_answer_anonymous_visitors(self):
        for url in [
            reverse("signup"),
            reverse("login"),
            reverse("predictions:shared", args=[self.shared.share_token]),
            reverse("predictions:embed", args=[self.shared.share_token]),
        ]:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 200


class LookAlikeUsernameTests(TestCase):
    """Sign-up refuses names that could pass for an existing user's."""

    @classmethod
    def setUpTestData(cls):
        UserFactory(username="alice")
        UserFactory(username="paypal")

    def sign_up(self, username: str):
        data = {
            "username": username,
            "email": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "timezone": "UTC",
        }
        return self.client.post(reverse("signup"), data)

    def test_confusables_of_existing_names_are_refused_next_to_the_field(self):
        for name in [
            "\u0430lice",
            "ALICE",
            "Alice",
            "ａｌｉｃｅ",
            "paypa1",
            "PayPaI",
            "p\u0430yp\u0430l",
        ]:
            with self.subTest(name=name):
                response = self.sign_up(name)
                assert response.status_code == 200
                errors = response.context["form"].errors
                assert list(errors) == ["username"], errors
        assert get_user_model().objects.count() == 2

    def test_the_cyrillic_look_alike_gets_the_clear_message(self):
        response = self.sign_up("\u0430lice")
        assert response.context["form"].errors["username"] == [MSG_CONFUSABLE]

    def test_names_are_stored_nfkc_normalised(self):
        assert self.sign_up("ｂｏｂ").status_code == 302
        assert get_user_model().objects.filter(username="bob").exists()

    def test_distinct_names_are_accepted(self):
        for name in ["alicia", "bob", "алиса"]:
            with self.subTest(name=name):
                assert self.sign_up(name).status_code == 302
                self.client.logout()

    def test_skeletons(self):
        assert skeletons("\u0430lice") & skeletons("alice") & skeletons("ALICE")
        assert not skeletons("alice") & skeletons("alicia")


class PrivateCacheTests(TestCase):
    def test_every_logged_in_page_is_private(self):
        user = UserFactory()
        self.client.force_login(user)
        prediction = PredictionFactory(owner=user)
        for url in [
            reverse("predictions:list"),
            reverse("predictions:detail", args=[prediction.pk]),
            reverse("profile"),
            reverse("predictions:due"),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 200
                assert "private" in response["Cache-Control"]
                assert "public" not in response["Cache-Control"]

    def test_a_stricter_policy_is_kept(self):
        response = HttpResponse()
        response["Cache-Control"] = "no-store, public"
        request = RequestFactory().get("/")
        request.user = UserFactory()
        result = PrivateCacheMiddleware(lambda r: response)(request)
        directives = {d.strip() for d in result["Cache-Control"].split(",")}
        assert directives == {"no-store", "private"}

    def test_anonymous_pages_are_left_alone(self):
        response = self.client.get(reverse("signup"))
        assert "private" not in response.get("Cache-Control", "")
