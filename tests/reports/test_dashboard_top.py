"""What the dashboard shows first: the calibration chart with its sentence from the first
resolved prediction, the Brier verdicts, the period switch, the bucket links and the
activity calendar."""

import datetime as dt
import re
from html import unescape
from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from predictions.models import Forecast, Prediction
from reports.dashboard.activity import activity, streak
from reports.dashboard.filters import months_before
from reports.dashboard.sections import MEANINGFUL
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, many_resolved, resolved

DAY = dt.timedelta(days=1)
DASHBOARD = reverse("reports:dashboard")


def bucket_links(html: str) -> dict[str, str]:
    """The calibration chart's links by bucket ("90"), HTML-unescaped."""
    found = re.findall(r'<a href="([^"]+)" class="bucket-link" data-bucket="(\d+)">', html)
    return {bucket: unescape(url) for url, bucket in found}


class FirstPredictionTests(TestCase):
    def setUp(self):
        cache.clear()
        self.user = UserFactory()
        self.client.force_login(self.user)

    def test_one_resolved_prediction_draws_its_bucket_and_says_how_many_more(self):
        resolved(self.user, [(T0, "0.9")], outcome=True, known_at=T0 + DAY)
        html = self.client.get(DASHBOARD).content.decode()
        assert "Your 90% predictions came true 1 of 1 time (100%): about right." in html
        assert list(bucket_links(html)) == ["90"]
        assert f"About {MEANINGFUL - 1} more make the chart meaningful" in html

    def test_a_clearly_off_bucket_is_the_sentence(self):
        for i in range(8):
            resolved(self.user, [(T0 + i * DAY, "0.9")], outcome=i == 0, known_at=T0 + 9 * DAY)
        for i in range(12):
            resolved(self.user, [(T0 + i * DAY, "0.5")], outcome=i % 2 == 0, known_at=T0 + 20 * DAY)
        html = self.client.get(DASHBOARD).content.decode()
        assert (
            "Your 90% predictions came true 1 of 8 times (12%): you are overconfident there."
            in html
        )

    def test_verdicts_against_always_half_and_the_base_rate(self):
        for i in range(30):
            p = "0.9" if i % 3 else "0.1"
            resolved(self.user, [(T0 + i * DAY, p)], outcome=bool(i % 3), known_at=T0 + 40 * DAY)
        html = self.client.get(DASHBOARD).content.decode()
        assert "Better than always saying 50%: 0.250" in html
        assert "Better than your base rate (67%): 0.222" in html

    def test_three_predictions_are_too_few_to_call(self):
        for i, (p, y) in enumerate((("0.7", True), ("0.6", False), ("0.2", True))):
            resolved(self.user, [(T0 + i * DAY, p)], outcome=y, known_at=T0 + 9 * DAY)
        html = self.client.get(DASHBOARD).content.decode()
        assert "Not clearly better than always saying 50%: 0.250" in html


class BucketLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        many_resolved(cls.user, 60, seed=3)

    def setUp(self):
        cache.clear()
        self.client.force_login(self.user)

    def test_each_link_lists_exactly_the_bucket_count(self):
        html = self.client.get(DASHBOARD).content.decode()
        counts = dict(
            re.findall(
                r'data-bucket="(\d+)">\d+%</a> <span class="help">[^<]*</span></th>'
                r'\s*<td class="num">(\d+)</td>',
                html,
            )
        )
        links = bucket_links(html)
        assert links
        assert set(links) == set(counts)
        for bucket, url in links.items():
            response = self.client.get(url)
            listed = response.context["page"].paginator.count
            assert (bucket, listed) == (bucket, int(counts[bucket]))


class PeriodTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        now = timezone.now()
        # Two resolved last week (Brier 0.01 each), one two years ago (Brier 0.81).
        for p, y, when in (("0.9", True, now - 7 * DAY), ("0.1", False, now - 8 * DAY)):
            resolved(cls.user, [(when - DAY, p)], outcome=y, known_at=when)
        resolved(cls.user, [(now - 800 * DAY, "0.9")], outcome=False, known_at=now - 700 * DAY)

    def setUp(self):
        cache.clear()
        self.client.force_login(self.user)

    def briers(self, html: str) -> list[tuple[str, str]]:
        return re.findall(
            r'<h3 class="stat-label">([^<]+)</h3>\s*<p class="stat-value">'
            r'<span class="stat-number">([0-9.]+)</span>',
            html,
        )

    def test_all_time_shows_the_last_three_months_beside(self):
        html = self.client.get(DASHBOARD).content.decode()
        assert self.briers(html) == [("All time", "0.277"), ("Last 3 months", "0.010")]

    def test_three_months_shows_all_time_beside(self):
        html = self.client.get(DASHBOARD, {"period": "3m"}).content.decode()
        assert self.briers(html) == [("Last 3 months", "0.010"), ("All time", "0.277")]
        assert 'aria-current="true">Last 3 months</a>' in html

    def test_the_switch_links_keep_other_filters(self):
        html = self.client.get(DASHBOARD, {"kind": "binary"}).content.decode()
        switch = html[html.index('class="period-switch"') : html.index("Custom period")]
        assert re.findall(r'href="([^"]+)"', switch) == [
            "/dashboard/?kind=binary&amp;period=3m",
            "/dashboard/?kind=binary&amp;period=12m",
            "/dashboard/?kind=binary",
        ]

    def test_bucket_links_carry_the_period(self):
        html = self.client.get(DASHBOARD, {"period": "3m"}).content.decode()
        start = months_before(timezone.now().date(), 3).isoformat()
        assert all(f"resolved_from={start}" in url for url in bucket_links(html).values())

    def test_months_before_keeps_the_day_where_it_can(self):
        assert (
            months_before(dt.date(2026, 5, 31), 3),
            months_before(dt.date(2026, 1, 15), 12),
        ) == (
            dt.date(2026, 2, 28),
            dt.date(2025, 1, 15),
        )


class ActivityTests(TestCase):
    def test_streak_runs_to_today_or_yesterday(self):
        today = dt.date(2026, 12, 1)
        counts = {today - DAY: 2, today - 2 * DAY: 1, today - 4 * DAY: 5}
        assert (streak(counts, today), streak({**counts, today: 1}, today)) == (2, 3)

    def test_calendar_counts_and_words(self):
        today = dt.date(2026, 12, 1)
        a = activity({today: 3, today - 10 * DAY: 1, dt.date(2020, 1, 1): 9}, today)
        assert (a.total, a.active_days, a.streak) == (4, 2, 1)
        assert a.summary == (
            "4 forecasts on 2 days in the last year; the busiest day was 1 Dec 2026 with 3."
        )
        assert len(a.cells) == 7 * 51 + today.weekday() + 1

    def test_page_counts_forecasts_per_local_day(self):
        user = UserFactory()
        now = timezone.now()
        p = Prediction.objects.create(
            owner=user, question="q", resolve_by=now.date(), created_at=now
        )
        for hours in (1, 2, 30):
            Forecast.objects.create(
                prediction=p,
                author_id=p.owner_id,
                created_at=now - dt.timedelta(hours=hours),
                probability="0.5",
            )
        self.client.force_login(user)
        with mock.patch("reports.dashboard.cache.cache", new=cache):
            html = self.client.get(DASHBOARD).content.decode()
        assert "<strong>3</strong> forecasts in the last year" in html
