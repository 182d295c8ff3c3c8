"""Every URL of predictions, sources and reports that takes an id, walked from the URL
resolver (so a new URL cannot escape), as the owner, a member of the group the
prediction is shared with, a former member, an outsider and an anonymous visitor:
members read and forecast, everything else is the owner's alone (404)."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sources.models import EvidenceLink, Source
from tests.predictions.shared_setup import SharedQuestionCase

APPS = ("predictions", "sources", "reports")
# What members may open: reading the question and forecasting on it.
READABLE = {
    "predictions:detail",
    "predictions:forecast",
    "predictions:forecast_evidence",
    "reports:prediction_chart",
    "sources:prediction_evidence",
}
# URLs whose id is not a prediction's, with the object of the shared prediction's they
# take. Every other URL with an id must take a prediction's id.
OTHER_IDS = {
    "sources:source_edit": "source",
    "sources:evidence_detail": "link",
    "sources:evidence_edit": "link",
    "sources:evidence_delete": "link",
}


def urls_with_an_id() -> list[str]:
    """The names of every URL of APPS whose pattern takes an integer."""
    names = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in APPS:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                if "<int:" in str(pattern.pattern):
                    names.append(f"{entry.namespace}:{pattern.name}")
    return names


class EveryUrlTests(SharedQuestionCase):
    def setUp(self):
        super().setUp()
        source = Source.objects.create(owner=self.owner, url="https://example.org/a")
        link = EvidenceLink.objects.create(
            prediction=self.prediction, source=source, stance="supports"
        )
        self.ids = {"source": source.pk, "link": link.pk}

    def request(self, user, url: str):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        response = self.client.get(url)
        if response.status_code == 405:
            response = self.client.post(url, {})
        return response

    def test_the_walk_finds_the_prediction_urls(self):
        names = urls_with_an_id()
        assert set(names) >= READABLE
        assert {"predictions:resolve", "predictions:share", "sources:evidence_create"} <= set(names)

    def test_every_url_answers_as_its_viewer_may(self):
        for name in urls_with_an_id():
            pk = self.ids[OTHER_IDS[name]] if name in OTHER_IDS else self.prediction.pk
            url = reverse(name, args=[pk])
            with self.subTest(name):
                member = self.request(self.member, url).status_code
                if name in READABLE:
                    assert member in (200, 302, 400), member
                else:
                    assert member == 404, member
                for nobody in (self.former, self.outsider):
                    assert self.request(nobody, url).status_code == 404
                anonymous = self.request(None, url)
                assert anonymous.status_code == 302
                assert anonymous["Location"].startswith(reverse("login"))
                # Last: the owner's empty POST may change things (delete answers 303).
                owner = self.request(self.owner, url).status_code
                assert owner in (200, 302, 303, 400), owner
