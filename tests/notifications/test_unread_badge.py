"""The unread count in the navigation and the notifications page that clears it."""

import datetime as dt
import re
from unittest import mock

import time_machine
from django.test import TestCase
from django.urls import reverse

from notifications import inbox
from notifications.feed import events
from notifications.models import NotificationsSeen
from predictions.models import Prediction
from tests.notifications.helpers import UNREAD_QUERIES
from tests.notifications.together import START, Together, at, forecast

NOW = at(48)


def badge(page: str) -> str | None:
    found = re.search(r'<span class="badge" aria-label="([^"]+) unread">([^<]+)</span>', page)
    return found.group(2) if found else None


@time_machine.travel(NOW, tick=False)
class UnreadBadgeTests(TestCase):
    def setUp(self):
        self.t = Together()

    def page(self, user, url=None) -> str:
        self.client.force_login(user)
        answer = self.client.get(url or reverse("predictions:list"))
        assert answer.status_code == 200
        return answer.content.decode()

    def test_counts_unread_events_and_the_page_clears_them(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        forecast(t.question, t.carol, at(3))
        assert badge(self.page(t.alice)) == "2"
        listing = self.page(t.alice, reverse("inbox:list"))
        assert badge(listing) is None  # seen now
        assert listing.count("<strong>New</strong>") == 2
        assert "Bob B. made a forecast" in listing
        assert NotificationsSeen.objects.get(user=t.alice).seen_at == at(3)
        assert badge(self.page(t.alice)) is None
        forecast(t.question, t.bob, at(4))
        assert badge(self.page(t.alice)) == "1"
        assert self.page(t.alice, reverse("inbox:list")).count("<strong>New</strong>") == 1

    def test_seen_at_is_the_newest_shown_event_so_a_later_one_stays_unread(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        inbox.mark_seen(t.alice, inbox.listed(t.alice, NOW))
        forecast(t.question, t.carol, at(2.5))  # arrived while the page was rendered
        assert NotificationsSeen.objects.get(user=t.alice).seen_at == at(2)
        assert inbox.unread_count(t.alice) == 1
        inbox.mark_seen(t.alice, [e for e in events(t.alice, since=START) if e.at <= at(2)])
        assert NotificationsSeen.objects.get(user=t.alice).seen_at == at(2)  # never back

    def test_the_count_stops_at_ten_and_shows_nine_plus(self):
        t = self.t
        for minute in range(12):
            forecast(t.question, t.bob, at(2) + dt.timedelta(minutes=minute))
        assert inbox.unread_count(t.alice) == inbox.BADGE_CAP == 10
        assert badge(self.page(t.alice)) == "9+"
        assert [inbox.badge_text(n) for n in (0, 1, 9, 10)] == ["", "1", "9", "9+"]

    def test_a_hidden_forecast_is_not_counted(self):
        t = self.t
        t.question.forecasts.filter(author=t.alice).delete()
        forecast(t.question, t.bob, at(2))
        assert badge(self.page(t.alice)) is None
        assert "made a forecast" not in self.page(t.alice, reverse("inbox:list"))

    def test_older_than_thirty_days_is_neither_listed_nor_unread(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        with time_machine.travel(at(2) + dt.timedelta(days=31), tick=False):
            assert inbox.unread_count(t.alice) == 0
            assert "Nothing new" in self.page(t.alice, reverse("inbox:list"))
            assert not NotificationsSeen.objects.filter(user=t.alice).exists()

    def test_the_page_lists_newest_first_in_pages_and_escapes_text(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(question="<script>x()</script>")
        for minute in range(30):
            forecast(t.question, t.bob, at(2) + dt.timedelta(minutes=minute))
        first = self.page(t.alice, reverse("inbox:list"))
        assert "<script>x()</script>" not in first
        assert "&lt;script&gt;x()&lt;/script&gt;" in first
        assert "Page 1 of 2 · 30 notifications" in first
        times = re.findall(r'<time datetime="([^"]+)"', first)
        assert times == sorted(times, reverse=True)
        assert len(times) == 25
        second = self.page(t.alice, reverse("inbox:list") + "?page=2")
        assert len(re.findall(r"<time ", second)) == 5
        assert self.page(t.alice, reverse("inbox:list") + "?page=x").count("<time ") == 25

    def test_empty_state_and_login_required(self):
        assert "Nothing new" in self.page(self.t.dave, reverse("inbox:list"))
        self.client.logout()
        assert self.client.get(reverse("inbox:list")).status_code == 302
        assert self.client.post(reverse("inbox:list")).status_code in (302, 405)


class UnreadCostTests(TestCase):
    def test_the_count_costs_a_fixed_few_queries_when_there_is_nothing(self):
        # The budget every page's query count adds (tests/notifications/helpers.py).
        t = Together()
        for user in (t.alice, t.dave):
            with self.assertNumQueries(UNREAD_QUERIES):
                assert inbox.unread_count(user) == 0


@time_machine.travel(NOW, tick=False)
class ListedMaxTests(TestCase):
    def test_the_page_lists_at_most_the_newest_listed_max(self):
        t = Together()
        with mock.patch.object(inbox, "LISTED_MAX", 3):
            for minute in range(5):
                forecast(t.question, t.bob, at(2) + dt.timedelta(minutes=minute))
            shown = inbox.listed(t.alice, NOW)
        assert [e.at for e in shown] == [at(2) + dt.timedelta(minutes=m) for m in (4, 3, 2)]
