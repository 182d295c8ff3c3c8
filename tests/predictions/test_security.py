"""CSRF on every state-changing URL, escaping of everything users type, read-only admin."""

import datetime as dt
import re
from decimal import Decimal

import time_machine
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory, TestCase
from django.urls import reverse
from django.utils.html import escape

from predictions.models import Forecast, Prediction, PredictionEdit, ResolutionEvent
from tests.predictions.factories import (
    PASSWORD,
    ForecastFactory,
    PredictionEditFactory,
    PredictionFactory,
    ResolutionEventFactory,
    TagFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 5, 14, 12, 0, tzinfo=dt.UTC)
HTMX = {"HX-Request": "true"}
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, "<img src=x onerror=alert(1)>"]


def hostile(label: str) -> str:
    return f"{label} {SCRIPT} {ATTRIBUTE}"


def state(*predictions: Prediction) -> list:
    return [
        list(Prediction.objects.filter(pk__in=[p.pk for p in predictions]).values()),
        list(Forecast.objects.values_list("pk", flat=True)),
        ResolutionEvent.objects.count(),
        PredictionEdit.objects.count(),
        get_user_model().objects.count(),
    ]


def page_token(html: str) -> str:
    """The CSRF token base.html hands to htmx through hx-headers on <body>."""
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


@time_machine.travel(NOW, tick=False)
class CsrfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.open = PredictionFactory(owner=cls.user, created_at=NOW - dt.timedelta(days=2))
        ForecastFactory(prediction=cls.open, probability=Decimal("0.3"))
        cls.closed = PredictionFactory(
            owner=cls.user,
            created_at=NOW - dt.timedelta(days=2),
            status=Prediction.Status.RESOLVED,
            outcome=True,
            known_at=NOW - dt.timedelta(days=1),
        )

    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.user)

    def state_changing(self) -> list[tuple[str, dict]]:
        open_pk, closed_pk = self.open.pk, self.closed.pk
        return [
            (
                reverse("predictions:create"),
                {
                    "question": "Sneaky claim",
                    "probability": "50",
                    "resolve_by": "2030-01-01",
                    "visibility": "public",
                },
            ),
            (reverse("predictions:forecast", args=[open_pk]), {"probability": "99"}),
            (reverse("predictions:resolve", args=[open_pk]), {"outcome": "no"}),
            (reverse("predictions:resolve", args=[open_pk]), {"outcome": "no", "from": "due"}),
            (reverse("predictions:reopen", args=[closed_pk]), {}),
            (
                reverse("predictions:edit", args=[open_pk]),
                {"question": "Changed", "resolve_by": "2030-01-01"},
            ),
            (
                reverse("predictions:share", args=[open_pk]),
                {"visibility": "public", "new_link": "on"},
            ),
            (reverse("predictions:extend", args=[open_pk]), {"resolve_by": "2031-01-01"}),
            (reverse("profile"), {"display_name": "Mallory", "timezone": "Asia/Tokyo"}),
            (
                reverse("password_change"),
                {
                    "old_password": PASSWORD,
                    "new_password1": "a brand new passphrase",
                    "new_password2": "a brand new passphrase",
                },
            ),
        ]

    def test_every_state_changing_url_refuses_a_post_without_the_token(self):
        before = state(self.open, self.closed)
        for url, data in self.state_changing():
            for headers in ({}, HTMX):
                with self.subTest(url=url, htmx=bool(headers)):
                    assert self.client.post(url, data, headers=headers).status_code == 403
        assert state(self.open, self.closed) == before
        self.user.refresh_from_db()
        assert self.user.check_password(PASSWORD)

    def test_logout_without_the_token_is_refused_and_keeps_the_session(self):
        assert self.client.post(reverse("logout")).status_code == 403
        assert self.client.get(reverse("predictions:list")).status_code == 200

    def test_signup_and_login_without_the_token_are_refused(self):
        anonymous = Client(enforce_csrf_checks=True)
        users = get_user_model().objects.count()
        response = anonymous.post(
            reverse("signup"),
            {
                "username": "mallory",
                "password1": "a brand new passphrase",
                "password2": "a brand new passphrase",
                "timezone": "UTC",
            },
        )
        assert response.status_code == 403
        assert get_user_model().objects.count() == users
        response = anonymous.post(
            reverse("login"), {"username": self.user.username, "password": PASSWORD}
        )
        assert response.status_code == 403
        assert "_auth_user_id" not in anonymous.session

    def test_a_wrong_token_is_refused_too(self):
        url = reverse("predictions:forecast", args=[self.open.pk])
        response = self.client.post(
            url, {"probability": "99"}, headers={**HTMX, "X-CSRFToken": "x" * 64}
        )
        assert response.status_code == 403
        assert self.open.forecasts.count() == 1

    def test_the_pages_token_is_accepted_by_form_and_by_htmx(self):
        """Control: the same requests succeed with the token, so the 403s are CSRF's."""
        html = self.client.get(reverse("predictions:detail", args=[self.open.pk])).content
        token = page_token(html.decode())
        url = reverse("predictions:forecast", args=[self.open.pk])
        response = self.client.post(url, {"probability": "60", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        response = self.client.post(
            url, {"probability": "70"}, headers={**HTMX, "X-CSRFToken": token}
        )
        assert response.status_code == 200
        assert [str(f.probability) for f in self.open.forecasts.all()][1:] == ["0.600", "0.700"]
        response = self.client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert self.client.get(reverse("predictions:list")).status_code == 302


@time_machine.travel(NOW, tick=False)
class EscapingTests(TestCase):
    """Everything a user types comes out escaped, in pages and in htmx fragments."""

    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.tag_script = TagFactory(owner=cls.owner, name=f"t {SCRIPT}")
        cls.tag_attribute = TagFactory(owner=cls.owner, name=f"t {ATTRIBUTE}")
        cls.claim = hostile("claim")
        cls.criteria = hostile("criteria")
        cls.notes = hostile("notes")
        cls.rationale = hostile("rationale")
        cls.old_claim = hostile("old claim")
        cls.open = PredictionFactory(
            owner=cls.owner,
            question=cls.claim,
            resolution_criteria=cls.criteria,
            notes=cls.notes,
            resolve_by=dt.date(2026, 5, 1),
            visibility=Prediction.Visibility.LINK,
            created_at=NOW - dt.timedelta(days=30),
            tags=[cls.tag_script, cls.tag_attribute],
        )
        ForecastFactory(
            prediction=cls.open, probability=Decimal("0.1"), created_at=NOW - dt.timedelta(days=30)
        )
        ForecastFactory(prediction=cls.open, probability=Decimal("0.6"), rationale=cls.rationale)
        PredictionEditFactory(prediction=cls.open, old_value=cls.old_claim, new_value=cls.claim)

        cls.resolution_note = hostile("resolution note")
        cls.event_note = hostile("undo note")
        cls.resolved = PredictionFactory(
            owner=cls.owner,
            question=hostile("resolved claim"),
            status=Prediction.Status.RESOLVED,
            outcome=False,
            known_at=NOW,
            resolution_note=cls.resolution_note,
            visibility=Prediction.Visibility.PUBLIC,
            created_at=NOW - dt.timedelta(days=3),
        )
        ResolutionEventFactory(prediction=cls.resolved, note=cls.event_note)

    def setUp(self):
        self.client.force_login(self.owner)

    def assert_escaped(self, response, *shown: str) -> None:
        assert response.status_code == 200
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html
        for text in shown:
            assert escape(text) in html, text

    def test_list_page_and_fragment(self):
        tags = [self.tag_script.name, self.tag_attribute.name]
        url = reverse("predictions:list")
        self.assert_escaped(self.client.get(url), self.claim, *tags)
        self.assert_escaped(self.client.get(url, {"q": "claim"}, headers=HTMX), self.claim, *tags)
        # The search box echoes the query.
        self.assert_escaped(self.client.get(url, {"q": ATTRIBUTE}), ATTRIBUTE)

    def test_detail_page(self):
        url = reverse("predictions:detail", args=[self.open.pk])
        shown = [self.claim, self.criteria, self.notes, self.rationale, self.old_claim]
        tags = [self.tag_script.name, self.tag_attribute.name]
        self.assert_escaped(self.client.get(url), *shown, *tags)
        url = reverse("predictions:detail", args=[self.resolved.pk])
        self.assert_escaped(self.client.get(url), self.resolution_note, self.event_note)

    def test_forecast_fragment(self):
        url = reverse("predictions:forecast", args=[self.open.pk])
        response = self.client.post(url, {"probability": "70", "rationale": SCRIPT}, headers=HTMX)
        self.assert_escaped(response, self.rationale, SCRIPT)
        # An invalid value is echoed back escaped in the re-rendered form.
        response = self.client.post(url, {"probability": ATTRIBUTE}, headers=HTMX)
        self.assert_escaped(response, ATTRIBUTE)

    def test_due_page_and_row(self):
        self.assert_escaped(self.client.get(reverse("predictions:due")), self.claim)
        url = reverse("predictions:resolve", args=[self.open.pk])
        self.assert_escaped(self.client.post(url, {"from": "due"}, headers=HTMX), self.claim)

    def test_edit_resolve_and_share_pages(self):
        url = reverse("predictions:edit", args=[self.open.pk])
        tags = [self.tag_script.name, self.tag_attribute.name]
        self.assert_escaped(self.client.get(url), self.claim, self.criteria, self.notes, *tags)
        url = reverse("predictions:resolve", args=[self.open.pk])
        self.assert_escaped(self.client.get(url), self.claim, self.criteria)
        url = reverse("predictions:share", args=[self.open.pk])
        self.assert_escaped(self.client.get(url), self.claim)

    def test_shared_pages(self):
        self.client.logout()
        url = reverse("predictions:shared", args=[self.open.share_token])
        shown = [self.claim, self.criteria, self.rationale, self.old_claim]
        self.assert_escaped(self.client.get(url), *shown)
        url = reverse("predictions:shared", args=[self.resolved.share_token])
        self.assert_escaped(self.client.get(url), self.resolved.question)

    def test_a_hostile_claim_entered_through_the_form_is_escaped_in_the_message(self):
        response = self.client.post(
            reverse("predictions:create"),
            {
                "question": hostile("typed"),
                "probability": "50",
                "resolve_by": "2030-01-01",
                "new_tags": f"x {SCRIPT}",
                "visibility": "private",
            },
            follow=True,
        )
        self.assert_escaped(response, hostile("typed"))

    def test_an_invalid_form_echoes_input_escaped(self):
        response = self.client.post(
            reverse("predictions:create"),
            {"question": hostile("typed"), "probability": "abc", "resolve_by": "2030-01-01"},
        )
        self.assert_escaped(response, hostile("typed"))
        assert not Prediction.objects.filter(question__startswith="typed").exists()


class ForecastAdminReadOnlyTests(TestCase):
    """Forecasts and histories are append-only: not even a superuser edits them."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
        cls.forecast = ForecastFactory(probability=Decimal("0.3"))
        cls.event = ResolutionEventFactory(prediction=cls.forecast.prediction)
        cls.edit = PredictionEditFactory(prediction=cls.forecast.prediction)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_model_admins_deny_add_change_and_delete(self):
        request = RequestFactory().get("/")
        request.user = self.admin
        for model in [Forecast, ResolutionEvent, PredictionEdit]:
            model_admin = site.get_model_admin(model)
            with self.subTest(model=model.__name__):
                assert not model_admin.has_add_permission(request)
                assert not model_admin.has_change_permission(request)
                assert not model_admin.has_delete_permission(request)
                assert model_admin.has_view_permission(request)

    def test_change_and_delete_urls_answer_403(self):
        for obj in [self.forecast, self.event, self.edit]:
            info = (obj._meta.app_label, obj._meta.model_name)
            change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            delete = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
            add = reverse("admin:{}_{}_add".format(*info))
            with self.subTest(model=obj._meta.model_name):
                assert self.client.post(change, {"probability": "0.9"}).status_code == 403
                assert self.client.get(delete).status_code == 403
                assert self.client.post(delete, {"post": "yes"}).status_code == 403
                assert self.client.get(add).status_code == 403
        self.forecast.refresh_from_db()
        assert self.forecast.probability == Decimal("0.3")
        assert Forecast.objects.count() == ResolutionEvent.objects.count() == 1

    def test_the_change_page_is_a_read_only_view(self):
        change = reverse("admin:predictions_forecast_change", args=[self.forecast.pk])
        response = self.client.get(change)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="_save"' not in html
        assert 'name="probability"' not in html

    def test_the_prediction_admin_shows_forecasts_inline_read_only(self):
        change = reverse("admin:predictions_prediction_change", args=[self.forecast.prediction.pk])
        response = self.client.get(change)
        assert response.status_code == 200
        assert 'name="forecasts-0-probability"' not in response.content.decode()
