"""predictions.community against independent computations: scipy.stats.gmean on the odds
and the option probabilities, statistics.median on hand-built data."""

import math
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from scipy.stats import gmean

from predictions import community


def odds_pool(probabilities):
    """The geometric mean of odds, computed independently with scipy."""
    clamped = [min(max(p, 0.001), 0.999) for p in probabilities]
    odds = gmean([p / (1 - p) for p in clamped])
    return odds / (1 + odds)


@pytest.mark.parametrize(
    "probabilities",
    [[0.7], [0.1, 0.9], [0.2, 0.35, 0.9], [0.05, 0.05, 0.6, 0.99], [0.5, 0.5]],
)
def test_binary_is_the_geometric_mean_of_the_odds(probabilities):
    pooled = community.binary(probabilities)
    assert pooled.probability == pytest.approx(odds_pool(probabilities), abs=1e-12)
    assert pooled.median == pytest.approx(statistics.median(probabilities))
    assert pooled.forecasters == len(probabilities)


def test_binary_worked_examples():
    # Symmetric odds cancel: 10% and 90% pool to even odds, their median too.
    assert community.binary([0.1, 0.9]).probability == pytest.approx(0.5)
    # 1% and 50%: log-odds −4.595 and 0 average to −2.298, i.e. 9.1% (not 25.5%).
    assert community.binary([0.01, 0.5]).probability == pytest.approx(0.0913, abs=1e-4)
    # Odds 1:3 and 3:1 and 1:1 (25%, 75%, 50%) → geometric mean of odds 1 → 50%.
    assert community.binary([0.25, 0.75, 0.5]).probability == pytest.approx(0.5)


def test_one_forecaster_is_their_own_community():
    pooled = community.binary([0.7])
    assert pooled.probability == pytest.approx(0.7)
    assert pooled.median == pytest.approx(0.7)
    assert pooled.forecasters == 1


def test_certainty_is_clamped_so_it_cannot_decide_alone():
    # Unclamped, 0% would give odds 0 and pool to 0% whatever the others said.
    pooled = community.binary([0.0, 0.8])
    assert 0 < pooled.probability < 0.8
    assert pooled.probability == pytest.approx(odds_pool([0.001, 0.8]))
    assert community.binary([1.0, 1.0]).probability == pytest.approx(0.999)
    assert community.binary([0.0]).probability == pytest.approx(0.001)
    assert community.binary([0.0, 1.0]).probability == pytest.approx(0.5)
    assert pooled.median == pytest.approx(0.4)  # the median uses the stated numbers


def test_nobody_means_no_community():
    assert community.binary([]) is None
    assert community.choice([]) is None
    assert community.dates([]) is None


def test_choice_is_the_normalised_geometric_mean_per_option():
    rows = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.25, 0.25]]
    pooled = community.choice(rows)
    means = gmean(rows, axis=0)
    expected = means / means.sum()
    assert pooled.probabilities == pytest.approx(tuple(expected))
    assert sum(pooled.probabilities) == pytest.approx(1)
    assert pooled.forecasters == 3


def test_choice_with_a_zero_option_keeps_it_alive():
    pooled = community.choice([[1.0, 0.0], [0.5, 0.5]])
    means = gmean([[0.999, 0.001], [0.5, 0.5]], axis=0)
    assert pooled.probabilities == pytest.approx(tuple(means / means.sum()))
    assert pooled.probabilities[1] > 0


def test_choice_of_one_forecaster_is_their_forecast():
    assert community.choice([[0.2, 0.3, 0.5]]).probabilities == pytest.approx((0.2, 0.3, 0.5))


def test_dates_take_the_median_of_each_level():
    d = date(2027, 1, 1)
    forecasts = [
        {0.1: d, 0.5: d + timedelta(days=10), 0.9: d + timedelta(days=40)},
        {0.1: d + timedelta(days=5), 0.5: d + timedelta(days=20), 0.9: d + timedelta(days=30)},
        {0.1: d + timedelta(days=1), 0.5: d + timedelta(days=12), 0.9: d + timedelta(days=90)},
    ]
    pooled = community.dates(forecasts)
    for level, day in pooled.quantiles:
        expected = statistics.median(f[level].toordinal() for f in forecasts)
        assert day == date.fromordinal(int(expected))
    assert [level for level, _ in pooled.quantiles] == [0.1, 0.5, 0.9]
    assert pooled.quantiles[1][1] == d + timedelta(days=12)
    assert pooled.forecasters == 3


def test_dates_ties_and_an_even_count_round_to_the_earlier_day():
    d = date(2027, 6, 1)
    two = [{0.1: d, 0.5: d, 0.9: d + timedelta(days=3)}, {0.1: d, 0.5: d + timedelta(days=1)}]
    pooled = community.dates(two)
    # Only the levels both gave; 0.5's middle is half a day after d: rounded down.
    assert pooled.quantiles == ((0.1, d), (0.5, d))
    low = statistics.median_low([d.toordinal(), (d + timedelta(days=1)).toordinal()])
    assert pooled.quantiles[1][1].toordinal() == low


def test_history_pools_each_forecasters_latest_after_every_forecast():
    t0 = datetime(2027, 1, 1, tzinfo=UTC)
    forecasts = [
        (t0, "ann", 0.2),
        (t0 + timedelta(hours=1), "bob", 0.8),
        (t0 + timedelta(hours=2), "ann", 0.6),  # replaces ann's 20%
    ]
    steps = community.history(forecasts, community.binary)
    assert [when for when, _ in steps] == [f[0] for f in forecasts]
    assert steps[0][1].probability == pytest.approx(0.2)
    assert steps[1][1].probability == pytest.approx(odds_pool([0.2, 0.8]))
    assert steps[2][1].probability == pytest.approx(odds_pool([0.6, 0.8]))
    assert [pooled.forecasters for _, pooled in steps] == [1, 2, 2]
    assert not math.isnan(steps[2][1].median)
