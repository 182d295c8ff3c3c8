"""“Your words, calibrated”: for each phrase typed for a final yes/no forecast,
how often such predictions came true, with a Wilson interval, beside what the phrase
usually means."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from predictions.models import Forecast
from predictions.probability import phrase_meaning
from reports.dashboard.numbers import compute_numbers
from reports.dashboard.words import WordRow, _is_words, _phrase_key
from reports.scoring.calibration import wilson_interval
from reports.selectors.scored import scored_predictions
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, resolved

DAY = dt.timedelta(days=1)
DASHBOARD = reverse("reports:dashboard")


def said(owner, phrase: str, probability: str, *, came_true: bool, earlier: str = ""):
    """A resolved yes/no prediction whose final forecast was typed as `phrase`; with
    `earlier`, a first forecast typed that way (which is not the final one)."""
    prediction = resolved(
        owner,
        [(T0, "0.5"), (T0 + DAY, probability)],
        outcome=came_true,
        known_at=T0 + 3 * DAY,
    )
    first, final = prediction.forecasts.order_by("created_at")
    Forecast.objects.filter(pk=final.pk).update(phrase=phrase)
    Forecast.objects.filter(pk=first.pk).update(phrase=earlier)
    return prediction


def words_of(user) -> list[WordRow]:
    numbers = compute_numbers(scored_predictions(user=user, every_kind=True), dt.UTC)
    return numbers.words


class WordsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        for came_true in (True, True, True, False):
            said(cls.user, "likely", "0.75", came_true=came_true)
        said(cls.user, "  Likely ", "0.75", came_true=True)  # the same phrase
        for _ in range(3):
            said(cls.user, "1 in 20", "0.05", came_true=False)
        for i in range(10):
            said(cls.user, "almost certain", "0.95", came_true=i < 2)
        said(cls.user, "good bet", "0.8", came_true=True)  # words no longer in the table
        # Numbers typed as numbers, and phrases that were not the final forecast, or were
        # made after the outcome was known, do not count.
        said(cls.user, "70%", "0.7", came_true=True)
        said(cls.user, "", "0.3", came_true=True, earlier="tiny chance")
        late = resolved(
            cls.user, [(T0, "0.4"), (T0 + 9 * DAY, "0.99")], outcome=True, known_at=T0 + DAY
        )
        Forecast.objects.filter(prediction=late, created_at__gt=T0).update(phrase="remote chance")

    def test_rows(self):
        rows = {w.phrase: w for w in words_of(self.user)}
        assert list(rows) == ["1 in 20", "likely", "almost certain", "good bet"]  # by meaning
        likely = rows["likely"]
        assert (likely.n, likely.hits, likely.meaning_pct) == (5, 4, 75.0)
        low, high = wilson_interval(4, 5)
        assert likely.low_pct == pytest.approx(100 * float(low))
        assert likely.high_pct == pytest.approx(100 * float(high))
        assert likely.observed_pct == pytest.approx(80)
        assert likely.verdict == ""
        odds = rows["1 in 20"]
        assert (odds.n, odds.hits) == (3, 0)
        assert odds.meaning_pct == pytest.approx(float(phrase_meaning("1 in 20")) * 100)
        certain = rows["almost certain"]
        assert (certain.n, certain.hits, certain.meaning_pct) == (10, 2, 95.0)
        assert certain.verdict == "less often"
        assert certain.sentence == (
            "When you said “almost certain” (usually read as 95%), it came true 2 of 10 times "
            "(20%; 95% CI 6–51%): less often than the phrase usually means."
        )
        unknown = rows["good bet"]
        assert unknown.meaning_pct is None
        assert unknown.verdict == ""

    def test_page(self):
        cache.clear()
        self.client.force_login(self.user)
        html = self.client.get(DASHBOARD).content.decode()
        section = html[html.index('id="words-heading"') : html.index('id="dates-heading"')]
        assert '<th scope="row">“likely”</th>' in section
        assert "less often than the phrase usually means" in section
        assert "“70%”" not in section
        assert "tiny chance" not in section
        assert "remote chance" not in section

    def test_empty_state(self):
        user = UserFactory()
        resolved(user, [(T0, "0.3")], outcome=False, known_at=T0 + DAY)
        assert words_of(user) == []
        cache.clear()
        self.client.force_login(user)
        html = self.client.get(DASHBOARD).content.decode()
        assert "No scored forecast of yours was given in words yet" in html

    def test_phrases_are_escaped(self):
        user = UserFactory()
        said(user, "<script>alert(1)</script> likely", "0.7", came_true=True)
        cache.clear()
        self.client.force_login(user)
        html = self.client.get(DASHBOARD).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "“&lt;script&gt;alert(1)&lt;/script&gt; likely”" in html

    def test_not_in_words_without_every_kind(self):
        """The default (yes/no only) selector output has no phrases: no words rows."""
        numbers = compute_numbers(scored_predictions(user=self.user), dt.UTC)
        assert numbers.words == []
        assert numbers.n_scored == len(scored_predictions(user=self.user).predictions)


def test_phrase_key_groups_table_phrases():
    assert _phrase_key("Very  Likely!") == "very likely"
    assert _phrase_key("1 In 20") == "1 in 20"
    assert _is_words("3:1")
    assert _is_words("likely")
    assert not _is_words("70%")
    assert not _is_words("~5%")
    assert phrase_meaning("likely") == Decimal("0.750")
