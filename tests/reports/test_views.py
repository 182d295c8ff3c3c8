"""The dashboard page, its htmx fragment and the chart URLs."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import unescape
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from predictions import services
from predictions.models import Forecast, Prediction
from predictions.services.profiles import data_changed
from reports.charts import alt_text
from reports.charts.bars import tag_chart_height
from reports.dashboard import cache as dashboard_cache
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, many_resolved, open_prediction, resolved, tag

DAY = dt.timedelta(days=1)
DASHBOARD = reverse("reports:dashboard")
SVG = "{http://www.w3.org/2000/svg}svg"
NAN = re.compile(rb"\bnan\b", re.IGNORECASE)


def chart_url(name: str, query: str = "") -> str:
    return reverse("reports:chart", args=[name]) + (f"?{query}" if query else "")


def chart_srcs(html: str) -> dict[str, str]:
    """The page's chart image URLs by chart name (HTML-unescaped)."""
    found = re.findall(r'src="(/dashboard/charts/(\w+)\.svg\?[^"]*)"', html)
    return {name: unescape(url) for url, name in found}


def assert_svg(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.content).tag == SVG  # well-formed XML, an SVG root
    return response.content


class CacheClearing(TestCase):
    def setUp(self):
        cache.clear()


class DashboardPageTests(CacheClearing):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.topic = tag(cls.user, "economy")
        many_resolved(cls.user, 30, tags=[cls.topic])
        open_prediction(cls.user, resolve_by=dt.date(2000, 1, 1))

    def setUp(self):
        super().setUp()
        self.client.force_login(self.user)

    def test_plain_page(self):
        response = self.client.get(DASHBOARD)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" in html
        assert 'id="dashboard-results"' in html
        assert 'aria-current="page">Dashboard</a>' in html
        assert "0–1 convention" in html
        assert "time-averaged" in html
        assert "nats" in html
        assert "Skill against the base rate" in html
        srcs = chart_srcs(html)
        assert sorted(srcs) == ["months", "reliability", "tags"]
        for url in srcs.values():
            assert re.search(r"\?v=[0-9a-f]{16}$", url)  # no filters, the data version
        assert "MCB" in html
        assert "DSC" in html
        assert "UNC" in html
        assert "Spiegelhalter" in html
        assert re.search(r"<a [^>]*>1 due to resolve</a>", html)
        assert not NAN.search(response.content)

    def test_chart_alt_texts_come_from_python(self):
        html = self.client.get(DASHBOARD).content.decode()
        alts = dict(
            re.findall(r'src="/dashboard/charts/(\w+)\.svg\?[^"]*"[^>]*alt="([^"]*)"', html)
        )
        months = re.findall(r'<tr><th scope="row">(\w{3} \d{4})</th>', html)
        assert alts == {
            "reliability": alt_text.reliability_alt(n_points=30, n_predictions=30, mixed=False),
            "months": alt_text.months_alt(months),
            "tags": alt_text.tags_alt(n_drawn=1, n_tags=1),
        }
        assert f'height="{tag_chart_height(1)}"' in html

    def test_htmx_gets_the_results_fragment(self):
        response = self.client.get(
            DASHBOARD, {"tag": self.topic.pk}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert "<form" not in html
        assert html.lstrip().startswith('<div id="dashboard-results"')
        # Chart URLs carry the filters.
        assert chart_srcs(html)["reliability"].startswith(
            chart_url("reliability", f"tag={self.topic.pk}&v=")
        )

    def test_history_restore_gets_the_page(self):
        response = self.client.get(
            DASHBOARD, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        assert b"<html" in response.content

    def test_bad_filters_are_reported_and_ignored(self):
        other_tag = tag(UserFactory(), "not yours")
        response = self.client.get(DASHBOARD, {"tag": [other_tag.pk], "created_from": "2024-13-45"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "were ignored" in html
        assert "Made from: Enter a valid date." in html
        assert "With these filters: 30 scored predictions" not in html
        assert "30 scored predictions" in html  # nothing invalid was applied

    def test_reversed_date_range_is_reported(self):
        response = self.client.get(
            DASHBOARD, {"resolved_from": "2025-01-01", "resolved_to": "2024-01-01"}
        )
        assert "Resolved until: The start date must not be after" in response.content.decode()

    def test_tag_filter(self):
        response = self.client.get(DASHBOARD, {"tag": self.topic.pk})
        assert "With these filters: 15 scored predictions" in response.content.decode()

    def test_query_count_does_not_grow(self):
        counts = []
        for n in (5, 50):
            user = UserFactory()
            services.profile_for(user)  # as after sign-up
            many_resolved(user, n, tags=[tag(user, "a"), tag(user, "b")])
            self.client.force_login(user)
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert self.client.get(DASHBOARD).status_code == 200
            counts.append(len(ctx.captured_queries))
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(DASHBOARD)
            counts.append(len(ctx.captured_queries))
        cold, warm = counts[0], counts[1]
        assert counts == [cold, warm, cold, warm]
        # A warm cache skips the selector's three queries, the activity calendar's one and
        # the counts by state (the results region is cached whole).
        assert warm == cold - 5

    def test_anonymous_is_sent_to_log_in(self):
        self.client.logout()
        for url in (DASHBOARD, chart_url("reliability")):
            response = self.client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    def test_unknown_chart_is_404(self):
        assert self.client.get(chart_url("nope")).status_code == 404


class SmallDataTests(CacheClearing):
    """Zero, one and two scored predictions: sentences, not NaN or tracebacks."""

    def setUp(self):
        super().setUp()
        self.user = UserFactory()
        self.client.force_login(self.user)

    def page(self) -> str:
        response = self.client.get(DASHBOARD)
        assert response.status_code == 200
        assert not NAN.search(response.content)
        for name in ("reliability", "months", "tags"):
            assert_svg(self.client.get(chart_url(name)))
        return response.content.decode()

    def test_zero(self):
        html = self.page()
        assert "Resolve at least one prediction" in html
        assert "<img" not in html

    def test_one(self):
        resolved(self.user, [(T0, "0.8")], outcome=True, known_at=T0 + DAY)
        html = self.page()
        assert "0.040" in html  # (0.8 − 1)²
        assert "Needs both outcomes" in html
        assert "Resolve at least 4 more predictions" in html
        assert sorted(chart_srcs(html)) == ["months"]

    def test_two(self):
        resolved(self.user, [(T0, "0.8")], outcome=True, known_at=T0 + DAY)
        resolved(self.user, [(T0, "0.4")], outcome=False, known_at=T0 + DAY)
        html = self.page()
        assert "0.100" in html  # mean of 0.04 and 0.16
        assert "Needs both outcomes" not in html
        assert "0.60" in html  # skill: 1 − 0.1 / 0.25
        assert "Resolve at least 3 more predictions" in html

    def test_placeholder_says_what_is_needed(self):
        resolved(self.user, [(T0, "0.8")], outcome=True, known_at=T0 + DAY)
        content = assert_svg(self.client.get(chart_url("reliability")))
        assert b"Resolve at least 5 predictions" in content


class EscapingTests(CacheClearing):
    def test_tag_names_are_escaped_in_page_and_svg(self):
        user = UserFactory()
        evil = tag(user, "<script>alert(1)</script>")
        maths = tag(user, r"$\frac{1}{0$ & co")
        many_resolved(user, 6, tags=[evil, maths])
        self.client.force_login(user)
        html = self.client.get(DASHBOARD).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        svg = assert_svg(self.client.get(chart_url("tags")))
        assert b"<script" not in svg.lower()
        # Drawn as escaped text (shortened to reports.charts.bars.TAG_CHARS characters).
        assert b"&lt;script&gt;alert(1" in svg
        assert rb"$\frac{1}{0$ &amp; co" in svg  # drawn as text, not mathtext


class CacheTests(CacheClearing):
    def setUp(self):
        super().setUp()
        self.user = UserFactory()
        self.prediction = resolved(self.user, [(T0, "0.2")], outcome=True, known_at=T0 + 5 * DAY)
        many_resolved(self.user, 6)
        self.client.force_login(self.user)

    def test_charts_are_cached_and_recomputed_after_a_new_forecast(self):
        with mock.patch.object(
            dashboard_cache, "scored_predictions", wraps=dashboard_cache.scored_predictions
        ) as selector:
            first = assert_svg(self.client.get(chart_url("reliability")))
            assert_svg(self.client.get(chart_url("months")))
            again = assert_svg(self.client.get(chart_url("reliability")))
            assert again == first
            assert selector.call_count == 1  # numbers computed once, both charts cached
            # A forecast made before the outcome was known changes the final forecast.
            Forecast.objects.create(
                prediction=self.prediction,
                author_id=self.prediction.owner_id,
                created_at=T0 + DAY,
                probability="0.9",
            )
            data_changed(self.user.pk)  # what the services do; the builders write directly
            changed = assert_svg(self.client.get(chart_url("reliability")))
            assert selector.call_count == 2
            assert changed != first

    def test_recomputed_after_a_resolution_changes(self):
        before = self.client.get(DASHBOARD).content.decode()
        prediction = Prediction.objects.get(pk=self.prediction.pk)
        services.prediction_reopen(prediction=prediction)
        services.prediction_resolve(prediction=prediction, outcome="no", known_at=T0 + 5 * DAY)
        after = self.client.get(DASHBOARD).content.decode()
        brier = re.compile(r'stat-number">([0-9.]+)<')
        assert brier.search(before).group(1) != brier.search(after).group(1)

    def test_page_chart_urls_are_immutable_and_change_with_the_data(self):
        before = chart_srcs(self.client.get(DASHBOARD).content.decode())["reliability"]
        response = self.client.get(before)
        assert_svg(response)
        assert response["Cache-Control"] == "private, max-age=31536000, immutable"
        Forecast.objects.create(
            prediction=self.prediction,
            author_id=self.prediction.owner_id,
            created_at=T0 + DAY,
            probability="0.9",
        )
        data_changed(self.user.pk)  # what the services do; the builders write directly
        after = chart_srcs(self.client.get(DASHBOARD).content.decode())["reliability"]
        assert after != before
        assert assert_svg(self.client.get(after)) != response.content
        # The old URL names the old data: it still shows what the old page showed.
        assert self.client.get(before).content == response.content
        # A version not in the cache gets the current chart, not marked immutable.
        unknown = self.client.get(before.replace("v=", "v=0"))
        assert unknown.content == self.client.get(after).content
        assert unknown["Cache-Control"] == "private, no-cache"

    def test_page_charts_are_drawn_from_the_pages_numbers(self):
        srcs = chart_srcs(self.client.get(DASHBOARD).content.decode())
        for url in srcs.values():
            with CaptureQueriesContext(connection) as ctx:
                assert_svg(self.client.get(url))
            # Neither the data version nor the predictions are read again.
            assert not any("predictions_forecast" in q["sql"] for q in ctx.captured_queries)

    def test_browser_revalidation_gets_304(self):
        response = self.client.get(chart_url("months"))
        etag = response["ETag"]
        assert response["Cache-Control"] == "private, no-cache"
        assert (
            self.client.get(chart_url("months"), headers={"If-None-Match": etag}).status_code == 304
        )
        services.forecast_create(
            prediction=open_prediction(self.user, resolve_by=dt.date(2030, 1, 1)),
            author=self.user,
            probability=Decimal("0.3"),
        )
        assert (
            self.client.get(chart_url("months"), headers={"If-None-Match": etag}).status_code == 200
        )

    def test_chart_responses_allow_no_script(self):
        csp = self.client.get(chart_url("months"))["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "script-src" not in csp


class PredictionChartTests(CacheClearing):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.prediction = resolved(
            cls.owner,
            [(T0, "0.3"), (T0 + DAY, "0.6"), (T0 + 4 * DAY, "0.9")],
            outcome=True,
            known_at=T0 + 2 * DAY,
        )

    def url(self, prediction=None):
        return reverse("reports:prediction_chart", args=[(prediction or self.prediction).pk])

    def shared_url(self):
        return reverse("reports:shared_prediction_chart", args=[self.prediction.share_token])

    def test_owner_gets_svg(self):
        self.client.force_login(self.owner)
        content = assert_svg(self.client.get(self.url()))
        assert b"Late (not scored)" in content  # the 90% made after the outcome was known
        assert b"Outcome known: YES" in content

    def test_open_prediction_and_no_forecast(self):
        self.client.force_login(self.owner)
        assert_svg(
            self.client.get(self.url(open_prediction(self.owner, resolve_by=dt.date(2030, 1, 1))))
        )
        empty = Prediction.objects.create(
            owner=self.owner, question="q", resolve_by=dt.date(2030, 1, 1)
        )
        assert b"No forecast" in assert_svg(self.client.get(self.url(empty)))
        choice = Prediction.objects.create(
            owner=self.owner, question="q", resolve_by=dt.date(2030, 1, 1), kind="multiple_choice"
        )
        assert b"No forecast" in assert_svg(self.client.get(self.url(choice)))

    def test_other_user_gets_404(self):
        self.client.force_login(UserFactory())
        assert self.client.get(self.url()).status_code == 404

    def test_anonymous_is_sent_to_log_in(self):
        response = self.client.get(self.url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_shared_chart_only_for_link_or_public(self):
        assert self.client.get(self.shared_url()).status_code == 404  # private
        for visibility in ("link", "public"):
            Prediction.objects.filter(pk=self.prediction.pk).update(visibility=visibility)
            assert_svg(self.client.get(self.shared_url()))
        assert (
            self.client.get(reverse("reports:shared_prediction_chart", args=["nope"])).status_code
            == 404
        )

    def test_chart_changes_with_a_new_forecast(self):
        self.client.force_login(self.owner)
        prediction = open_prediction(self.owner, resolve_by=dt.date(2030, 1, 1))
        before = assert_svg(self.client.get(self.url(prediction)))
        services.forecast_create(
            prediction=prediction, author=self.owner, probability=Decimal("0.9")
        )
        assert assert_svg(self.client.get(self.url(prediction))) != before
