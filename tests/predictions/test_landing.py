"""A logged-out visitor meets a page that says what Falsifiable does, not a bare form."""

from django.test import TestCase, override_settings
from django.urls import reverse

from tests.predictions.factories import UserFactory


class LandingPageTests(TestCase):
    def html(self) -> str:
        response = self.client.get(reverse("login"))
        assert response.status_code == 200
        return response.content.decode()

    def test_it_says_what_the_product_does_with_sign_up_and_log_in(self):
        html = self.html()
        assert "Find out how often you are right" in html
        assert f'href="{reverse("signup")}"' in html
        assert f'action="{reverse("login")}"' in html

    def test_it_mentions_the_demo_only_when_the_demo_account_exists(self):
        assert "demo account" not in self.html()
        UserFactory(username="demo")
        html = self.html()
        assert "demo account" in html
        assert "<code>demo</code>" in html

    @override_settings(DEMO_USERNAME="sample")
    def test_the_demo_is_the_configured_account(self):
        UserFactory(username="demo")
        assert "demo account" not in self.html()

    def test_anonymous_visitors_of_any_page_are_sent_to_it(self):
        response = self.client.get(reverse("predictions:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
