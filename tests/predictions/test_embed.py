"""The embed card (issue #15): only link-shared and public predictions, framable by any
site, no cookies set; every other page keeps its frame protection."""

from decimal import Decimal

from django.test import TestCase
from django.urls import reverse

from tests.predictions.factories import ForecastFactory, PredictionFactory
from tests.predictions.shared_setup import SharedQuestionCase


def embed_url(prediction) -> str:
    return reverse("predictions:embed", args=[prediction.share_token])


class EmbedCardTests(TestCase):
    def test_link_shared_card_shows_claim_forecast_status_and_may_be_framed(self):
        prediction = PredictionFactory(visibility="link", question="Rain <b>tomorrow</b>")
        ForecastFactory(prediction=prediction, probability=Decimal("0.637"))
        response = self.client.get(embed_url(prediction))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Rain &lt;b&gt;tomorrow&lt;/b&gt;" in body
        assert "63.7%" in body
        assert 'data-testid="embed-status"' in body
        assert "X-Frame-Options" not in response.headers
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in csp
        assert "script-src 'self'" in csp
        assert response.cookies == {}

    def test_private_and_unknown_tokens_are_404(self):
        private = PredictionFactory(visibility="private")
        assert self.client.get(embed_url(private)).status_code == 404
        assert self.client.get("/embed/no-such-token/").status_code == 404

    def test_logged_in_viewer_gets_no_cookie_either(self):
        prediction = PredictionFactory(visibility="public")
        self.client.force_login(prediction.owner)
        response = self.client.get(embed_url(prediction))
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies
        assert "sessionid" not in response.cookies

    def test_post_is_refused(self):
        prediction = PredictionFactory(visibility="public")
        assert self.client.post(embed_url(prediction)).status_code == 405

    def test_other_pages_keep_frame_protection(self):
        prediction = PredictionFactory(visibility="link")
        for url in (
            reverse("predictions:shared", args=[prediction.share_token]),
            reverse("login"),
            "/",
        ):
            response = self.client.get(url)
            assert response.headers.get("X-Frame-Options") == "DENY", url
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


class EmbedHidingTests(SharedQuestionCase):
    def test_group_only_is_404_and_hidden_forecasts_stay_hidden(self):
        assert self.client.get(embed_url(self.prediction)).status_code == 404
        self.prediction.visibility = "link"
        self.prediction.save()
        body = self.client.get(embed_url(self.prediction)).content.decode()
        assert "63.7%" not in body


class ShareSnippetTests(TestCase):
    def test_share_page_offers_an_escaped_iframe_snippet(self):
        prediction = PredictionFactory(visibility="link", question='Quote " and <script>')
        self.client.force_login(prediction.owner)
        body = self.client.get(reverse("predictions:share", args=[prediction.pk])).content.decode()
        assert f"http://testserver{embed_url(prediction)}" in body
        # The snippet's parts escaped once, the snippet again inside value="…".
        assert 'value="&lt;iframe src=&quot;http://testserver/embed/' in body
        assert "title=&quot;Quote &amp;quot; and &amp;lt;script&amp;gt;&quot;" in body
