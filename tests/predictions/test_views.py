"""Views, plain and htmx: every htmx path returns its fragment, every plain path works too."""

import datetime as dt
import re
from decimal import Decimal

import time_machine
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from demo import account as demo_account
from demo.loader import load_demo
from predictions import services
from predictions.models import Forecast, Prediction, PredictionEdit, ResolutionEvent
from predictions.probability import (
    MSG_NOT_A_NUMBER,
    MSG_OUT_OF_RANGE,
    ProbabilityError,
    parse_probability,
)
from predictions.services import MSG_KNOWN_AT_FUTURE, MSG_RESOLVED_NO_FORECAST
from tests.predictions.factories import (
    ForecastFactory,
    PredictionEditFactory,
    PredictionFactory,
    ProfileFactory,
    TagFactory,
    UserFactory,
)
from web.pagination import PAGE_SIZE

NOW = dt.datetime(2026, 5, 14, 12, 0, 30, tzinfo=dt.UTC)
TODAY = NOW.date()
HTMX = {"HX-Request": "true"}


def html_of(response) -> str:
    return response.content.decode()


def assert_full_page(response) -> str:
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" in html
    return html


def assert_fragment(response, opening: str) -> str:
    """An htmx answer: just the swapped element, no page around it."""
    assert response.status_code == 200
    html = html_of(response).strip()
    assert "<html" not in html
    assert "<body" not in html
    assert html.startswith(opening), html[:200]
    return html


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def parser_message(text: str) -> str:
    """What the probability parser says about `text` (its wording is tested with it)."""
    try:
        parse_probability(text)
    except ProbabilityError as exc:
        return str(exc)
    raise AssertionError(f"{text!r} was accepted")


def form_row(html: str, name: str) -> str:
    rows = html.split('<div class="form-row">')[1:]
    matches = [row for row in rows if re.search(rf'name="{re.escape(name)}"', row)]
    assert len(matches) == 1, f"no single form row for {name!r}"
    return matches[0]


@time_machine.travel(NOW, tick=False)
class ListViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.ai = TagFactory(owner=cls.owner, name="ai")
        cls.politics = TagFactory(owner=cls.owner, name="politics")
        day = dt.timedelta(days=1)
        cls.open_ai = PredictionFactory(
            owner=cls.owner,
            question="Alpha model ships",
            resolve_by=TODAY + 10 * day,
            created_at=NOW - day,
            tags=[cls.ai],
        )
        ForecastFactory(prediction=cls.open_ai, probability=Decimal("0.2"), created_at=NOW - day)
        ForecastFactory(prediction=cls.open_ai, probability=Decimal("0.735"), created_at=NOW)
        cls.due_politics = PredictionFactory(
            owner=cls.owner,
            question="Bravo bill passes",
            resolution_criteria="The ferry register says so",
            resolve_by=TODAY - day,
            created_at=NOW - 2 * day,
            tags=[cls.politics],
        )
        cls.resolved = PredictionFactory(
            owner=cls.owner,
            question="Charlie wins",
            notes="Zeppelin sighting",
            resolve_by=TODAY - 5 * day,
            created_at=NOW - 3 * day,
            status=Prediction.Status.RESOLVED,
            outcome=True,
            known_at=NOW - day,
            tags=[cls.ai, cls.politics],
        )
        cls.annulled = PredictionFactory(
            owner=cls.owner,
            question="Delta is cancelled",
            resolve_by=TODAY - 5 * day,
            created_at=NOW - 4 * day,
            status=Prediction.Status.ANNULLED,
            known_at=NOW - day,
        )
        cls.foreign = PredictionFactory(question="Echo belongs to someone else")
        cls.all = [cls.open_ai, cls.due_politics, cls.resolved, cls.annulled]

    def setUp(self):
        self.client.force_login(self.owner)

    def shown(self, html: str) -> list[str]:
        questions = [p.question for p in [*self.all, self.foreign]]
        found = [(html.index(q), q) for q in questions if q in html]
        return [q for _, q in sorted(found)]

    def get(self, htmx: bool = False, **params):
        return self.client.get(reverse("predictions:list"), params, headers=HTMX if htmx else {})

    def test_plain_page_lists_own_predictions_newest_first(self):
        html = assert_full_page(self.get())
        assert self.shown(html) == [p.question for p in self.all]
        assert '<form class="filters"' in html

    def test_rows_show_status_current_probability_resolve_by_and_tags(self):
        html = assert_full_page(self.get())
        row = html[html.index("Alpha model ships") : html.index("Bravo bill passes")]
        assert "73.5%" in row
        assert "20%" not in row
        assert "status-open" in row
        assert "24 May 2026" in row
        assert '<span class="tag">ai</span>' in row
        row = html[html.index("Bravo bill passes") : html.index("Charlie wins")]
        assert "status-due" in row
        row = html[html.index("Charlie wins") : html.index("Delta is cancelled")]
        assert "status-resolved" in row
        assert "YES" in row

    def test_htmx_returns_only_the_results_fragment(self):
        html = assert_fragment(self.get(htmx=True), '<div id="prediction-results"')
        assert '<form class="filters"' not in html
        assert self.shown(html) == [p.question for p in self.all]

    def test_htmx_history_restore_gets_the_full_page(self):
        response = self.client.get(
            reverse("predictions:list"),
            headers={**HTMX, "HX-History-Restore-Request": "true"},
        )
        assert_full_page(response)

    def test_status_filter(self):
        expected = {
            "open": ["Alpha model ships"],
            "due": ["Bravo bill passes"],
            "resolved": ["Charlie wins"],
            "annulled": ["Delta is cancelled"],
            "": [p.question for p in self.all],
            "bogus": [p.question for p in self.all],
        }
        for status, questions in expected.items():
            for htmx in (False, True):
                with self.subTest(status=status, htmx=htmx):
                    assert self.shown(html_of(self.get(htmx=htmx, status=status))) == questions

    def test_tag_filter(self):
        html = html_of(self.get(tag=self.ai.pk))
        assert self.shown(html) == ["Alpha model ships", "Charlie wins"]
        html = html_of(self.get(htmx=True, tag=self.politics.pk, status="resolved"))
        assert self.shown(html) == ["Charlie wins"]
        # Someone else's tag id filters nothing rather than leaking anything.
        foreign_tag = TagFactory(owner=self.foreign.owner)
        self.foreign.tags.set([foreign_tag])
        assert self.shown(html_of(self.get(tag=foreign_tag.pk))) == [p.question for p in self.all]

    def test_search_covers_claim_criteria_and_notes_ignoring_case(self):
        cases = {
            "alpha": ["Alpha model ships"],
            "FERRY": ["Bravo bill passes"],
            "zeppelin": ["Charlie wins"],
            "echo": [],
            "nothing like this": [],
        }
        for query, questions in cases.items():
            with self.subTest(query=query):
                html = html_of(self.get(htmx=True, q=query))
                assert self.shown(html) == questions
        html = html_of(self.get(q="nothing like this"))
        assert "No prediction matches these filters." in html

    def test_never_shows_another_users_predictions(self):
        html = html_of(self.get(q="Echo"))
        assert "Echo belongs to someone else" not in html

    def test_empty_state_tells_a_new_user_what_to_do(self):
        self.client.force_login(UserFactory())
        html = assert_full_page(self.get())
        assert "No predictions yet" in html
        assert f'href="{reverse("predictions:create")}"' in html
        assert "Record your first prediction" in html
        html = assert_fragment(self.get(htmx=True), '<div id="prediction-results"')
        assert "No predictions yet" in html

    def test_post_is_not_allowed(self):
        assert self.client.post(reverse("predictions:list")).status_code == 405


@time_machine.travel(NOW, tick=False)
class ListPaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.predictions = [
            PredictionFactory(
                owner=cls.owner,
                question=f"Numbered claim {n:02d}.",
                created_at=NOW - dt.timedelta(hours=n),
            )
            for n in range(PAGE_SIZE + 5)
        ]

    def setUp(self):
        self.client.force_login(self.owner)

    def numbers(self, html: str) -> list[int]:
        return [int(n) for n in re.findall(r"Numbered claim (\d\d)\.", html)]

    def test_pages_of_25_newest_first(self):
        html = html_of(self.client.get(reverse("predictions:list")))
        assert self.numbers(html) == list(range(PAGE_SIZE))
        assert "Page 1 of 2" in html
        assert "30 predictions" in html
        html = html_of(self.client.get(reverse("predictions:list"), {"page": 2}))
        assert self.numbers(html) == list(range(PAGE_SIZE, PAGE_SIZE + 5))
        assert "Page 2 of 2" in html

    def test_htmx_page_is_a_fragment_and_links_keep_the_filters(self):
        response = self.client.get(
            reverse("predictions:list"), {"q": "numbered", "page": 2}, headers=HTMX
        )
        html = assert_fragment(response, '<div id="prediction-results"')
        assert self.numbers(html) == list(range(PAGE_SIZE, PAGE_SIZE + 5))
        assert 'href="?q=numbered&amp;page=1"' in html
        assert 'hx-get="?q=numbered&amp;page=1"' in html

    def test_an_out_of_range_page_shows_the_last_page(self):
        html = html_of(self.client.get(reverse("predictions:list"), {"page": 99}))
        assert self.numbers(html) == list(range(PAGE_SIZE, PAGE_SIZE + 5))


@time_machine.travel(NOW, tick=False)
class CreateViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.tag = TagFactory(owner=cls.owner, name="ai")

    def setUp(self):
        self.client.force_login(self.owner)

    def data(self, **overrides) -> dict:
        data = {
            "question": "The bridge reopens before June",
            "probability": "70%",
            "resolve_by": "2026-06-01",
            "resolution_criteria": "",
            "notes": "",
            "tags": [str(self.tag.pk)],
            "new_tags": "Transport, AI",
            "visibility": "link",
        }
        data.update(overrides)
        return data

    def test_get_renders_the_form(self):
        html = assert_full_page(self.client.get(reverse("predictions:create")))
        assert 'name="question"' in html
        assert 'name="probability"' in html
        assert 'name="add_another"' in html

    def test_save_goes_to_the_new_prediction(self):
        response = self.client.post(reverse("predictions:create"), self.data())
        prediction = Prediction.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:detail", args=[prediction.pk])
        assert prediction.owner == self.owner
        assert prediction.visibility == "link"
        # "AI" reuses the existing "ai" tag; "Transport" is new.
        assert sorted(t.name for t in prediction.tags.all()) == ["Transport", "ai"]
        assert str(prediction.forecasts.get().probability) == "0.700"
        assert any("The bridge reopens before June" in m for m in flash(response))

    def test_save_and_add_another_returns_to_an_empty_form(self):
        response = self.client.post(
            reverse("predictions:create"), self.data(add_another="1"), follow=True
        )
        [(location, status)] = response.redirect_chain
        assert status == 302
        assert location.split("?")[0] == reverse("predictions:create")
        html = assert_full_page(response)
        assert Prediction.objects.count() == 1
        assert "The bridge reopens before June" in html  # in the "Saved" message only
        assert 'value="The bridge reopens before June"' not in html
        assert 'name="question"' in html


@time_machine.travel(NOW, tick=False)
class DetailViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.prediction = PredictionFactory(
            owner=cls.owner,
            question="The bridge reopens before June",
            resolution_criteria="City announcement",
            notes="Heard it from a friend",
            created_at=NOW - dt.timedelta(days=3),
        )
        ForecastFactory(
            prediction=cls.prediction,
            probability=Decimal("0.05"),
            created_at=NOW - dt.timedelta(days=3),
        )
        PredictionEditFactory(
            prediction=cls.prediction,
            field="resolution_criteria",
            old_value="Newspaper",
            new_value="City announcement",
        )

    def setUp(self):
        self.client.force_login(self.owner)

    def test_shows_claim_criteria_notes_forecast_and_edit_history(self):
        html = assert_full_page(
            self.client.get(reverse("predictions:detail", args=[self.prediction.pk]))
        )
        assert "The bridge reopens before June" in html
        assert "City announcement" in html
        assert "Heard it from a friend" in html
        assert '<span class="big-prob">5%</span>' in html
        assert "Edit history" in html
        assert "Resolution criteria changed from “Newspaper” to “City announcement”" in html
        assert 'name="probability"' in html  # open: the forecast form is there

    def test_a_missing_prediction_is_404(self):
        assert self.client.get(reverse("predictions:detail", args=[999_999])).status_code == 404

    def test_a_closed_prediction_offers_no_forecast_form_but_undo(self):
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status=Prediction.Status.RESOLVED, outcome=False, known_at=NOW
        )
        html = html_of(self.client.get(reverse("predictions:detail", args=[self.prediction.pk])))
        assert 'name="probability"' not in html
        assert "Closed predictions take no new forecasts." in html
        assert reverse("predictions:reopen", args=[self.prediction.pk]) in html


@time_machine.travel(NOW, tick=False)
class ForecastViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()

    def setUp(self):
        self.client.force_login(self.owner)
        self.prediction = PredictionFactory(owner=self.owner, created_at=NOW - dt.timedelta(days=3))
        ForecastFactory(
            prediction=self.prediction,
            probability=Decimal("0.05"),
            created_at=NOW - dt.timedelta(days=3),
        )
        self.url = reverse("predictions:forecast", args=[self.prediction.pk])

    def test_htmx_update_swaps_the_panel_in_place(self):
        response = self.client.post(
            self.url, {"probability": "70%", "rationale": "Vendor confirmed"}, headers=HTMX
        )
        html = assert_fragment(response, '<section id="forecast-panel"')
        assert response["HX-Trigger"] == "forecast-saved"
        assert '<span class="big-prob">70%</span>' in html
        assert "5% → 70%" in html
        assert "Vendor confirmed" in html
        assert "Forecast updated" in html
        # The form comes back empty, ready for the next update.
        assert 'value="70%"' not in html
        latest = self.prediction.forecasts.last()
        assert str(latest.probability) == "0.700"
        assert latest.created_at == NOW
        assert latest.rationale == "Vendor confirmed"

    def test_plain_update_redirects_to_the_detail_page(self):
        response = self.client.post(self.url, {"probability": "70"})
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:detail", args=[self.prediction.pk])
        assert any("Forecast updated" in m for m in flash(response))
        assert self.prediction.forecasts.count() == 2
        html = html_of(self.client.get(response["Location"]))
        assert "5% → 70%" in html

    def test_invalid_probability_htmx_re_renders_the_panel_and_writes_nothing(self):
        for text, message in [("abc", parser_message("abc")), ("100.1", MSG_OUT_OF_RANGE)]:
            with self.subTest(text=text):
                response = self.client.post(self.url, {"probability": text}, headers=HTMX)
                html = assert_fragment(response, '<section id="forecast-panel"')
                assert escape(message) in form_row(html, "probability")
                assert "HX-Trigger" not in response
                assert self.prediction.forecasts.count() == 1

    def test_invalid_probability_plain_re_renders_the_page(self):
        response = self.client.post(self.url, {"probability": "NaN"})
        html = assert_full_page(response)
        assert escape(MSG_NOT_A_NUMBER) in form_row(html, "probability")
        assert self.prediction.forecasts.count() == 1

    def test_a_closed_prediction_takes_no_forecast(self):
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status=Prediction.Status.RESOLVED, outcome=True, known_at=NOW
        )
        for headers in ({}, HTMX):
            with self.subTest(htmx=bool(headers)):
                response = self.client.post(self.url, {"probability": "70"}, headers=headers)
                assert response.status_code == 200
                assert escape(MSG_RESOLVED_NO_FORECAST) in html_of(response)
                assert self.prediction.forecasts.count() == 1

    def test_get_is_not_allowed(self):
        assert self.client.get(self.url).status_code == 405


@time_machine.travel(NOW, tick=False)
class ResolveViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = ProfileFactory(timezone="Pacific/Auckland").user

    def setUp(self):
        self.client.force_login(self.owner)
        self.prediction = PredictionFactory(
            owner=self.owner,
            resolution_criteria="The council minutes",
            created_at=NOW - dt.timedelta(days=10),
        )
        self.url = reverse("predictions:resolve", args=[self.prediction.pk])

    def reload(self) -> Prediction:
        return Prediction.objects.get(pk=self.prediction.pk)

    def test_get_shows_the_form_and_the_criteria(self):
        html = assert_full_page(self.client.get(self.url))
        assert 'name="outcome"' in html
        assert 'name="known_at"' in html
        assert "The council minutes" in html

    def test_resolve_yes_redirects_and_defaults_known_at_to_now(self):
        response = self.client.post(self.url, {"outcome": "yes", "note": "Minutes published"})
        assert response.status_code == 302
        assert response["Location"] == reverse("predictions:detail", args=[self.prediction.pk])
        prediction = self.reload()
        assert (prediction.status, prediction.outcome) == ("resolved", True)
        assert prediction.known_at == NOW
        assert prediction.resolution_note == "Minutes published"
        html = html_of(self.client.get(response["Location"]))
        assert "Minutes published" in html
        assert "Undo resolution" in html

    def test_known_at_is_read_in_the_users_time_zone(self):
        # 09:30 on 13 May in Auckland (UTC+12) is 21:30 UTC on 12 May.
        self.client.post(self.url, {"outcome": "no", "known_at": "2026-05-13T09:30"})
        assert self.reload().known_at == dt.datetime(2026, 5, 12, 21, 30, tzinfo=dt.UTC)

    def test_a_future_known_at_is_refused_next_to_the_field(self):
        # Midnight 15 May in Auckland is 12:00 UTC on 14 May: 30 seconds after NOW... minus
        # the form's minute precision; one minute later is unambiguously the future.
        response = self.client.post(self.url, {"outcome": "yes", "known_at": "2026-05-15T00:01"})
        html = assert_full_page(response)
        assert escape(MSG_KNOWN_AT_FUTURE) in form_row(html, "known_at")
        assert self.reload().status == "open"
        assert not ResolutionEvent.objects.exists()

    def test_annul(self):
        self.client.post(self.url, {"outcome": "annulled"})
        prediction = self.reload()
        assert (prediction.status, prediction.outcome) == ("annulled", None)

    def test_reopen_then_re_resolve(self):
        self.client.post(self.url, {"outcome": "yes"})
        reopen = reverse("predictions:reopen", args=[self.prediction.pk])
        response = self.client.post(reopen)
        assert response.status_code == 302
        assert self.reload().status == "open"
        self.client.post(self.url, {"outcome": "no"})
        assert self.reload().outcome is False
        actions = list(self.prediction.resolution_events.values_list("action", flat=True))
        assert actions == ["resolve", "undo", "resolve"]
        html = html_of(self.client.get(reverse("predictions:detail", args=[self.prediction.pk])))
        assert "Resolution history" in html
        assert "Reopened" in html

    def test_reopening_an_open_prediction_says_so(self):
        response = self.client.post(reverse("predictions:reopen", args=[self.prediction.pk]))
        assert response.status_code == 302
        assert flash(response) == ["This prediction is open; there is no resolution to undo."]
        assert not ResolutionEvent.objects.exists()

    def test_reopen_only_by_post(self):
        reopen = reverse("predictions:reopen", args=[self.prediction.pk])
        assert self.client.get(reopen).status_code == 405


@time_machine.travel(NOW, tick=False)
class DueQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        day = dt.timedelta(days=1)
        cls.older = PredictionFactory(
            owner=cls.owner, question="Older due claim", resolve_by=TODAY - 9 * day
        )
        cls.newer = PredictionFactory(
            owner=cls.owner, question="Newer due claim", resolve_by=TODAY - day
        )
        ForecastFactory(prediction=cls.newer, probability=Decimal("0.4"))
        PredictionFactory(owner=cls.owner, question="Due today, not yet", resolve_by=TODAY)
        PredictionFactory(
            owner=cls.owner,
            question="Closed long ago",
            resolve_by=TODAY - 20 * day,
            status=Prediction.Status.RESOLVED,
            outcome=True,
            known_at=NOW,
        )
        PredictionFactory(question="Someone else's due claim", resolve_by=TODAY - 5 * day)

    def setUp(self):
        self.client.force_login(self.owner)

    def url(self, prediction) -> str:
        return reverse("predictions:resolve", args=[prediction.pk])

    def test_lists_own_open_past_due_oldest_first_with_the_count_in_the_nav(self):
        response = self.client.get(reverse("predictions:due"))
        html = assert_full_page(response)
        assert html.index("Older due claim") < html.index("Newer due claim")
        for absent in ["Due today, not yet", "Closed long ago", "Someone else's due claim"]:
            assert absent not in html
        assert response.context["nav_due_count"] == 2
        assert '<span class="badge" aria-label="2 due">2</span>' in html

    def test_htmx_resolve_in_place_returns_the_row(self):
        response = self.client.post(
            self.url(self.newer), {"outcome": "yes", "from": "due"}, headers=HTMX
        )
        html = assert_fragment(response, f'<li id="due-row-{self.newer.pk}"')
        assert "Resolved:" in html
        assert "YES" in html
        assert "<form" not in html
        self.newer.refresh_from_db()
        assert (self.newer.status, self.newer.outcome) == ("resolved", True)
        assert self.newer.known_at == NOW

    def test_htmx_resolve_without_an_outcome_returns_the_row_with_the_error(self):
        response = self.client.post(self.url(self.newer), {"from": "due"}, headers=HTMX)
        html = assert_fragment(response, f'<li id="due-row-{self.newer.pk}"')
        assert 'role="alert"' in html
        assert "This field is required." in html
        assert "40%" in html  # the row still shows the latest probability
        assert 'name="outcome"' in html
        self.newer.refresh_from_db()
        assert self.newer.status == "open"

    def test_plain_resolve_from_the_queue_redirects(self):
        response = self.client.post(self.url(self.older), {"outcome": "no", "from": "due"})
        assert response.status_code == 302
        self.older.refresh_from_db()
        assert (self.older.status, self.older.outcome) == ("resolved", False)
        html = html_of(self.client.get(reverse("predictions:due")))
        assert "Older due claim" not in html

    def test_nothing_due(self):
        self.client.force_login(UserFactory())
        html = assert_full_page(self.client.get(reverse("predictions:due")))
        assert "Nothing is due" in html


@time_machine.travel(NOW, tick=False)
class EditViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.tag = TagFactory(owner=cls.owner, name="ai")

    def setUp(self):
        self.client.force_login(self.owner)
        self.prediction = PredictionFactory(
            owner=self.owner,
            question="Old claim",
            resolve_by=dt.date(2026, 6, 1),
            created_at=NOW - dt.timedelta(days=2),
            tags=[self.tag],
        )
        self.url = reverse("predictions:edit", args=[self.prediction.pk])

    def data(self, **overrides) -> dict:
        data = {
            "question": "Old claim",
            "resolve_by": "2026-06-01",
            "resolution_criteria": "",
            "notes": "",
            "tags": [str(self.tag.pk)],
            "new_tags": "",
        }
        data.update(overrides)
        return data

    def test_get_is_prefilled(self):
        html = assert_full_page(self.client.get(self.url))
        assert 'value="Old claim"' in html
        assert 'value="2026-06-01"' in html
        assert re.search(rf'value="{self.tag.pk}"[^>]*checked', html)
        assert "already has forecasts" not in html

    def test_edit_before_a_forecast_is_not_recorded(self):
        response = self.client.post(self.url, self.data(question="New claim", new_tags="x"))
        assert response.status_code == 302
        self.prediction.refresh_from_db()
        assert self.prediction.question == "New claim"
        assert sorted(t.name for t in self.prediction.tags.all()) == ["ai", "x"]
        assert not PredictionEdit.objects.exists()

    def test_edit_after_a_forecast_is_recorded_and_shown(self):
        ForecastFactory(prediction=self.prediction)
        assert "already has forecasts" in html_of(self.client.get(self.url))
        self.client.post(self.url, self.data(question="New claim"))
        edit = PredictionEdit.objects.get()
        assert (edit.field, edit.old_value, edit.new_value) == (
            "question",
            "Old claim",
            "New claim",
        )
        html = html_of(self.client.get(reverse("predictions:detail", args=[self.prediction.pk])))
        assert "Claim changed from “Old claim” to “New claim”" in html

    def test_invalid_edit_re_renders_and_writes_nothing(self):
        ForecastFactory(prediction=self.prediction)
        response = self.client.post(self.url, self.data(question="x" * 10_000))
        html = assert_full_page(response)
        assert "at most 300 characters" in form_row(html, "question")
        self.prediction.refresh_from_db()
        assert self.prediction.question == "Old claim"
        assert not PredictionEdit.objects.exists()


@time_machine.travel(NOW, tick=False)
class ShareViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory(username="alice-owner", email="alice@private.example")

    def setUp(self):
        self.client.force_login(self.owner)
        self.prediction = PredictionFactory(owner=self.owner, question="The bridge reopens")
        self.url = reverse("predictions:share", args=[self.prediction.pk])

    def shared_url(self, token: str | None = None) -> str:
        return reverse("predictions:shared", args=[token or self.prediction.share_token])

    def test_private_by_default(self):
        html = assert_full_page(self.client.get(self.url))
        assert "Only you can see this prediction." in html
        assert self.shared_url() not in html

    def test_sharing_by_link_shows_the_link(self):
        response = self.client.post(self.url, {"visibility": "link"}, follow=True)
        assert response.redirect_chain == [(self.url, 302)]
        html = assert_full_page(response)
        self.prediction.refresh_from_db()
        assert self.prediction.visibility == "link"
        assert f'value="http://testserver{self.shared_url()}"' in html

    def test_an_invalid_visibility_is_refused(self):
        response = self.client.post(self.url, {"visibility": "everyone"})
        assert response.status_code == 200
        self.prediction.refresh_from_db()
        assert self.prediction.visibility == "private"

    def test_a_new_link_kills_the_old_one(self):
        self.client.post(self.url, {"visibility": "link"})
        old = self.shared_url()
        self.client.logout()
        assert self.client.get(old).status_code == 200
        self.client.force_login(self.owner)
        self.client.post(self.url, {"visibility": "link", "new_link": "on"})
        self.prediction.refresh_from_db()
        self.client.logout()
        assert self.client.get(old).status_code == 404
        assert self.client.get(self.shared_url()).status_code == 200


@time_machine.travel(NOW, tick=False)
class SharedPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory(username="alice-owner", email="alice@private.example")
        cls.tag = TagFactory(owner=cls.owner, name="secret-tag")
        cls.prediction = PredictionFactory(
            owner=cls.owner,
            question="The bridge reopens before June",
            resolution_criteria="City announcement",
            notes="Private hunch from my neighbour",
            visibility=Prediction.Visibility.LINK,
            created_at=NOW - dt.timedelta(days=3),
        )
        ForecastFactory(
            prediction=cls.prediction,
            probability=Decimal("0.05"),
            rationale="Base rate",
            created_at=NOW - dt.timedelta(days=3),
        )
        ForecastFactory(prediction=cls.prediction, probability=Decimal("0.7"), created_at=NOW)

    def url(self) -> str:
        return reverse("predictions:shared", args=[self.prediction.share_token])

    def set_visibility(self, visibility: str) -> None:
        Prediction.objects.filter(pk=self.prediction.pk).update(visibility=visibility)

    def test_anyone_can_read_link_and_public_predictions(self):
        for visibility in ["link", "public"]:
            with self.subTest(visibility=visibility):
                self.set_visibility(visibility)
                html = assert_full_page(self.client.get(self.url()))
                assert "The bridge reopens before June" in html
                assert "City announcement" in html
                assert '<span class="big-prob">70%</span>' in html
                assert "Base rate" in html
                assert 'alt="Probability over time: 5% on 11 May 2026, 70% on 14 May 2026."' in html

    def test_private_is_404_for_everyone(self):
        self.set_visibility("private")
        assert self.client.get(self.url()).status_code == 404
        self.client.force_login(self.owner)
        assert self.client.get(self.url()).status_code == 404

    def test_an_unknown_token_is_404(self):
        url = reverse("predictions:shared", args=["not-a-real-token-at-all"])
        assert self.client.get(url).status_code == 404

    def test_shows_a_display_name_and_nothing_else_about_the_owner(self):
        html = html_of(self.client.get(self.url()))
        assert "A Falsifiable user" in html
        for private in ["alice-owner", "alice@private.example", "Private hunch", "secret-tag"]:
            assert private not in html
        ProfileFactory(user=self.owner, display_name="Alice F.")
        html = html_of(self.client.get(self.url()))
        assert "shared by Alice F." in html
        assert "alice-owner" not in html

    def test_offers_nothing_that_changes_anything(self):
        html = html_of(self.client.get(self.url()))
        assert "<form" not in html
        assert "<button" not in html
        assert "hx-post" not in html
        for name in ["edit", "resolve", "share", "forecast", "reopen", "detail"]:
            assert reverse(f"predictions:{name}", args=[self.prediction.pk]) not in html

    def test_writes_are_refused_with_405(self):
        before = list(Forecast.objects.values_list("pk", flat=True))
        for method in ["post", "put", "patch", "delete"]:
            with self.subTest(method=method):
                response = getattr(self.client, method)(self.url(), {"probability": "10"})
                assert response.status_code == 405
        self.client.force_login(self.owner)
        assert self.client.post(self.url(), {"probability": "10"}).status_code == 405
        assert list(Forecast.objects.values_list("pk", flat=True)) == before

    def test_htmx_get_also_answers(self):
        response = self.client.get(self.url(), headers=HTMX)
        assert response.status_code == 200
        assert "The bridge reopens before June" in html_of(response)


@time_machine.travel(NOW, tick=False)
class SharedPageOfEveryKindTests(TestCase):
    """Defect: the shared page knew yes/no only; other kinds showed "–" as forecast."""

    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        common = {"owner": cls.owner, "resolve_by": TODAY + dt.timedelta(days=30)}
        cls.choice = services.prediction_create(
            **common,
            kind=Prediction.Kind.MULTIPLE_CHOICE,
            question="Which city hosts the final?",
            options=["Lyon", "Turin"],
            option_probabilities=[Decimal("0.65"), Decimal("0.35")],
            visibility=Prediction.Visibility.LINK,
        )
        cls.release = services.prediction_create(
            **common,
            kind=Prediction.Kind.DATE,
            question="When does the bridge reopen?",
            quantiles={
                Decimal("0.1"): dt.date(2026, 6, 1),
                Decimal("0.5"): dt.date(2026, 7, 15),
                Decimal("0.9"): dt.date(2026, 9, 30),
            },
            visibility=Prediction.Visibility.PUBLIC,
        )

    def shared_html(self, prediction) -> str:
        url = reverse("predictions:shared", args=[prediction.share_token])
        return html_of(self.client.get(url))

    def forecasts_card(self, html: str) -> str:
        return html[html.index('id="forecast-heading"') : html.index('id="facts-heading"')]

    def test_multiple_choice_shows_each_option(self):
        card = self.forecasts_card(self.shared_html(self.choice))
        assert '<td class="num prob">65%</td>' in card
        assert '<td class="num prob">35%</td>' in card
        assert "Lyon 65% · Turin 35%" in card  # the history row
        assert "–" not in card
        assert "latest: Lyon 65%, Turin 35%" in card  # the chart's alt text

    def test_release_date_shows_the_quantiles(self):
        card = self.forecasts_card(self.shared_html(self.release))
        assert "<td>15 Jul 2026</td>" in card
        assert "10%: 1 Jun 2026 · 50%: 15 Jul 2026 · 90%: 30 Sep 2026" in card
        assert "–" not in card
        assert "latest: 10% sure by 1 Jun 2026, 50% sure by 15 Jul 2026" in card

    def test_the_resolved_outcome_is_named(self):
        lyon = self.choice.options.get(label="Lyon")
        services.prediction_resolve(prediction=self.choice, outcome=lyon, known_at=NOW)
        html = self.shared_html(self.choice)
        assert "✓ happened" in self.forecasts_card(html)
        assert "Resolved</strong>: Lyon, known 14 May 2026" in html


DEMO_NOW = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)


@time_machine.travel(DEMO_NOW, tick=False)
class DemoPagesTests(TestCase):
    """Every page of the demo account renders (the data itself is tested in tests/demo)."""

    @classmethod
    def setUpTestData(cls):
        cls.user = load_demo().user

    def setUp(self):
        self.client.force_login(self.user)

    def test_lists_and_forms_render(self):
        urls = [
            reverse("predictions:list"),
            reverse("predictions:due"),
            reverse("predictions:create"),
            reverse("profile"),
        ]
        urls += [f"{reverse('predictions:list')}?status={s}" for s in ["open", "due", "resolved"]]
        for url in urls:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 200
        html = html_of(self.client.get(reverse("predictions:list"), {"page": 2}))
        assert "Page 2 of" in html

    def test_every_prediction_page_renders(self):
        predictions = Prediction.objects.filter(owner=self.user)
        assert predictions.count() >= 40
        for prediction in predictions:
            for name in ["detail", "edit", "resolve", "share"]:
                with self.subTest(prediction=prediction.question, page=name):
                    url = reverse(f"predictions:{name}", args=[prediction.pk])
                    assert self.client.get(url).status_code == 200

    def test_shared_pages_render_for_anonymous_readers(self):
        shared = Prediction.objects.filter(owner=self.user).exclude(visibility="private")
        assert shared.exists()
        self.client.logout()
        for prediction in shared:
            url = reverse("predictions:shared", args=[prediction.share_token])
            html = html_of(self.client.get(url))
            assert prediction.question in html
            assert demo_account.DISPLAY_NAME in html
