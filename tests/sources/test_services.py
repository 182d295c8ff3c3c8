"""Services: reuse of sources, ownership checks, and the resolving link's stance."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from predictions.services import prediction_resolve
from sources.models import EvidenceLink, Source
from sources.normalise import MSG_URL_SCHEME
from sources.services import (
    MSG_ALREADY_LINKED,
    MSG_LINK_RESOLVES,
    MSG_NOT_YOUR_PREDICTION,
    MSG_NOT_YOUR_SOURCE,
    MSG_URL_OR_SOURCE,
    MSG_URL_TAKEN,
    evidence_link_create,
    evidence_link_delete,
    evidence_link_update,
    source_get_or_create,
    source_update,
)
from tests.predictions.factories import PredictionFactory, UserFactory
from tests.sources.factories import EvidenceLinkFactory, SourceFactory

HEISE = "https://www.heise.de/news/GPT-4-kommt-naechste-Woche-7540183.html"


class SourceGetOrCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory(username="alice")
        cls.bob = UserFactory(username="bob")

    def test_creates_a_normalised_source(self):
        source, created = source_get_or_create(
            owner=self.alice, url=HEISE.upper().replace("HTTPS", "https") + "#comments"
        )
        assert created
        assert source.url.startswith("https://www.heise.de/")
        assert "#" not in source.url

    def test_reuses_the_same_document_spelt_differently(self):
        first, _ = source_get_or_create(owner=self.alice, url=HEISE, title="GPT-4 kommt")
        again, created = source_get_or_create(
            owner=self.alice,
            url=f"HTTPS://WWW.HEISE.DE:443{HEISE[len('https://www.heise.de') :]}"
            "?utm_source=newsletter&fbclid=abc#top",
        )
        assert not created
        assert again.pk == first.pk
        assert Source.objects.filter(owner=self.alice).count() == 1

    def test_reuse_fills_blank_fields_but_keeps_what_the_user_wrote(self):
        _source, _ = source_get_or_create(owner=self.alice, url=HEISE, title="My title")
        again, _ = source_get_or_create(
            owner=self.alice, url=HEISE, title="Fetched title", publisher="heise online"
        )
        again.refresh_from_db()
        assert again.title == "My title"
        assert again.publisher == "heise online"

    def test_never_reuses_another_users_source(self):
        theirs, _ = source_get_or_create(owner=self.alice, url=HEISE, title="Alice's title")
        mine, created = source_get_or_create(owner=self.bob, url=HEISE)
        assert created
        assert mine.pk != theirs.pk
        assert mine.owner == self.bob
        assert mine.title == ""  # nothing of Alice's leaks into Bob's library

    def test_javascript_and_data_urls_are_refused(self):
        for url, scheme in [("javascript:alert(1)", "javascript"), ("data:text/html,x", "data")]:
            with pytest.raises(ValidationError) as info:
                source_get_or_create(owner=self.alice, url=url)
            assert info.value.message_dict == {"url": [MSG_URL_SCHEME.format(scheme=scheme)]}
        assert not Source.objects.exists()

    def test_archive_url_is_checked_too(self):
        with pytest.raises(ValidationError) as info:
            source_get_or_create(owner=self.alice, url=HEISE, archive_url="javascript:alert(1)")
        assert "archive_url" in info.value.message_dict
        assert not Source.objects.exists()

    def test_unknown_field_is_a_programming_error(self):
        with pytest.raises(TypeError):
            source_get_or_create(owner=self.alice, url=HEISE, owner_id=self.bob.pk)


class SourceUpdateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.source = SourceFactory(owner=cls.user, url="https://example.com/a")
        cls.other = SourceFactory(owner=cls.user, url="https://example.com/b")

    def test_updates_and_normalises(self):
        source_update(
            source=self.source, url="HTTPS://EXAMPLE.COM/c?utm_medium=x", title="  New  title "
        )
        self.source.refresh_from_db()
        assert self.source.url == "https://example.com/c"
        assert self.source.title == "New title"

    def test_refuses_a_url_already_in_the_library(self):
        with pytest.raises(ValidationError) as info:
            source_update(source=self.source, url="https://example.com/b#x")
        assert info.value.message_dict == {"url": [MSG_URL_TAKEN]}

    def test_refuses_other_schemes(self):
        with pytest.raises(ValidationError):
            source_update(source=self.source, url="javascript:alert(1)")
        self.source.refresh_from_db()
        assert self.source.url == "https://example.com/a"


class EvidenceLinkCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = UserFactory(username="alice")
        cls.bob = UserFactory(username="bob")
        cls.prediction = PredictionFactory(owner=cls.alice)
        cls.bobs_prediction = PredictionFactory(owner=cls.bob)

    def test_link_from_a_url_creates_the_source(self):
        link = evidence_link_create(
            prediction=self.prediction,
            owner=self.alice,
            url=HEISE,
            stance=EvidenceLink.Stance.SUPPORTS,
            quote=" nächste Woche ",
            note="I doubt it.",
            title="GPT-4 kommt nächste Woche",
        )
        assert link.source.owner == self.alice
        assert link.source.title == "GPT-4 kommt nächste Woche"
        assert link.quote == "nächste Woche"

    def test_pasting_a_library_url_on_another_prediction_reuses_the_source(self):
        first = evidence_link_create(
            prediction=self.prediction, owner=self.alice, url=HEISE, stance="supports"
        )
        other = PredictionFactory(owner=self.alice)
        second = evidence_link_create(
            prediction=other, owner=self.alice, url=HEISE + "?utm_source=x", stance="context"
        )
        assert second.source_id == first.source_id
        assert Source.objects.count() == 1

    def test_the_same_source_twice_on_one_prediction_is_refused(self):
        evidence_link_create(
            prediction=self.prediction, owner=self.alice, url=HEISE, stance="supports"
        )
        with pytest.raises(ValidationError) as info:
            evidence_link_create(
                prediction=self.prediction, owner=self.alice, url=HEISE + "#x", stance="opposes"
            )
        assert info.value.message_dict == {"url": [MSG_ALREADY_LINKED]}

    def test_needs_a_url_or_a_source(self):
        with pytest.raises(ValidationError) as info:
            evidence_link_create(prediction=self.prediction, owner=self.alice, stance="supports")
        assert info.value.message_dict == {"url": [MSG_URL_OR_SOURCE]}

    def test_refuses_another_users_prediction(self):
        with pytest.raises(ValidationError) as info:
            evidence_link_create(
                prediction=self.bobs_prediction, owner=self.alice, url=HEISE, stance="supports"
            )
        assert info.value.messages == [MSG_NOT_YOUR_PREDICTION]
        assert not EvidenceLink.objects.exists()
        assert not Source.objects.exists()

    def test_refuses_another_users_source(self):
        alices = SourceFactory(owner=self.alice)
        with pytest.raises(ValidationError) as info:
            evidence_link_create(
                prediction=self.bobs_prediction, owner=self.bob, source=alices, stance="supports"
            )
        assert info.value.message_dict == {"source": [MSG_NOT_YOUR_SOURCE]}
        assert not EvidenceLink.objects.exists()

    def test_refuses_javascript_url_and_writes_nothing(self):
        with pytest.raises(ValidationError) as info:
            evidence_link_create(
                prediction=self.prediction,
                owner=self.alice,
                url="javascript:alert(1)",
                stance="supports",
            )
        assert info.value.message_dict == {"url": [MSG_URL_SCHEME.format(scheme="javascript")]}
        assert not Source.objects.exists()

    def test_refuses_an_unknown_stance_and_writes_nothing(self):
        with pytest.raises(ValidationError):
            evidence_link_create(
                prediction=self.prediction, owner=self.alice, url=HEISE, stance="maybe"
            )
        assert not EvidenceLink.objects.exists()
        assert not Source.objects.exists()  # atomic: the new source is rolled back too


class ResolvingLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.prediction = PredictionFactory(
            owner=cls.user, created_at=dt.datetime(2023, 3, 6, 9, tzinfo=dt.UTC)
        )
        cls.link = EvidenceLinkFactory(prediction=cls.prediction, stance="context")

    def test_resolving_with_the_link_sets_its_stance(self):
        self._resolve_with_link()
        self.link.refresh_from_db()
        assert self.link.stance == EvidenceLink.Stance.RESOLVES

    def _resolve_with_link(self):
        prediction_resolve(prediction=self.prediction, outcome="yes", evidence=self.link)

    def test_the_resolving_link_cannot_be_removed(self):
        self._resolve_with_link()
        with pytest.raises(ValidationError) as info:
            evidence_link_delete(link=self.link)
        assert info.value.messages == [MSG_LINK_RESOLVES]
        assert EvidenceLink.objects.filter(pk=self.link.pk).exists()

    def test_the_resolving_link_keeps_its_stance(self):
        self._resolve_with_link()
        with pytest.raises(ValidationError) as info:
            evidence_link_update(link=self.link, stance="supports", quote="", note="")
        assert info.value.message_dict == {"stance": [MSG_LINK_RESOLVES]}

    def test_other_links_can_be_removed_and_the_source_stays(self):
        evidence_link_delete(link=self.link)
        assert not EvidenceLink.objects.filter(pk=self.link.pk).exists()
        assert Source.objects.filter(pk=self.link.source_id).exists()

    def test_update(self):
        evidence_link_update(link=self.link, stance="opposes", quote=" q ", note=" n ")
        self.link.refresh_from_db()
        assert (self.link.stance, self.link.quote, self.link.note) == ("opposes", "q", "n")
