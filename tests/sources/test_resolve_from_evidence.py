"""Resolving and updating from evidence: the prediction pages working with sources."""

import datetime as dt
import re
import zoneinfo

import time_machine
from django.test import TestCase
from django.urls import reverse

from predictions.models import Prediction
from predictions.services import profile_for
from sources.models import EvidenceLink
from tests.predictions.factories import ForecastFactory, PredictionFactory, UserFactory
from tests.sources.factories import EvidenceLinkFactory, SourceFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2023, 3, 17, 18, 0, tzinfo=BERLIN)


@time_machine.travel(NOW, tick=False)
class ResolveFromEvidenceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        profile = profile_for(cls.owner)
        profile.timezone = "Europe/Berlin"
        profile.save()
        cls.prediction = PredictionFactory(
            owner=cls.owner, created_at=dt.datetime(2023, 3, 13, 8, 40, tzinfo=BERLIN)
        )
        ForecastFactory(prediction=cls.prediction, created_at=cls.prediction.created_at)
        source = SourceFactory(owner=cls.owner, title="GPT-4", published_date=dt.date(2023, 3, 14))
        cls.link = EvidenceLinkFactory(
            prediction=cls.prediction, source=source, stance=EvidenceLink.Stance.CONTEXT
        )

    def setUp(self):
        self.client.force_login(self.owner)
        self.url = reverse("predictions:resolve", args=[self.prediction.pk])

    def test_known_at_defaults_to_the_start_of_the_publication_day_in_the_owners_zone(self):
        response = self.client.post(self.url, {"outcome": "yes", "evidence": self.link.pk})
        assert response.status_code == 302
        self.prediction.refresh_from_db()
        assert self.prediction.known_at == dt.datetime(2023, 3, 14, 0, 0, tzinfo=BERLIN)
        assert self.prediction.resolution_evidence == self.link
        self.link.refresh_from_db()
        assert self.link.stance == EvidenceLink.Stance.RESOLVES
        event = self.prediction.resolution_events.get()
        assert event.evidence == self.link

    def test_an_explicit_known_at_wins(self):
        self.client.post(
            self.url,
            {"outcome": "yes", "evidence": self.link.pk, "known_at": "2023-03-14T18:30"},
        )
        self.prediction.refresh_from_db()
        assert self.prediction.known_at == dt.datetime(2023, 3, 14, 18, 30, tzinfo=BERLIN)

    def test_the_form_proposes_the_cited_source_and_its_date(self):
        html = self.client.get(self.url, {"evidence": self.link.pk}).content.decode()
        assert f'<option value="{self.link.pk}" selected>' in html
        assert 'value="2023-03-14T00:00"' in html

    def test_another_users_evidence_id_is_refused(self):
        stranger_link = EvidenceLinkFactory()
        response = self.client.post(self.url, {"outcome": "yes", "evidence": stranger_link.pk})
        assert response.status_code == 200
        self.prediction.refresh_from_db()
        assert self.prediction.status == Prediction.Status.OPEN

    def test_resolution_shows_its_source_with_safe_link_attributes(self):
        self.client.post(self.url, {"outcome": "yes", "evidence": self.link.pk})
        html = self.client.get(reverse("predictions:detail", args=[self.prediction.pk])).content
        assert b'rel="noopener noreferrer nofollow"' in html
        assert b"Source: " in html

    def test_forecast_citing_evidence_reads_as_an_update_after_the_source(self):
        detail = reverse("predictions:detail", args=[self.prediction.pk])
        html = self.client.get(detail, {"evidence": self.link.pk}).content.decode()
        assert f'<option value="{self.link.pk}" selected>' in html
        self.client.post(
            reverse("predictions:forecast", args=[self.prediction.pk]),
            {"probability": "30", "evidence": self.link.pk, "rationale": "the news"},
        )
        html = self.client.get(detail).content.decode()
        assert "70% → 30%" in html
        assert re.search(
            r"after <a [^>]*>GPT-4<span[^>]*> \(opens in a new tab\)</span></a>: the news", html
        )
