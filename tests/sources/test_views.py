"""Evidence pages over HTTP: htmx and plain paths, isolation, escaping, query counts."""

import datetime as dt
import re

from django.db import connection
from django.template import Context, RequestContext, Template
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from predictions.models import Prediction
from sources import views
from sources.fetch import FetchError, PageInfo
from sources.forms import MSG_URL_AND_SOURCE, SourceAdminForm
from sources.models import EvidenceLink, Source
from sources.normalise import MSG_URL_SCHEME
from sources.services import MSG_LINK_RESOLVES, MSG_URL_OR_SOURCE
from tests.notifications.helpers import UNREAD_QUERIES
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory
from tests.sources.factories import EvidenceLinkFactory, SourceFactory
from tests.web.html_forms import submitted_values

HTMX = {"HX-Request": "true"}
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HEISE = "https://www.heise.de/news/GPT-4-kommt-naechste-Woche-7540183.html"


def add_url(prediction) -> str:
    return reverse("sources:evidence_create", args=[prediction.pk])


def evidence_post(**values) -> dict:
    data = {"stance": "supports", "quote": "", "note": ""} | values
    return {f"evidence-{name}": value for name, value in data.items()}


class EvidenceSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory(username="alice")
        cls.prediction = PredictionFactory(owner=cls.user, question="GPT-4 this week")

    def setUp(self):
        self.client.force_login(self.user)

    def test_anonymous_users_are_sent_to_log_in(self):
        self.client.logout()
        url = reverse("sources:prediction_evidence", args=[self.prediction.pk])
        response = self.client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_section_is_grouped_by_stance(self):
        EvidenceLinkFactory(prediction=self.prediction, stance="opposes", source__title="Against")
        EvidenceLinkFactory(prediction=self.prediction, stance="supports", source__title="For")
        url = reverse("sources:prediction_evidence", args=[self.prediction.pk])
        html = self.client.get(url, headers=HTMX).content.decode()
        assert html.lstrip().startswith("<section")  # a fragment, not a page
        supports, opposes = html.index("Supports"), html.index("Opposes")
        assert supports < html.index(">For<") < opposes < html.index(">Against<")
        assert "<html" not in html

    def test_plain_get_is_a_full_page(self):
        url = reverse("sources:prediction_evidence", args=[self.prediction.pk])
        html = self.client.get(url).content.decode()
        assert "<html" in html
        assert 'id="evidence-section"' in html

    def test_external_links_open_safely(self):
        EvidenceLinkFactory(prediction=self.prediction, source__url=HEISE)
        url = reverse("sources:prediction_evidence", args=[self.prediction.pk])
        html = self.client.get(url, headers=HTMX).content.decode()
        assert f'href="{HEISE}" rel="noopener noreferrer nofollow" target="_blank"' in html

    def test_add_with_htmx_returns_the_section_and_an_event(self):
        response = self.client.post(
            add_url(self.prediction),
            evidence_post(url=HEISE + "?utm_source=x#c", title="GPT-4 kommt", note="I doubt it"),
            headers=HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "evidence-changed"
        html = response.content.decode()
        assert html.lstrip().startswith("<section")
        assert "GPT-4 kommt" in html
        link = EvidenceLink.objects.get()
        assert link.source.url == HEISE
        assert (link.stance, link.note) == ("supports", "I doubt it")

    def test_add_without_htmx_redirects_to_the_prediction(self):
        response = self.client.post(add_url(self.prediction), evidence_post(url=HEISE))
        assert response.status_code == 302
        detail = reverse("predictions:detail", args=[self.prediction.pk])
        assert response["Location"] == f"{detail}#evidence-section"
        assert EvidenceLink.objects.count() == 1

    def test_add_then_go_to_the_resolve_page_with_the_link_chosen(self):
        response = self.client.post(
            add_url(self.prediction),
            evidence_post(url=HEISE, stance="resolves") | {"next": "resolve"},
        )
        link = EvidenceLink.objects.get()
        resolve = reverse("predictions:resolve", args=[self.prediction.pk])
        assert response["Location"] == f"{resolve}?evidence={link.pk}"
        assert link.stance == "resolves"

    def test_unknown_next_is_ignored(self):
        response = self.client.post(
            add_url(self.prediction), evidence_post(url=HEISE) | {"next": "https://evil.example/"}
        )
        assert response["Location"].startswith(
            reverse("predictions:detail", args=[self.prediction.pk])
        )

    def test_pasting_a_library_url_reuses_the_source(self):
        source = SourceFactory(owner=self.user, url=HEISE, title="Already here")
        self.client.post(add_url(self.prediction), evidence_post(url=HEISE + "#x"))
        assert EvidenceLink.objects.get().source == source
        assert Source.objects.count() == 1

    def test_pick_from_the_library(self):
        source = SourceFactory(owner=self.user)
        self.client.post(add_url(self.prediction), evidence_post(source=source.pk), headers=HTMX)
        assert EvidenceLink.objects.get().source == source

    def test_url_or_source_is_required_and_not_both(self):
        source = SourceFactory(owner=self.user)
        html = self.client.post(add_url(self.prediction), evidence_post(), headers=HTMX)
        assert MSG_URL_OR_SOURCE in html.content.decode()
        both = evidence_post(url=HEISE, source=source.pk)
        html = self.client.post(add_url(self.prediction), both, headers=HTMX).content.decode()
        assert MSG_URL_AND_SOURCE in html
        assert not EvidenceLink.objects.exists()

    def test_javascript_and_data_urls_are_refused_with_a_message(self):
        for url, scheme in [
            ("javascript:alert(1)", "javascript"),
            ("data:text/html,<script>alert(1)</script>", "data"),
        ]:
            for headers in (HTMX, {}):
                response = self.client.post(
                    add_url(self.prediction), evidence_post(url=url), headers=headers
                )
                assert response.status_code == 200  # the form again, not a redirect
                message = MSG_URL_SCHEME.format(scheme=scheme)
                assert message in response.content.decode()
        assert not Source.objects.exists()

    def test_user_text_is_escaped(self):
        EvidenceLinkFactory(
            prediction=self.prediction,
            source__title=XSS,
            quote=XSS,
            note=XSS,
            source__publisher=XSS,
        )
        url = reverse("sources:prediction_evidence", args=[self.prediction.pk])
        for headers in (HTMX, {}):
            html = self.client.get(url, headers=headers).content.decode()
            assert XSS not in html
            assert html.count(XSS_ESCAPED) >= 4

    def test_edit_in_place(self):
        link = EvidenceLinkFactory(prediction=self.prediction, stance="context")
        edit = reverse("sources:evidence_edit", args=[link.pk])
        html = self.client.get(edit, headers=HTMX).content.decode()
        assert html.lstrip().startswith(f'<li id="evidence-link-{link.pk}"')
        assert f'name="link-{link.pk}-stance"' in html
        response = self.client.post(
            edit,
            {
                f"link-{link.pk}-stance": "opposes",
                f"link-{link.pk}-quote": "q",
                f"link-{link.pk}-note": "",
            },
            headers=HTMX,
        )
        assert response["HX-Trigger"] == "evidence-changed"
        assert 'id="evidence-section"' in response.content.decode()
        link.refresh_from_db()
        assert (link.stance, link.quote) == ("opposes", "q")

    def test_invalid_edit_goes_back_in_place(self):
        link = EvidenceLinkFactory(prediction=self.prediction)
        edit = reverse("sources:evidence_edit", args=[link.pk])
        response = self.client.post(edit, {f"link-{link.pk}-stance": "maybe"}, headers=HTMX)
        assert response.status_code == 200
        assert response["HX-Retarget"] == f"#evidence-link-{link.pk}"
        assert "errorlist" in response.content.decode()

    def test_plain_edit_page_and_redirect(self):
        link = EvidenceLinkFactory(prediction=self.prediction)
        edit = reverse("sources:evidence_edit", args=[link.pk])
        html = self.client.get(edit).content.decode()
        assert "<html" in html
        assert "hx-post" not in html.split('id="evidence-link-')[1]
        response = self.client.post(edit, {f"link-{link.pk}-stance": "context"})
        assert response.status_code == 302

    def test_cancel_edit_returns_the_link(self):
        link = EvidenceLinkFactory(prediction=self.prediction, source__title="Kept")
        html = self.client.get(
            reverse("sources:evidence_detail", args=[link.pk]), headers=HTMX
        ).content.decode()
        assert html.lstrip().startswith(f'<li id="evidence-link-{link.pk}"')
        assert "Kept" in html

    def test_remove_with_htmx_and_without(self):
        first, second = EvidenceLinkFactory.create_batch(2, prediction=self.prediction)
        response = self.client.post(
            reverse("sources:evidence_delete", args=[first.pk]), headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Trigger"] == "evidence-changed"
        response = self.client.post(reverse("sources:evidence_delete", args=[second.pk]))
        assert response.status_code == 303
        assert not EvidenceLink.objects.exists()
        assert Source.objects.count() == 2  # sources stay in the library

    def test_the_resolving_link_cannot_be_removed(self):
        link = EvidenceLinkFactory(prediction=self.prediction, stance="resolves")
        Prediction.objects.filter(pk=self.prediction.pk).update(
            status="resolved",
            outcome=True,
            known_at=self.prediction.created_at,
            resolution_evidence=link,
        )
        html = self.client.post(
            reverse("sources:evidence_delete", args=[link.pk]), headers=HTMX
        ).content.decode()
        assert MSG_LINK_RESOLVES in html
        assert EvidenceLink.objects.filter(pk=link.pk).exists()

    def test_get_is_not_allowed_for_writes(self):
        link = EvidenceLinkFactory(prediction=self.prediction)
        assert (
            self.client.get(reverse("sources:evidence_delete", args=[link.pk])).status_code == 405
        )
        assert self.client.get(add_url(self.prediction)).status_code == 405


class FetchTitleViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.prediction = PredictionFactory(owner=cls.user)
        cls.url = reverse("sources:evidence_fetch_title", args=[cls.prediction.pk])

    def setUp(self):
        self.client.force_login(self.user)
        self.calls = []

    def fake_fetch(self, result):
        def fetch(url):
            self.calls.append(url)
            if isinstance(result, Exception):
                raise result
            return result

        original = views.fetch_page_info
        views.fetch_page_info = fetch
        self.addCleanup(setattr, views, "fetch_page_info", original)

    def test_fills_title_and_publisher_keeping_what_was_typed(self):
        self.fake_fetch(PageInfo(url=HEISE, title="GPT-4 kommt", publisher="heise online"))
        response = self.client.post(
            self.url,
            evidence_post(url=HEISE, quote="nächste Woche", stance="opposes"),
            headers=HTMX,
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<form id="evidence-form"')
        assert 'value="GPT-4 kommt"' in html
        assert 'value="heise online"' in html
        assert "nächste Woche" in html
        assert re.search(r'value="opposes"[^>]* checked', html)
        assert self.calls == [HEISE]
        assert not Source.objects.exists()  # fetching saves nothing

    def test_failure_leaves_the_form_usable_with_a_message(self):
        self.fake_fetch(FetchError("The site took longer than 5 seconds to answer."))
        html = self.client.post(
            self.url, evidence_post(url=HEISE, note="kept"), headers=HTMX
        ).content.decode()
        assert "took longer than 5 seconds" in html
        assert "kept</textarea>" in html
        assert 'id="evidence-form"' in html

    def test_bad_scheme_is_refused_before_any_fetch(self):
        self.fake_fetch(PageInfo(url="", title="", publisher=""))
        html = self.client.post(
            self.url, evidence_post(url="javascript:alert(1)"), headers=HTMX
        ).content.decode()
        assert "javascript:" in html
        assert "refused" in html
        assert self.calls == []

    def test_library_title_is_used_without_fetching(self):
        SourceFactory(owner=self.user, url=HEISE, title="From my library")
        self.fake_fetch(PageInfo(url=HEISE, title="fetched", publisher="x"))
        html = self.client.post(self.url, evidence_post(url=HEISE), headers=HTMX).content.decode()
        assert 'value="From my library"' in html
        assert self.calls == []

    def test_plain_post_renders_the_evidence_page(self):
        self.fake_fetch(PageInfo(url=HEISE, title="GPT-4 kommt", publisher="heise online"))
        html = self.client.post(self.url, evidence_post(url=HEISE)).content.decode()
        assert "<html" in html
        assert 'value="GPT-4 kommt"' in html


class IsolationTests(TestCase):
    """Bob cannot see, link, reuse, edit, remove or resolve with Alice's sources."""

    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory(username="alice")
        cls.bob = UserFactory(username="bob")
        cls.alices_prediction = PredictionFactory(owner=cls.alice)
        cls.alices_link = EvidenceLinkFactory(
            prediction=cls.alices_prediction,
            source__url=HEISE,
            source__title="Alice's secret source",
            note="Alice's note",
        )
        cls.alices_source = cls.alices_link.source
        cls.bobs_prediction = PredictionFactory(
            owner=cls.bob, created_at=dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
        )

    def setUp(self):
        self.client.force_login(self.bob)

    def assert_untouched(self):
        link = EvidenceLink.objects.get(pk=self.alices_link.pk)
        assert (link.stance, link.note, link.prediction_id) == (
            "supports",
            "Alice's note",
            self.alices_prediction.pk,
        )
        assert Source.objects.get(pk=self.alices_source.pk).title == "Alice's secret source"
        assert not EvidenceLink.objects.filter(prediction=self.bobs_prediction).exists()

    def test_urls_with_alices_ids_answer_404(self):
        p, link, source = self.alices_prediction.pk, self.alices_link.pk, self.alices_source.pk
        gets = [
            reverse("sources:prediction_evidence", args=[p]),
            reverse("sources:evidence_detail", args=[link]),
            reverse("sources:evidence_edit", args=[link]),
            reverse("sources:source_edit", args=[source]),
        ]
        posts = [
            (add_url(self.alices_prediction), evidence_post(url="https://example.com/x")),
            (reverse("sources:evidence_fetch_title", args=[p]), evidence_post(url=HEISE)),
            (reverse("sources:evidence_edit", args=[link]), {f"link-{link}-stance": "opposes"}),
            (reverse("sources:evidence_delete", args=[link]), {}),
            (reverse("sources:source_edit", args=[source]), {"url": "https://example.com/"}),
        ]
        for headers in (HTMX, {}):
            for url in gets:
                assert self.client.get(url, headers=headers).status_code == 404, url
            for url, data in posts:
                assert self.client.post(url, data, headers=headers).status_code == 404, url
        self.assert_untouched()

    def test_library_shows_only_own_sources(self):
        html = self.client.get(reverse("sources:library")).content.decode()
        assert "Alice&#x27;s secret source" not in html
        assert "heise" not in html
        html = self.client.get(reverse("sources:library"), {"q": "secret"}).content.decode()
        assert "Alice" not in html

    def test_tampered_source_id_in_the_add_form_is_refused(self):
        response = self.client.post(
            add_url(self.bobs_prediction), evidence_post(source=self.alices_source.pk), headers=HTMX
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        self.assert_untouched()

    def test_pasting_alices_url_makes_bob_his_own_source(self):
        self.client.post(add_url(self.bobs_prediction), evidence_post(url=HEISE))
        bobs = EvidenceLink.objects.get(prediction=self.bobs_prediction).source
        assert bobs.owner == self.bob
        assert bobs.pk != self.alices_source.pk
        assert bobs.title == ""

    def test_fetch_title_does_not_read_alices_library(self):
        original = views.fetch_page_info
        views.fetch_page_info = lambda url: PageInfo(url=url, title="Public title", publisher="p")
        self.addCleanup(setattr, views, "fetch_page_info", original)
        html = self.client.post(
            reverse("sources:evidence_fetch_title", args=[self.bobs_prediction.pk]),
            evidence_post(url=HEISE),
            headers=HTMX,
        ).content.decode()
        assert "secret" not in html
        assert 'value="Public title"' in html

    def test_cannot_resolve_with_alices_evidence(self):
        bobs_link = EvidenceLinkFactory(prediction=self.bobs_prediction)
        resolve = reverse("predictions:resolve", args=[self.bobs_prediction.pk])
        response = self.client.post(
            resolve, {"outcome": "yes", "evidence": self.alices_link.pk, "note": ""}
        )
        assert response.status_code == 200  # the form again, with an error
        assert "Select a valid choice" in response.content.decode()
        self.bobs_prediction.refresh_from_db()
        assert self.bobs_prediction.status == "open"
        bobs_link.delete()
        self.assert_untouched()

    def test_alices_evidence_id_is_ignored_when_bob_has_none(self):
        resolve = reverse("predictions:resolve", args=[self.bobs_prediction.pk])
        self.client.post(resolve, {"outcome": "yes", "evidence": self.alices_link.pk})
        self.bobs_prediction.refresh_from_db()
        assert self.bobs_prediction.resolution_evidence_id is None
        self.assert_untouched()

    def test_cannot_cite_alices_evidence_in_a_forecast(self):
        forecast = reverse("predictions:forecast", args=[self.bobs_prediction.pk])
        self.client.post(forecast, {"probability": "70", "evidence": self.alices_link.pk})
        assert not self.bobs_prediction.forecasts.filter(evidence__isnull=False).exists()


class QueryCountTests(TestCase):
    """Pages cost an exact number of queries, the same for 3 rows as for 30."""

    @classmethod
    def setUpTestData(cls):
        cls.small_owner, cls.large_owner = UserFactory(), UserFactory()
        cls.small = cls._prediction_with(cls.small_owner, 3)
        cls.large = cls._prediction_with(cls.large_owner, 30)

    @staticmethod
    def _prediction_with(owner, n):
        prediction = PredictionFactory(owner=owner)
        other = PredictionFactory(owner=owner)
        stances = ["supports", "opposes", "context"]
        for i in range(n):
            link = EvidenceLinkFactory(prediction=prediction, stance=stances[i % 3])
            EvidenceLinkFactory(prediction=other, source=link.source)
            ForecastFactory(prediction=prediction, evidence=link)
        return prediction

    def count(self, user, url, headers=None) -> int:
        self.client.force_login(user)
        self.client.get(url, headers=headers)  # warm up: session, profile
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, headers=headers)
        assert response.status_code == 200
        return len(queries)

    def test_library(self):
        # session, user, profile; the count, the page, its links with their predictions;
        # the navigation's due count and unread count
        url = reverse("sources:library")
        page = 7 + UNREAD_QUERIES
        assert self.count(self.small_owner, url) == self.count(self.large_owner, url) == page
        url += "?q=article"
        assert self.count(self.small_owner, url) == self.count(self.large_owner, url) == page

    def test_evidence_section(self):
        # session, user, profile; the prediction, its links with their sources, the
        # library choice of the add form (+ the due and unread counts on the full page)
        small = reverse("sources:prediction_evidence", args=[self.small.pk])
        large = reverse("sources:prediction_evidence", args=[self.large.pk])
        assert self.count(self.small_owner, small, HTMX) == 6
        assert self.count(self.large_owner, large, HTMX) == 6
        page = 7 + UNREAD_QUERIES
        assert self.count(self.small_owner, small) == self.count(self.large_owner, large) == page

    def test_template_tag(self):
        template = Template("{% load evidence %}{% evidence_section prediction %}")

        def render(prediction) -> tuple[int, str]:
            request = RequestFactory().get("/")
            request.user = prediction.owner
            with CaptureQueriesContext(connection) as queries:
                html = template.render(RequestContext(request, {"prediction": prediction}))
            return len(queries), html

        small_queries, _small_html = render(self.small)
        large_queries, large_html = render(self.large)
        assert small_queries == large_queries
        assert large_html.count('<li id="evidence-link-') == 30
        assert 'id="evidence-form"' in large_html

    def test_prediction_page(self):
        small = reverse("predictions:detail", args=[self.small.pk])
        large = reverse("predictions:detail", args=[self.large.pk])
        # the yes/no budget of tests/predictions/test_queries.py, + the forecast form's
        # evidence choices, which these predictions have
        assert (
            self.count(self.small_owner, small)
            == self.count(self.large_owner, large)
            == 17 + UNREAD_QUERIES
        )
        self.client.force_login(self.large_owner)
        html = self.client.get(large).content.decode()
        assert 'id="evidence-section"' in html
        assert html.count('<li id="evidence-link-') == 30


class TemplateTagTests(TestCase):
    def test_read_only_for_other_visitors(self):
        link = EvidenceLinkFactory(note="shared note")
        request = RequestFactory().get("/")
        request.user = UserFactory()
        html = Template("{% load evidence %}{% evidence_section prediction %}").render(
            RequestContext(request, {"prediction": link.prediction})
        )
        assert "shared note" in html
        assert "evidence-form" not in html
        assert "Remove" not in html

    def test_add_form_for_the_resolve_page(self):
        prediction = PredictionFactory()
        request = RequestFactory().get("/")
        request.user = prediction.owner
        html = Template('{% load evidence %}{% evidence_add_form prediction "resolve" %}').render(
            RequestContext(request, {"prediction": prediction})
        )
        assert 'name="next" value="resolve"' in html
        assert re.search(r'value="resolves"[^>]* checked', html)
        assert "hx-post" not in html.split("Fetch title")[1]  # plain form after the button

    def test_source_link_refuses_other_schemes(self):
        source = Source(url="javascript:alert(1)", title="Bad")
        html = Template("{% load evidence %}{% source_link source %}").render(
            Context({"source": source})
        )
        assert "href" not in html
        assert "Bad" in html


class SourceEditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.source = SourceFactory(owner=cls.user, url="https://example.com/a", title="Old")
        SourceFactory(owner=cls.user, url="https://example.com/b")
        cls.url = reverse("sources:source_edit", args=[cls.source.pk])

    def setUp(self):
        self.client.force_login(self.user)

    def post(self, **values):
        data = {"url": "https://example.com/a", "title": "Old"} | values
        return self.client.post(self.url, data)

    def test_saves_normalised_and_redirects_to_the_library(self):
        response = self.post(url="HTTPS://EXAMPLE.COM/new?utm_source=x", title="New")
        assert response.status_code == 302
        assert response["Location"] == reverse("sources:library")
        self.source.refresh_from_db()
        assert (self.source.url, self.source.title) == ("https://example.com/new", "New")

    def test_javascript_urls_are_refused_with_a_message(self):
        for field in ("url", "archive_url"):
            response = self.post(**{field: "javascript:alert(1)"})
            assert response.status_code == 200
            assert "“javascript:” links are refused" in response.content.decode()
        self.source.refresh_from_db()
        assert self.source.url == "https://example.com/a"
        assert self.source.archive_url == ""

    def test_saving_the_form_as_a_browser_does_keeps_the_dates(self):
        """Defect: the form rendered dates as 01/06/2026, which <input type="date"> shows
        blank, so saving the page unchanged erased both dates."""
        published, accessed = dt.date(2026, 6, 1), dt.date(2026, 6, 20)
        Source.objects.filter(pk=self.source.pk).update(
            published_date=published, accessed_date=accessed, author="A. Writer"
        )
        html = self.client.get(self.url).content.decode()
        values = submitted_values(html)
        assert values["published_date"] == ["2026-06-01"]
        assert values["accessed_date"] == ["2026-06-20"]
        response = self.client.post(self.url, values)
        assert response.status_code == 302
        self.source.refresh_from_db()
        assert (self.source.published_date, self.source.accessed_date) == (published, accessed)
        assert (self.source.title, self.source.author) == ("Old", "A. Writer")

    def test_a_url_already_in_the_library_is_refused(self):
        response = self.post(url="https://example.com/b#frag")
        assert "already has this address" in response.content.decode()
        self.source.refresh_from_db()
        assert self.source.url == "https://example.com/a"


class AdminFormTests(TestCase):
    def test_admin_form_refuses_other_schemes(self):
        user = UserFactory()
        form = SourceAdminForm({"owner": user.pk, "url": "data:text/html,x"})
        assert not form.is_valid()
        assert form.errors["url"] == [MSG_URL_SCHEME.format(scheme="data")]
        form = SourceAdminForm({"owner": user.pk, "url": "https://Example.com/#x"})
        assert form.is_valid(), form.errors
        assert form.save().url == "https://example.com/"
