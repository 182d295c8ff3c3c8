"""The dashboard's cache is keyed by Profile.data_version, which every write service
replaces in its own transaction (docs/decisions/0021-data-version-kept-by-writes.md):
each write path must give a new version, a refused write none, and a cached page must
show the new data after any of them."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from predictions import services
from predictions.models import Prediction, Profile
from reports.selectors.version import data_version
from sources.services import evidence_link_create, evidence_link_delete, evidence_link_update
from tests.predictions.factories import UserFactory
from tests.reports.test_import import fixture, run

DASHBOARD = reverse("reports:dashboard")
DAY = dt.timedelta(days=1)


def import_fatebook(owner):
    """Fatebook's example file, with Ada's forecasts as the owner's: resolved predictions."""
    result = run(fixture("fatebook.csv"), owner, fatebook_name="Ada Lovelace")
    assert result.ok, result.problems.messages()
    assert result.summary.predictions


def new_prediction(owner, question="Will it?", **kwargs) -> Prediction:
    kwargs.setdefault("resolve_by", timezone.localdate() + 30 * DAY)
    kwargs.setdefault("probability", Decimal("0.3"))
    return services.prediction_create(owner=owner, question=question, **kwargs)


class VersionTests(TestCase):
    def setUp(self):
        self.user = UserFactory()
        self.other = UserFactory()
        self.seen = [data_version(user=self.user)]
        self.others = data_version(user=self.other)

    def changed(self, what: str) -> None:
        version = data_version(user=self.user)
        assert version not in self.seen, f"{what} kept the data version"
        self.seen.append(version)
        assert data_version(user=self.other) == self.others, f"{what} changed another's"

    def unchanged(self, what: str) -> None:
        assert data_version(user=self.user) == self.seen[-1], f"{what} changed the version"

    def test_every_write_path_gives_a_new_version(self):
        topic = services.tags_for_names(owner=self.user, names=["topic"])[0]
        prediction = new_prediction(self.user)
        self.changed("create")
        services.forecast_create(
            prediction=prediction, author=self.user, probability=Decimal("0.4")
        )
        self.changed("forecast")
        services.prediction_update(
            prediction=prediction, question="Will it now?", resolve_by=prediction.resolve_by
        )
        self.changed("edit")
        services.prediction_update(
            prediction=prediction,
            question=prediction.question,
            resolve_by=prediction.resolve_by,
            tags=[topic],
        )
        self.changed("tags added")
        services.prediction_update(
            prediction=prediction, question=prediction.question, resolve_by=prediction.resolve_by
        )
        self.changed("tags removed")
        services.prediction_extend(prediction=prediction, resolve_by=prediction.resolve_by + DAY)
        self.changed("extend")
        link = evidence_link_create(
            prediction=prediction, owner=self.user, stance="supports", url="https://example.org/a"
        )
        self.changed("evidence linked")
        evidence_link_update(link=link, stance="opposes", quote="q", note="n")
        self.changed("evidence edited")
        services.prediction_resolve(prediction=prediction, outcome="yes", evidence=link)
        self.changed("resolve")
        services.prediction_reopen(prediction=prediction)
        self.changed("undo")
        services.prediction_resolve(prediction=prediction, outcome="annulled")
        self.changed("annul")
        services.prediction_reopen(prediction=prediction)
        self.changed("undo again")
        evidence_link_delete(link=link)
        self.changed("evidence removed")
        import_fatebook(self.user)
        self.changed("import")

    def test_a_refused_write_keeps_the_version(self):
        prediction = new_prediction(self.user)
        self.changed("create")
        theirs = new_prediction(self.other)
        self.others = data_version(user=self.other)
        with pytest.raises(ValidationError):
            services.prediction_resolve(
                prediction=prediction, outcome="yes", known_at=timezone.now() + 9 * DAY
            )
        self.unchanged("a resolution known in the future")
        with pytest.raises(ValidationError):
            services.forecast_create(prediction=theirs, author=self.user, probability=Decimal(1))
        self.unchanged("a forecast on another's prediction")
        with pytest.raises(ValidationError):
            evidence_link_create(
                prediction=theirs, owner=self.user, stance="supports", url="https://e.org/b"
            )
        self.unchanged("evidence on another's prediction")
        assert data_version(user=self.other) == self.others
        assert not run(fixture("fatebook.csv"), self.user).ok  # whose forecasts?
        self.unchanged("an import that is refused")

    def test_saving_a_profile_read_before_a_write_keeps_the_new_version(self):
        profile = Profile.objects.get(user=self.user)
        new_prediction(self.user)  # meanwhile, e.g. an import in a worker
        self.changed("create")
        profile.display_name = "Ada"
        profile.save()  # the profile page's form
        self.unchanged("saving the profile")
        assert Profile.objects.get(user=self.user).display_name == "Ada"

    def test_one_indexed_read_and_a_profile_on_first_use(self):
        user = UserFactory()
        Profile.objects.filter(user=user).delete()
        version = data_version(user=user)
        assert Profile.objects.filter(user=user).exists()
        assert data_version(user=user) == version
        with CaptureQueriesContext(connection) as ctx:
            data_version(user=user)
        assert len(ctx.captured_queries) == 1
        assert "predictions_profile" in ctx.captured_queries[0]["sql"]
        # A write before the profile exists makes one, with a version of its own.
        Profile.objects.filter(user=user).delete()
        services.tags_for_names(owner=user, names=["x"])  # no report data: no profile
        new_prediction(user)
        assert data_version(user=user) not in (version, data_version(user=self.user))


class CachedPageTests(TestCase):
    """The page itself, cached between requests, after each kind of write."""

    def setUp(self):
        cache.clear()
        self.user = UserFactory()
        self.client.force_login(self.user)

    def summary(self) -> str:
        html = self.client.get(DASHBOARD).content.decode()
        found = re.search(r"<dt>Predictions</dt><dd>(.*?)</dd>", html, re.S)
        assert found, html
        return re.sub(r"<[^>]+>", "", found.group(1))

    def test_resolve_undo_edit_tags_and_import_show_at_once(self):
        first = new_prediction(self.user, "First")
        second = new_prediction(self.user, "Second")
        assert self.summary().startswith("0 scored, 2 open")
        assert self.summary().startswith("0 scored, 2 open")  # from the cache
        services.prediction_resolve(prediction=first, outcome="yes")
        assert self.summary().startswith("1 scored, 1 open")
        services.prediction_resolve(prediction=second, outcome="annulled")
        assert self.summary() == "1 scored, 0 open, 0 due, 1 annulled (never scored)."
        services.prediction_reopen(prediction=second)
        assert self.summary().startswith("1 scored, 1 open")
        topic = services.tags_for_names(owner=self.user, names=["Weather<script>"])[0]
        services.prediction_update(
            prediction=first, question=first.question, resolve_by=first.resolve_by, tags=[topic]
        )
        html = self.client.get(DASHBOARD).content.decode()
        assert "Weather&lt;script&gt;" in html
        assert "Weather<script>" not in html
        import_fatebook(self.user)
        scored = Prediction.objects.filter(
            owner=self.user, status=Prediction.Status.RESOLVED
        ).count()
        assert scored > 1
        assert self.summary().startswith(f"{scored} scored")

    def test_extending_a_due_prediction_shows_it_no_longer_due(self):
        with time_machine.travel(dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC), tick=False):
            prediction = new_prediction(self.user, resolve_by=dt.date(2025, 1, 12))
        with time_machine.travel(dt.datetime(2025, 1, 20, 12, tzinfo=dt.UTC), tick=False):
            assert self.summary().startswith("0 scored, 1 open, 1 due")
            services.prediction_extend(prediction=prediction, resolve_by=dt.date(2025, 2, 1))
            assert self.summary() == "0 scored, 1 open, 0 due."

    def test_a_forecast_shows_in_the_activity_calendar(self):
        prediction = new_prediction(self.user)

        def forecasts_shown() -> int:
            html = self.client.get(DASHBOARD).content.decode()
            found = re.search(r"(\d+) forecasts? on \d+ days? in the last year", html)
            return int(found.group(1)) if found else 0

        before = forecasts_shown()
        services.forecast_create(
            prediction=prediction, author=self.user, probability=Decimal("0.6")
        )
        assert forecasts_shown() == before + 1
