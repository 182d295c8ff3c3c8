"""Exact query budgets of the dashboard and the exports, whatever the number of rows.

Each budget is spelled out query by query, so a change that adds one has to say which.
Every request pays three before the view runs: the session, the user and the owner's
profile (time zone). Each budget is checked for a small and a larger history, so the
numbers hold whatever the data size.
"""

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from predictions import services
from tests.notifications.helpers import UNREAD_QUERIES
from tests.predictions.factories import UserFactory
from tests.reports.builders import many_resolved, tag
from tests.reports.test_export import history
from tests.reports.test_kinds import add_mixed

DASHBOARD = reverse("reports:dashboard")
CSV = reverse("reports:export_csv")
JSON = reverse("reports:export_json")

REQUEST = 3  # session, user, profile
# The filter form's tag and group choices (the groups are in the cache key of its
# rendered fields, so a warm page reads them too), the data version, the counts by
# state, and the navigation's count of due predictions and unread notifications
# (context processors on every full page).
DASHBOARD_PAGE = REQUEST + 5 + UNREAD_QUERIES
# A warm page serves its results region from the cache, the counts by state with it.
WARM_PAGE = DASHBOARD_PAGE - 1
# The activity calendar's forecasts per day (cached by data version, like the numbers).
ACTIVITY = 1
# The yes/no selector: predictions, forecasts, tags.
BINARY_SELECTOR = 3
# Every kind: also option probabilities and quantiles.
MIXED_SELECTOR = BINARY_SELECTOR + 2
# The filter form's tag choices and the ids to export; then per chunk predictions,
# forecasts and tags (yes/no only), plus options, option probabilities and quantiles
# when the chunk holds such predictions; JSON adds evidence, resolution events, edits.
EXPORT_START = REQUEST + 2
BINARY_CHUNK = 3
MIXED_CHUNK = BINARY_CHUNK + 3
JSON_HISTORY = 3


def user_with_profile():
    user = UserFactory()
    services.profile_for(user)  # as after sign-up
    return user


class DashboardQueryTests(TestCase):
    def setUp(self):
        cache.clear()

    def assert_page(self, user, *, cold: int, warm: int):
        self.client.force_login(user)
        with self.assertNumQueries(cold):
            assert self.client.get(DASHBOARD).status_code == 200
        with self.assertNumQueries(warm):  # the numbers come from the cache
            assert self.client.get(DASHBOARD).status_code == 200

    def test_yes_no_predictions(self):
        for n in (5, 40):
            user = user_with_profile()
            many_resolved(user, n, tags=[tag(user, "a"), tag(user, "b")])
            self.assert_page(user, cold=DASHBOARD_PAGE + ACTIVITY + BINARY_SELECTOR, warm=WARM_PAGE)
        assert DASHBOARD_PAGE + BINARY_SELECTOR == 11 + UNREAD_QUERIES

    def test_every_kind(self):
        for n in (2, 5):
            user = user_with_profile()
            add_mixed(user, n, tags=[tag(user, "t")])
            self.assert_page(user, cold=DASHBOARD_PAGE + ACTIVITY + MIXED_SELECTOR, warm=WARM_PAGE)
        assert DASHBOARD_PAGE + MIXED_SELECTOR == 13 + UNREAD_QUERIES


class ExportQueryTests(TestCase):
    def download(self, user, url: str, queries: int) -> bytes:
        self.client.force_login(user)
        with self.assertNumQueries(queries):
            response = self.client.get(url)
            body = b"".join(response.streaming_content)
        assert response.status_code == 200
        return body

    def test_yes_no_csv(self):
        for n in (3, 30):
            user = user_with_profile()
            many_resolved(user, n, tags=[tag(user, "a")])
            self.download(user, CSV, EXPORT_START + BINARY_CHUNK)
        assert EXPORT_START + BINARY_CHUNK == 8

    def test_every_kind_csv_and_json(self):
        for copies in (1, 4):
            user = user_with_profile()
            for i in range(copies):
                history(user, prefix=f"{i} ")
            self.download(user, CSV, EXPORT_START + MIXED_CHUNK)
            self.download(user, JSON, EXPORT_START + MIXED_CHUNK + JSON_HISTORY)
        assert EXPORT_START + MIXED_CHUNK == 11
        assert EXPORT_START + MIXED_CHUNK + JSON_HISTORY == 14
