"""Isolation: another user's prediction answers 404 on every URL, page or fragment, and
anonymous visitors are sent to log in."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from predictions.models import Forecast, Prediction, PredictionEdit, ResolutionEvent, Tag
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory

HTMX = {"HX-Request": "true"}

# (url name, method, data): every URL that reads or changes one prediction by its id.
PREDICTION_URLS = [
    ("predictions:detail", "get", None),
    ("predictions:forecast", "post", {"probability": "99", "rationale": "hijack"}),
    ("predictions:resolve", "get", None),
    ("predictions:resolve", "post", {"outcome": "no", "note": "hijack"}),
    ("predictions:resolve", "post", {"outcome": "no", "from": "due"}),
    ("predictions:reopen", "post", {}),
    ("predictions:edit", "get", None),
    (
        "predictions:edit",
        "post",
        {"question": "Hijacked", "resolve_by": "2030-01-01", "new_tags": "hijack"},
    ),
    ("predictions:share", "get", None),
    ("predictions:share", "post", {"visibility": "public", "new_link": "on"}),
    ("predictions:extend", "post", {"resolve_by": "2031-01-01", "note": "hijack"}),
    # Fragments and charts of the other apps, while they exist under these names.
    ("reports:prediction_chart", "get", None),
    ("sources:prediction_evidence", "get", None),
]


def prediction_urls(pk: int) -> list[tuple[str, str, dict | None]]:
    urls = []
    for name, method, data in PREDICTION_URLS:
        try:
            urls.append((reverse(name, args=[pk]), method, data))
        except NoReverseMatch:
            if name.startswith("predictions:"):
                raise
    return urls


def snapshot(prediction: Prediction) -> dict:
    prediction = Prediction.objects.get(pk=prediction.pk)
    return {
        "row": {
            f.attname: getattr(prediction, f.attname) for f in Prediction._meta.concrete_fields
        },
        "tags": sorted(prediction.tags.values_list("pk", flat=True)),
        "forecasts": list(Forecast.objects.values_list("pk", "probability")),
        "events": ResolutionEvent.objects.count(),
        "edits": PredictionEdit.objects.count(),
        "all_tags": Tag.objects.count(),
    }


class OtherUsersPredictionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory(username="alice")
        cls.bob = UserFactory(username="bob")
        cls.open = PredictionFactory(
            owner=cls.alice, question="Alice's private open claim", resolve_by=dt.date(2020, 1, 1)
        )
        ForecastFactory(prediction=cls.open, probability=Decimal("0.3"))
        cls.resolved = PredictionFactory(
            owner=cls.alice,
            question="Alice's private resolved claim",
            status=Prediction.Status.RESOLVED,
            outcome=True,
            known_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )

    def setUp(self):
        self.client.force_login(self.bob)

    def test_every_url_answers_404_to_another_user_and_changes_nothing(self):
        for prediction in [self.open, self.resolved]:
            before = snapshot(prediction)
            for url, method, data in prediction_urls(prediction.pk):
                for headers in ({}, HTMX):
                    with self.subTest(url=url, method=method, htmx=bool(headers)):
                        response = getattr(self.client, method)(url, data, headers=headers)
                        assert response.status_code == 404
                        assert prediction.question not in response.content.decode()
            assert snapshot(prediction) == before

    def test_link_shared_and_public_predictions_are_still_404_by_id(self):
        # Sharing opens the share URL only; the owner's pages stay the owner's.
        for visibility in ["link", "public"]:
            Prediction.objects.filter(pk=self.open.pk).update(visibility=visibility)
            for url, method, data in prediction_urls(self.open.pk):
                with self.subTest(visibility=visibility, url=url, method=method):
                    response = getattr(self.client, method)(url, data)
                    assert response.status_code == 404

    def test_lists_never_show_another_users_predictions(self):
        pages = [
            (reverse("predictions:list"), {}),
            (reverse("predictions:list"), {"q": "Alice"}),
            (reverse("predictions:list"), {"status": "due"}),
            (reverse("predictions:due"), {}),
        ]
        for url, params in pages:
            for headers in ({}, HTMX):
                with self.subTest(url=url, params=params, htmx=bool(headers)):
                    response = self.client.get(url, params, headers=headers)
                    assert response.status_code == 200
                    html = response.content.decode()
                    assert "Alice&#x27;s private" not in html
                    assert "Alice's private" not in html
        assert self.client.get(reverse("predictions:due")).context["nav_due_count"] == 0

    def test_the_owner_is_not_locked_out(self):
        """The same URLs work for Alice, so the 404s above come from ownership alone."""
        self.client.force_login(self.alice)
        for name in ["predictions:detail", "predictions:resolve", "predictions:edit"]:
            with self.subTest(name=name):
                url = reverse(name, args=[self.open.pk])
                assert self.client.get(url).status_code == 200


class AnonymousTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.prediction = PredictionFactory(question="A private claim")
        ForecastFactory(prediction=cls.prediction)

    def assert_sent_to_login(self, response, url: str) -> None:
        # htmx requests get a full-page redirect (HX-Redirect) instead of a 302 whose
        # log-in page would be swapped into a fragment.
        if response.has_header("HX-Redirect"):
            assert response.status_code == 200
            location = urlsplit(response["HX-Redirect"])
        else:
            assert response.status_code == 302
            location = urlsplit(response["Location"])
        assert location.path == reverse(settings.LOGIN_URL)
        assert f"next={url}" in location.query.replace("%2F", "/")

    def test_every_prediction_url_redirects_to_log_in_and_changes_nothing(self):
        before = snapshot(self.prediction)
        for url, method, data in prediction_urls(self.prediction.pk):
            for headers in ({}, HTMX):
                with self.subTest(url=url, method=method, htmx=bool(headers)):
                    response = getattr(self.client, method)(url, data, headers=headers)
                    self.assert_sent_to_login(response, url)
        assert snapshot(self.prediction) == before

    def test_list_due_and_create_redirect_to_log_in(self):
        for name in ["predictions:list", "predictions:due", "predictions:create"]:
            url = reverse(name)
            for headers in ({}, HTMX):
                with self.subTest(name=name, htmx=bool(headers)):
                    self.assert_sent_to_login(self.client.get(url, headers=headers), url)
        url = reverse("predictions:create")
        data = {"question": "x", "probability": "50", "resolve_by": "2030-01-01"}
        self.assert_sent_to_login(self.client.post(url, data), url)
        assert Prediction.objects.count() == 1
