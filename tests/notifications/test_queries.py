"""The mail jobs cost a fixed number of queries per recipient, however many predictions
each has (a join per condition once multiplied a user's predictions together)."""

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.due_digest import send_due_digests
from notifications.models import SentMail
from notifications.stale import send_stale_reminders
from predictions.models import Profile
from tests.notifications.helpers import BASE_URL, due_prediction, open_prediction, person


def queries(job) -> int:
    SentMail.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        assert job(BASE_URL).as_dict() == {"sent": 2, "failed": 0}
    return len(captured)


class QueryBudgetTests(TestCase):
    def test_queries_do_not_grow_with_predictions(self):
        weeks_ago = timezone.now() - dt.timedelta(days=15)
        people = [person("alice"), person("bob")]

        def add(count: int) -> None:
            for owner in people:
                for _ in range(count):
                    due_prediction(owner)
                    open_prediction(owner, weeks_ago)

        add(2)
        Profile.objects.update(last_reminder_at=None)
        small = (queries(send_due_digests), queries(send_stale_reminders))
        add(20)
        Profile.objects.update(last_reminder_at=None)
        large = (queries(send_due_digests), queries(send_stale_reminders))
        assert small == large
