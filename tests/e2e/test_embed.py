"""Browser check of the embed card (issue #15): a page on another origin (a second local
server with its own strict CSP) frames the card, which renders; framing the normal
shared page from the same page is refused by the browser."""

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from tests.e2e.conftest import TIMEOUT_MS
from tests.predictions.factories import ForecastFactory, PredictionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def host_page(html: str):
    """A server on its own port answering every GET with ``html`` under a typical CSP."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", "script-src 'self'")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_card_frames_on_another_origin_and_shared_page_does_not(browser, live_server):
    prediction = PredictionFactory(visibility="link", question="The bridge opens in May")
    ForecastFactory(prediction=prediction, probability=Decimal("0.637"))
    embed = live_server.url + reverse("predictions:embed", args=[prediction.share_token])
    shared = live_server.url + reverse("predictions:shared", args=[prediction.share_token])
    server = host_page(
        f"<!doctype html><title>Blog</title><h1>My blog</h1>"
        f'<iframe name="card" src="{embed}" width="400" height="260"></iframe>'
        f'<iframe name="page" src="{shared}" width="400" height="260"></iframe>'
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        card = page.frame_locator("iframe[name=card]")
        assert card.get_by_test_id("embed-card").get_by_role("heading").inner_text() == (
            "The bridge opens in May"
        )
        assert "63.7%" in card.get_by_test_id("embed-card").inner_text()
        page.wait_for_timeout(500)
        # Chromium replaces a refused frame with its own error page.
        blocked = page.frame("page")
        assert blocked is not None
        assert blocked.url.startswith("chrome-error://")
        assert "The bridge opens in May" not in blocked.content()
    finally:
        context.close()
        server.shutdown()
