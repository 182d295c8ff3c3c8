"""The prediction list's bucket filter: exactly the predictions the dashboard's bucket
table counts in a bucket, from `?p=` or a range typed in the search box."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from predictions.buckets import BucketRange, is_range_search, parse_range
from predictions.models import DateQuantile, Forecast, Option, OptionProbability, Prediction
from reports.scoring import calibration
from reports.selectors.scored import scored_predictions
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, open_prediction, resolved

DAY = dt.timedelta(days=1)
LIST = reverse("predictions:list")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [("90", 9, 9), ("90%", 9, 9), ("20-80", 2, 8), ("20%-80%", 2, 8), (" 0 % – 100 % ", 0, 10)],
)
def test_ranges_parse(text, first, last):
    assert parse_range(text) == BucketRange(first, last)


@pytest.mark.parametrize("text", ["", "95", "80-20", "110", "abc", "20-", "1000"])
def test_non_ranges_are_refused(text):
    assert parse_range(text) is None


def test_only_percent_signs_make_a_search_a_range():
    assert (is_range_search("90%"), is_range_search("90"), is_range_search("90% sure")) == (
        True,
        False,
        False,
    )


def test_bounds_are_the_scoring_packages_edges():
    r = BucketRange(2, 8)
    assert (r.low, r.high, r.closed) == (
        int(calibration.BUCKET_LOWER[2]),
        int(calibration.BUCKET_UPPER[8]),
        False,
    )


def _choice(owner, probabilities, *, late=None):
    """A resolved multiple-choice prediction whose final forecast gives `probabilities`;
    `late`, if given, is a later forecast made after the outcome was known."""
    p = Prediction.objects.create(
        owner=owner,
        question="Which one?",
        resolve_by=(T0 + 10 * DAY).date(),
        created_at=T0,
        kind=Prediction.Kind.MULTIPLE_CHOICE,
        status=Prediction.Status.RESOLVED,
        known_at=T0 + 10 * DAY,
        resolved_at=T0 + 10 * DAY,
    )
    options = [Option.objects.create(prediction=p, label=f"o{i}", position=i) for i in range(3)]
    p.outcome_option = options[0]
    p.save()
    for when, probs in ((T0 + DAY, probabilities), (T0 + 20 * DAY, late)):
        if probs is None:
            continue
        f = Forecast.objects.create(prediction=p, author_id=p.owner_id, created_at=when)
        for option, prob in zip(options, probs, strict=True):
            OptionProbability.objects.create(forecast=f, option=option, probability=Decimal(prob))
    return p


def _date(owner):
    p = Prediction.objects.create(
        owner=owner,
        question="When?",
        resolve_by=(T0 + 100 * DAY).date(),
        created_at=T0,
        kind=Prediction.Kind.DATE,
        status=Prediction.Status.RESOLVED,
        known_at=T0 + 50 * DAY,
        resolved_at=T0 + 50 * DAY,
        outcome_date=(T0 + 50 * DAY).date(),
    )
    f = Forecast.objects.create(prediction=p, author_id=p.owner_id, created_at=T0 + DAY)
    for level, days in (("0.100", 20), ("0.500", 40), ("0.900", 80)):
        DateQuantile.objects.create(
            forecast=f, level=Decimal(level), value=(T0 + days * DAY).date()
        )
    return p


class BucketFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        u = cls.user
        # Edges: 0.149 is in 10%, 0.150 in 20%; 0.949 in 90%, 0.950 and 1 in 100%.
        for i, p in enumerate(["0.000", "0.049", "0.050", "0.149", "0.150", "0.5", "0.849"]):
            resolved(u, [(T0 + i * DAY, p)], outcome=i % 2 == 0, known_at=T0 + 30 * DAY)
        for p in ("0.850", "0.949", "0.950", "1.000"):
            resolved(u, [(T0, p)], outcome=True, known_at=T0 + 40 * DAY)
        # The final forecast counts, not the latest: a late one says 0.9, the final 0.3.
        resolved(
            u, [(T0, "0.300"), (T0 + 60 * DAY, "0.900")], outcome=False, known_at=T0 + 50 * DAY
        )
        # All forecasts late: unscorable, in no bucket.
        resolved(u, [(T0 + 90 * DAY, "0.300")], outcome=False, known_at=T0 + 80 * DAY)
        resolved(u, [(T0, "0.300")], outcome=False, known_at=T0 + DAY, status="annulled")
        open_prediction(u, resolve_by=dt.date(2030, 1, 1), probability="0.300")
        _choice(u, ["0.600", "0.300", "0.100"], late=["0.900", "0.050", "0.050"])
        _date(u)
        other = UserFactory()
        resolved(other, [(T0, "0.300")], outcome=False, known_at=T0 + DAY)

    def setUp(self):
        self.client.force_login(self.user)

    def listed(self, **params) -> set[int]:
        response = self.client.get(LIST, params)
        assert response.status_code == 200
        return {p.pk for p in response.context["page"].object_list}

    def counted(self, first: int, last: int) -> set[int]:
        """The predictions with a calibration point in buckets first–last, by the
        scoring package's own bucket rule."""
        points = scored_predictions(user=self.user, every_kind=True).points
        per_mille = (points["probability"] * 1000).round().astype(int)
        index = per_mille.map(lambda m: int((m + 50) // 100))
        table = calibration.buckets(points["probability"], points["outcome"])
        assert table["count"][first : last + 1].sum() == index.between(first, last).sum()
        return set(points.loc[index.between(first, last), "prediction_id"].astype(int))

    def test_every_single_bucket_lists_what_it_counts(self):
        for b in range(11):
            with self.subTest(bucket=b * 10):
                assert self.listed(p=str(b * 10)) == self.counted(b, b)

    def test_ranges_list_what_they_count(self):
        for first, last in ((2, 8), (0, 10), (9, 10), (0, 1)):
            with self.subTest(first=first, last=last):
                assert self.listed(p=f"{first * 10}-{last * 10}") == self.counted(first, last)

    def test_typed_in_search(self):
        assert self.listed(q="20%-80%") == self.counted(2, 8)
        assert self.listed(q="90%") == self.counted(9, 9)

    def test_a_plain_number_still_searches_words(self):
        assert self.listed(q="90") == set()

    def test_final_forecast_counts_and_late_ones_do_not(self):
        late = Prediction.objects.get(known_at=T0 + 50 * DAY, kind="binary")
        assert (late.pk in self.listed(p="30"), late.pk in self.listed(p="90")) == (True, False)

    def test_resolution_dates_narrow_it(self):
        day = (T0 + 40 * DAY).date()
        listed = self.listed(p="0-100", resolved_from=day.isoformat(), resolved_to=day.isoformat())
        assert listed == set(
            Prediction.objects.filter(owner=self.user, known_at=T0 + 40 * DAY).values_list(
                "pk", flat=True
            )
        )

    def test_the_page_says_what_it_shows(self):
        html = self.client.get(LIST, {"p": "20-80"}).content.decode()
        assert "final forecast falls in the 20%–80% buckets" in html
