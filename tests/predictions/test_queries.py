"""Query budgets: list, due queue, detail (each kind) and shared pages cost an exact
number of queries, the same for 5 rows as for 50; a question forecast together, the same
for 2 members as for 12 (SharedQuestionQueryCountTests).

Each test measures a warm request with 5 rows, grows the data to 50, and measures again.
A signed-in page always pays 3 for the session, its user and the profile (time zone);
full pages pay 1 more for the navigation's due count and UNREAD_QUERIES for its
unread notifications, htmx fragments do not.
"""

import datetime as dt
from decimal import Decimal

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.services import comment_post
from groups.models import Group, Membership
from predictions import services
from predictions.models import Prediction, ResolutionEvent
from tests.notifications.helpers import UNREAD_QUERIES
from tests.predictions.factories import (
    ForecastFactory,
    PredictionEditFactory,
    PredictionFactory,
    ResolutionEventFactory,
    TagFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
HTMX = {"HX-Request": "true"}


@time_machine.travel(NOW, tick=False)
class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.tags = [TagFactory(owner=cls.owner) for _ in range(3)]

    def setUp(self):
        self.client.force_login(self.owner)

    def count_queries(self, url: str, params: dict | None = None, headers=None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url, params or {}, headers=headers or {})
        assert response.status_code == 200
        self.last_html = response.content.decode()
        return len(ctx.captured_queries)

    def add_predictions(self, n: int, *, due: bool = False) -> list[Prediction]:
        created = []
        for i in range(n):
            prediction = PredictionFactory(
                owner=self.owner,
                resolve_by=TODAY - dt.timedelta(days=1 + i) if due else TODAY,
                created_at=NOW - dt.timedelta(minutes=len(created) + 1),
                tags=self.tags[: 1 + i % 3],
            )
            ForecastFactory(prediction=prediction, probability=Decimal("0.2"))
            ForecastFactory(prediction=prediction, probability=Decimal("0.4"))
            created.append(prediction)
        return created

    def assert_constant(
        self, url: str, grow, variants: list[dict], rows_marker: str, expected: list[int]
    ) -> None:
        """Counts for each variant (query string + htmx or not) before and after `grow()`:
        exactly `expected[i]` for variant i, both times."""
        self.count_queries(url)  # warm up: first-request work is not the page's cost
        before = {
            i: self.count_queries(url, v.get("params"), v.get("headers"))
            for i, v in enumerate(variants)
        }
        rows_before = self.last_html.count(rows_marker)
        grow()
        after = {
            i: self.count_queries(url, v.get("params"), v.get("headers"))
            for i, v in enumerate(variants)
        }
        assert self.last_html.count(rows_marker) > rows_before  # the page did get bigger
        assert after == before
        assert list(before.values()) == expected

    def test_list_page(self):
        self.add_predictions(5)
        self.add_predictions(2, due=True)
        variants = [
            {},
            {"headers": HTMX},
            {"params": {"status": "open"}},
            {"params": {"status": "due"}, "headers": HTMX},
            {"params": {"tag": self.tags[0].pk, "q": "claim"}, "headers": HTMX},
        ]
        self.assert_constant(
            reverse("predictions:list"),
            lambda: (self.add_predictions(45), self.add_predictions(48, due=True)),
            variants,
            'class="question-link"',
            # + tags, page count, page, its tags (+ due count and the group menu's
            # groups on full pages)
            expected=[9 + UNREAD_QUERIES, 7, 9 + UNREAD_QUERIES, 7, 7],
        )

    def test_list_page_with_every_kind(self):
        def add_every_kind(n: int) -> None:
            self.add_predictions(n)
            for i in range(n):
                services.prediction_create(
                    owner=self.owner,
                    kind=Prediction.Kind.MULTIPLE_CHOICE,
                    question=f"Which option wins, round {i}?",
                    resolve_by=TODAY,
                    options=["Red", "Green", "Blue"],
                    option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
                    tags=self.tags[:2],
                )
                services.prediction_create(
                    owner=self.owner,
                    kind=Prediction.Kind.DATE,
                    question=f"When does release {i} ship?",
                    resolve_by=TODAY,
                    quantiles={
                        Decimal("0.1"): TODAY + dt.timedelta(days=10),
                        Decimal("0.5"): TODAY + dt.timedelta(days=20),
                        Decimal("0.9"): TODAY + dt.timedelta(days=30),
                    },
                )

        add_every_kind(2)
        self.assert_constant(
            reverse("predictions:list"),
            lambda: add_every_kind(15),
            [{}, {"headers": HTMX}],
            'class="question-link"',
            expected=[
                11 + UNREAD_QUERIES,
                9,
            ],  # + the leading options and the medians of the page's rows (+ the groups)
        )

    def test_due_queue(self):
        self.add_predictions(5, due=True)
        self.assert_constant(
            reverse("predictions:due"),
            lambda: self.add_predictions(45, due=True),
            [{}],
            'class="question-link"',
            expected=[6 + UNREAD_QUERIES],  # + count (shared with the navigation), page, its tags
        )

    def test_detail_page(self):
        prediction = PredictionFactory(
            owner=self.owner, created_at=NOW - dt.timedelta(days=100), tags=self.tags[:1]
        )

        def grow(n: int) -> None:
            for i in range(n):
                ForecastFactory(
                    prediction=prediction,
                    probability=Decimal(i % 10) / 10,
                    rationale=f"Reason {i}",
                    created_at=NOW - dt.timedelta(days=99 - i),
                )
                PredictionEditFactory(prediction=prediction)
                ResolutionEventFactory(
                    prediction=prediction,
                    action=ResolutionEvent.Action.UNDO,
                    outcome=None,
                    known_at=None,
                )

        grow(5)
        self.assert_constant(
            reverse("predictions:detail", args=[prediction.pk]),
            lambda: (grow(45), prediction.tags.set(self.tags)),
            [{}],
            "<tr>",
            # + prediction, forecasts, events, edits, tags, the forecast form's evidence,
            # due count, the evidence section's links and its library choice, + the
            # comment thread's 4 (comments.timeline: is it shared, forecasts, comments, events)
            expected=[16 + UNREAD_QUERIES],
        )

    def grow_kind(self, prediction, n: int) -> None:
        for i in range(n):
            if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
                services.forecast_create(
                    prediction=prediction,
                    author=self.owner,
                    option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
                    rationale=f"Reason {i}",
                )
            else:
                day = TODAY + dt.timedelta(days=10 + i)
                services.forecast_create(
                    prediction=prediction,
                    author=self.owner,
                    quantiles={
                        Decimal("0.1"): day,
                        Decimal("0.5"): day + dt.timedelta(days=5),
                        Decimal("0.9"): day + dt.timedelta(days=9),
                    },
                    rationale=f"Reason {i}",
                )
            PredictionEditFactory(prediction=prediction)

    def test_detail_page_multiple_choice(self):
        prediction = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Which option wins?",
            resolve_by=TODAY + dt.timedelta(days=60),
            options=["Red", "Green", "Blue"],
            option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
        )
        self.grow_kind(prediction, 4)
        self.assert_constant(
            reverse("predictions:detail", args=[prediction.pk]),
            lambda: self.grow_kind(prediction, 45),
            [{}],
            "<tr>",
            # as yes/no, + the options' probabilities (with their options), + the
            # forecast form's options, + the latest forecast and its probabilities, from
            # which the form starts, + the thread's 4 and its options' probabilities
            expected=[21 + UNREAD_QUERIES],
        )

    def test_detail_page_release_date(self):
        prediction = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.DATE,
            question="When does it ship?",
            resolve_by=TODAY + dt.timedelta(days=90),
            quantiles={
                Decimal("0.1"): TODAY + dt.timedelta(days=10),
                Decimal("0.5"): TODAY + dt.timedelta(days=20),
                Decimal("0.9"): TODAY + dt.timedelta(days=30),
            },
        )
        self.grow_kind(prediction, 4)
        self.assert_constant(
            reverse("predictions:detail", args=[prediction.pk]),
            lambda: self.grow_kind(prediction, 45),
            [{}],
            "<tr>",
            # as yes/no, + the quantiles, + the latest forecast's, from which the form starts,
            # + the thread's 4 and its quantiles
            expected=[20 + UNREAD_QUERIES],
        )

    def test_shared_page(self):
        prediction = PredictionFactory(
            owner=self.owner, visibility=Prediction.Visibility.LINK, created_at=NOW
        )

        def grow(n: int) -> None:
            for _ in range(n):
                ForecastFactory(prediction=prediction)
                PredictionEditFactory(prediction=prediction)

        grow(5)
        self.client.logout()
        self.assert_constant(
            reverse("predictions:shared", args=[prediction.share_token]),
            lambda: grow(45),
            [{}],
            "<tr>",
            # anonymous: prediction with its author, forecasts, events, edits, + the
            # comment thread's 4 (is it shared, forecasts, comments, events)
            expected=[8],
        )

    def test_shared_page_of_the_other_kinds(self):
        choice = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Which option wins?",
            resolve_by=TODAY + dt.timedelta(days=60),
            options=["Red", "Green", "Blue"],
            option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
            visibility=Prediction.Visibility.LINK,
        )
        release = services.prediction_create(
            owner=self.owner,
            kind=Prediction.Kind.DATE,
            question="When does it ship?",
            resolve_by=TODAY + dt.timedelta(days=90),
            quantiles={
                Decimal("0.1"): TODAY + dt.timedelta(days=10),
                Decimal("0.5"): TODAY + dt.timedelta(days=20),
                Decimal("0.9"): TODAY + dt.timedelta(days=30),
            },
            visibility=Prediction.Visibility.LINK,
        )
        self.client.logout()
        for prediction in (choice, release):
            with self.subTest(kind=prediction.kind):
                self.assert_constant(
                    reverse("predictions:shared", args=[prediction.share_token]),
                    lambda p=prediction: self.grow_kind(p, 20),
                    [{}],
                    "<tr>",
                    # as yes/no, + the options' probabilities or the quantiles, twice
                    expected=[10],
                )


@time_machine.travel(NOW, tick=False)
class SharedQuestionQueryCountTests(TestCase):
    """A question forecast together (issue #14): its page and the fragments it loads cost
    the same for 2 members with 2 forecasts as for 12 members with 40 (several each),
    seen by the owner and by a member who has forecast (so nothing is hidden from them)."""

    @classmethod
    def setUpTestData(cls):
        cls.owner, cls.member = UserFactory(), UserFactory()
        cls.group = Group.objects.create(name="Forecasting club")
        for user in (cls.owner, cls.member):
            Membership.objects.create(group=cls.group, user=user)

    def join(self):
        user = UserFactory()
        Membership.objects.create(group=self.group, user=user)
        return user

    def question(self, kind: str) -> Prediction:
        common = {"owner": self.owner, "kind": kind, "resolve_by": TODAY + dt.timedelta(days=90)}
        if kind == Prediction.Kind.MULTIPLE_CHOICE:
            prediction = services.prediction_create(
                question="Which option wins?", options=["Red", "Green", "Blue"], **common
            )
        elif kind == Prediction.Kind.DATE:
            prediction = services.prediction_create(question="When does it ship?", **common)
        else:
            prediction = services.prediction_create(question="Will it rain?", **common)
        prediction.shared_with.add(self.group)
        return prediction

    def forecast(self, prediction: Prediction, author, i: int) -> None:
        if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
            first = Decimal(10 + i % 50) / 100
            payload: dict = {
                "option_probabilities": [first, Decimal("0.3"), Decimal("0.7") - first]
            }
        elif prediction.kind == Prediction.Kind.DATE:
            day = TODAY + dt.timedelta(days=10 + i)
            payload = {
                "quantiles": {
                    Decimal("0.1"): day,
                    Decimal("0.5"): day + dt.timedelta(days=5),
                    Decimal("0.9"): day + dt.timedelta(days=9),
                }
            }
        else:
            payload = {"probability": Decimal(5 + i % 90) / 100}
        services.forecast_create(
            prediction=prediction, author=author, rationale=f"Reason {i}", **payload
        )

    def grow(self, prediction: Prediction) -> None:
        """To 12 members and 40 forecasts: 10 new members with 3 forecasts and a comment
        each, the owner and the first member with the rest."""
        for m in range(10):
            user = self.join()
            for i in range(3):
                self.forecast(prediction, user, 10 * m + i)
            comment_post(prediction=prediction, author=user, body=f"Comment {m}")
        i = 0
        while prediction.forecasts.count() < 40:
            self.forecast(prediction, (self.owner, self.member)[i % 2], 200 + i)
            i += 1
        assert self.group.memberships.count() == 12

    def urls(self, prediction: Prediction) -> list[tuple[str, dict]]:
        """The page, then the fragments it loads: the forecast form's evidence, the chart
        (an <img>), the comment thread; the forecast panel with the community forecast
        is measured through its POST (see panel_queries)."""
        pk = prediction.pk
        return [
            (reverse("predictions:detail", args=[pk]), {}),
            (reverse("predictions:forecast_evidence", args=[pk]), HTMX),
            (reverse("reports:prediction_chart", args=[pk]), {}),
            (reverse("comments:thread", args=[pk]), HTMX),
        ]

    def counts(self, prediction: Prediction) -> dict:
        counts = {}
        for viewer in (self.owner, self.member):
            self.client.force_login(viewer)
            for name, (url, headers) in zip(
                ["detail", "evidence", "chart", "thread"], self.urls(prediction), strict=True
            ):
                self.client.get(url, headers=headers)  # warm: the chart's cache, the profile
                with CaptureQueriesContext(connection) as ctx:
                    response = self.client.get(url, headers=headers)
                assert response.status_code == 200
                counts[(viewer.pk == self.owner.pk, name)] = len(ctx.captured_queries)
                if name == "detail" and viewer.pk == self.member.pk:
                    self.member_page = response.content.decode()
            counts[(viewer.pk == self.owner.pk, "panel")] = self.panel_queries(prediction)
        return counts

    def panel_queries(self, prediction: Prediction) -> int:
        """The forecast panel (with the forecasters and the community forecast) that
        htmx swaps in after a forecast: the same POST each time, so the same writes."""
        if prediction.kind == Prediction.Kind.MULTIPLE_CHOICE:
            data = {"prob_0": "50", "prob_1": "30", "prob_2": "20"}
        elif prediction.kind == Prediction.Kind.DATE:
            data = {"q10": "2026-06-01", "q50": "2026-07-01", "q90": "2026-08-01"}
        else:
            data = {"probability": "30%"}
        url = reverse("predictions:forecast", args=[prediction.pk])
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.post(url, data, headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Trigger"] == "forecast-saved"
        return len(ctx.captured_queries)

    def assert_constant(self, kind: str, expected: dict) -> None:
        """`expected`: {(owner?, "detail" | "evidence" | "chart" | "thread" | "panel"): n}."""
        prediction = self.question(kind)
        self.forecast(prediction, self.owner, 0)
        self.forecast(prediction, self.member, 1)
        few = self.counts(prediction)
        assert "latest forecast of 2 forecasters" in self.member_page
        self.grow(prediction)
        many = self.counts(prediction)
        assert "latest forecast of 12 forecasters" in self.member_page  # the page did grow
        assert self.member_page.count("Comment ") == 10
        assert many == few
        assert few == expected

    @staticmethod
    def budget(owner: list[int], member: list[int]) -> dict:
        names = ["detail", "evidence", "chart", "thread", "panel"]
        return {
            **{(True, name): n for name, n in zip(names, owner, strict=True)},
            **{(False, name): n for name, n in zip(names, member, strict=True)},
        }

    # Pages as in QueryCountTests, + the question's groups and the check whether the viewer
    # has forecast (hiding). A member's page pays 2 more than the owner's: the owner's name
    # (user, profile), the hiding rule's membership and the comment rule's read check,
    # where the owner's pays for their tags and their evidence library. The panel's POST
    # adds its writes, the same however many members there are to notify.
    def test_yes_no(self):
        self.assert_constant(
            Prediction.Kind.BINARY,
            self.budget([22 + UNREAD_QUERIES, 6, 9, 9, 20], [24 + UNREAD_QUERIES, 6, 10, 10, 23]),
        )

    def test_multiple_choice(self):
        self.assert_constant(
            Prediction.Kind.MULTIPLE_CHOICE,
            self.budget([28 + UNREAD_QUERIES, 9, 12, 10, 30], [30 + UNREAD_QUERIES, 9, 13, 11, 33]),
        )

    def test_release_date(self):
        self.assert_constant(
            Prediction.Kind.DATE,
            self.budget([26 + UNREAD_QUERIES, 8, 10, 10, 28], [28 + UNREAD_QUERIES, 8, 11, 11, 29]),
        )
