"""Tests of reports.scoring against published figures, scikit-learn, SciPy and hand sums.

No database: these run with `-p no:django`. Reference data and its provenance are in
tests/data/README.md.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest
from sklearn.metrics import brier_score_loss
from sklearn.metrics import log_loss as sk_log_loss

from reports.scoring.calibration import (
    bucket_findings,
    buckets,
    corp,
    spiegelhalter,
    wilson_interval,
)
from reports.scoring.rules import (
    brier,
    brier_multi,
    interval_hit,
    interval_score,
    log_loss,
    log_loss_binary,
    pinball_loss,
    weighted_interval_score,
)
from reports.scoring.summaries import summarise
from tests.reports.oracle import score_forecast_history, time_weights
from tests.strict_warnings import STRICT_WARNINGS

pytestmark = STRICT_WARNINGS  # no Runtime/Deprecation warnings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"

# Small hand-checkable vector from tests/data/README.md.
SMALL_P = np.array([0.9, 0.8, 0.7, 0.7, 0.6, 0.3, 0.2, 0.1, 0.5, 0.95])
SMALL_Y = np.array([1, 1, 0, 1, 1, 0, 0, 0, 1, 1])

probability = st.integers(0, 1000).map(lambda k: k / 1000)  # stored as 3 decimals
forecasts = st.lists(st.tuples(probability, st.integers(0, 1)), min_size=1, max_size=200).map(
    lambda rows: (np.array([r[0] for r in rows]), np.array([r[1] for r in rows]))
)


def test_import_loads_no_django():
    code = (
        "import sys; import reports.scoring.kinds, reports.scoring.calibration, "
        "reports.scoring.summaries; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --- Published CORP figures (reliabilitydiag, precip_Niamey_2016) --------------------


@pytest.fixture(scope="module")
def niamey():
    return pd.read_csv(DATA / "precip_Niamey_2016.csv")


@pytest.mark.parametrize(
    ("method", "s", "mcb", "dsc", "unc"),
    [
        ("Logistic", 0.206, 0.0171, 0.0555, 0.244),
        ("EMOS", 0.232, 0.0183, 0.0305, 0.244),
        ("ENS", 0.266, 0.0661, 0.0441, 0.244),
        ("EPC", 0.234, 0.0223, 0.0323, 0.244),
    ],
)
def test_corp_matches_published_niamey(niamey, method, s, mcb, dsc, unc):
    r = corp(niamey[method], niamey["obs"])
    # Tolerance: half a unit in the last published digit (3 significant figures).
    assert r.score == pytest.approx(s, abs=5e-4)
    assert r.mcb == pytest.approx(mcb, abs=5e-5)
    assert r.dsc == pytest.approx(dsc, abs=5e-5)
    assert r.unc == pytest.approx(unc, abs=5e-4)


def test_corp_emos_to_six_decimals(niamey):
    r = corp(niamey["EMOS"], niamey["obs"])
    assert [r.score, r.mcb, r.dsc, r.unc] == pytest.approx(
        [0.232025, 0.018283, 0.030469, 0.244211], abs=5e-7
    )


# --- Small vector ---------------------------------------------------------------------


def test_small_vector_scores():
    assert brier(SMALL_P, SMALL_Y).mean() == pytest.approx(0.11825, abs=1e-12)
    assert log_loss_binary(SMALL_P, SMALL_Y).mean() == pytest.approx(0.38296, abs=5e-6)


def test_small_vector_corp():
    r = corp(SMALL_P, SMALL_Y)
    assert r.x == pytest.approx([0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95], abs=1e-12)
    assert r.recalibrated == pytest.approx([0, 0, 0, 0.75, 0.75, 0.75, 1, 1, 1], abs=1e-12)
    assert [r.mcb, r.dsc, r.unc] == pytest.approx([0.04325, 0.165, 0.24], abs=1e-12)


def test_small_vector_spiegelhalter():
    result = spiegelhalter(SMALL_P, SMALL_Y)
    assert result.z == pytest.approx(-0.788, abs=5e-4)
    assert result.p_value == pytest.approx(0.431, abs=5e-4)


def test_spiegelhalter_zero_variance_is_nan():
    result = spiegelhalter([0.0, 0.5, 1.0], [0, 1, 1])
    assert np.isnan(result.z)
    assert np.isnan(result.p_value)


# --- Agreement with scikit-learn ------------------------------------------------------


@given(forecasts)
def test_brier_matches_sklearn(data):
    p, y = data
    assert brier(p, y).mean() == pytest.approx(brier_score_loss(y, p, labels=[0, 1]), abs=1e-12)


@given(forecasts)
def test_log_loss_matches_sklearn_on_clipped_probabilities(data):
    p, y = data
    clipped = np.clip(p, 0.001, 0.999)
    assert log_loss_binary(p, y).mean() == pytest.approx(
        sk_log_loss(y, clipped, labels=[0, 1]), abs=1e-9
    )


# --- Scoring rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p_true", "expected"),
    [(1.0, -np.log(0.999)), (0.5, np.log(2)), (0.0, np.log(1000)), (0.0005, np.log(1000))],
)
def test_log_loss_clips(p_true, expected):
    assert log_loss(p_true) == pytest.approx(expected, abs=1e-12)


def test_brier_multi_hand_value():
    assert brier_multi([[0.5, 0.3, 0.2]], [[0, 1, 0]]) == pytest.approx([0.39], abs=1e-12)


@given(forecasts)
def test_brier_multi_with_two_options_equals_binary(data):
    p, y = data
    two_p, two_y = np.column_stack([p, 1 - p]), np.column_stack([y, 1 - y])
    assert brier_multi(two_p, two_y) == pytest.approx(brier(p, y), abs=1e-12)


@given(forecasts)
def test_brier_bounds_and_perfect_forecaster(data):
    p, y = data
    scores = brier(p, y)
    assert np.all((scores >= 0) & (scores <= 1))
    assert np.all(brier(y, y) == 0)


@pytest.mark.parametrize(("p", "y"), [([1.2], [1]), ([-0.1], [0]), ([np.nan], [1]), ([0.5], [2])])
def test_bad_input_is_rejected(p, y):
    with pytest.raises(ValueError, match=r"must lie in|must be 0 or 1"):
        brier(p, y)


# --- CORP properties -----------------------------------------------------------------


@settings(max_examples=50)
@given(forecasts)
def test_corp_decomposition_properties(data):
    p, y = data
    r = corp(p, y, n_boot=20)
    assert r.score == pytest.approx(r.mcb - r.dsc + r.unc, abs=1e-12)
    assert r.mcb >= -1e-12
    assert r.dsc >= -1e-12
    assert np.all(np.diff(r.recalibrated) >= -1e-12)
    assert np.all(r.lower <= r.upper)
    assert np.all((r.lower >= 0) & (r.upper <= 1))


def test_corp_band_is_reproducible_and_contains_calibrated_values(niamey):
    a = corp(niamey["EMOS"], niamey["obs"], seed=7)
    b = corp(niamey["EMOS"], niamey["obs"], seed=7)
    assert np.array_equal(a.lower, b.lower)
    assert np.array_equal(a.upper, b.upper)
    # The band is built around the diagonal: most forecast values lie inside their own band.
    assert np.mean((a.lower <= a.x) & (a.x <= a.upper)) > 0.8


def test_corp_empty_and_single_point():
    empty = corp([], [])
    assert len(empty.x) == 0
    assert np.isnan(empty.score)
    single = corp([0.3], [1])
    assert single.recalibrated == pytest.approx([1.0])
    assert [single.score, single.mcb, single.dsc, single.unc] == pytest.approx(
        [0.49, 0.49, 0.0, 0.0], abs=1e-12
    )


# --- Which forecast counts -----------------------------------------------------------

T0 = np.datetime64("2024-03-01T00:00", "ns")
HOUR = np.timedelta64(1, "h")


def hours(*hs):
    return np.array([T0 + h * HOUR for h in hs])


@pytest.mark.parametrize(
    ("at", "probs", "known", "y", "final_p", "b_final", "b_avg", "n_late"),
    [
        # 0.3 stood 6 h, 0.7 stood 2 h; the 10 h forecast is late.
        ((0, 6, 10), (0.3, 0.7, 1.0), 8, 1, 0.7, 0.09, (6 * 0.49 + 2 * 0.09) / 8, 1),
        # A forecast exactly at known_at counts as final but stood for no time.
        ((0, 8), (0.3, 0.9), 8, 1, 0.9, 0.01, 0.49, 0),
        # A single forecast at known_at: zero span, so time average = final.
        ((8,), (0.6,), 8, 0, 0.6, 0.36, 0.36, 0),
        # All at one instant: the later-listed one stands.
        ((2, 2), (0.2, 0.4), 8, 0, 0.4, 0.16, 0.16, 0),
        # Input order does not matter.
        ((6, 10, 0), (0.7, 1.0, 0.3), 8, 1, 0.7, 0.09, (6 * 0.49 + 2 * 0.09) / 8, 1),
    ],
)
def test_score_forecast_history(at, probs, known, y, final_p, b_final, b_avg, n_late):
    s = score_forecast_history(hours(*at), np.array(probs), y, T0 + known * HOUR)
    assert s.final_probability == final_p
    assert probs[s.final_index] == final_p
    assert s.brier_final == pytest.approx(b_final, abs=1e-12)
    assert s.brier_time_avg == pytest.approx(b_avg, abs=1e-12)
    assert s.log_loss_final == pytest.approx(-np.log(final_p if y else 1 - final_p), abs=1e-12)
    assert s.n_late == n_late


def test_all_late_is_unscorable():
    assert score_forecast_history(hours(9, 10), np.array([0.5, 0.6]), 1, T0 + 8 * HOUR) is None
    with pytest.raises(ValueError, match="after known_at"):
        time_weights(hours(9, 10), T0 + 8 * HOUR)


def test_first_time_starts_the_span_later():
    # From 4 h: 0.3 stands 2 h, 0.7 stands 2 h.
    s = score_forecast_history(hours(0, 6), np.array([0.3, 0.7]), 1, T0 + 8 * HOUR, T0 + 4 * HOUR)
    assert s.brier_time_avg == pytest.approx((0.49 + 0.09) / 2, abs=1e-12)


def test_time_weights_average_any_score():
    w = time_weights(hours(0, 6, 10), T0 + 8 * HOUR)
    assert w == pytest.approx([0.75, 0.25, 0.0], abs=1e-12)
    multi = brier_multi([[0.2, 0.8], [0.6, 0.4], [0, 1]], [[0, 1]] * 3)
    assert w @ multi == pytest.approx(0.75 * 0.04 + 0.25 * 0.36, abs=1e-12)


# --- Per-user summary ----------------------------------------------------------------


def test_summarise_hand_values():
    s = summarise([0.09, 0.25, 0.01, 0.64], [0.1, 0.2, 0.1, 0.5], [1, 2, 3, 4], [1, 0, 1, 1],
                  [0.7, 0.5, 0.9, 0.2])  # fmt: skip
    assert s.n == 4
    assert s.brier == pytest.approx(0.2475, abs=1e-12)
    assert s.brier_time_avg == pytest.approx(0.225, abs=1e-12)
    assert s.log_loss == pytest.approx(2.5, abs=1e-12)
    assert s.base_rate == pytest.approx(0.75, abs=1e-12)
    assert s.mean_forecast == pytest.approx(0.575, abs=1e-12)
    assert s.brier_base_rate == pytest.approx(0.1875, abs=1e-12)
    assert s.skill == pytest.approx(1 - 0.2475 / 0.1875, abs=1e-12)


@pytest.mark.parametrize(("outcomes", "n"), [([1, 1], 2), ([], 0)])
def test_summarise_without_base_rate_variation_has_no_skill(outcomes, n):
    values = [0.1] * n
    s = summarise(values, values, values, outcomes, values)
    assert s.n == n
    assert s.skill is None


# --- Buckets and findings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "centre"),
    [
        (0.0, 0.0),
        (0.049, 0.0),
        (0.05, 0.1),
        (0.15, 0.2),
        (0.1 + 0.05, 0.2),  # 0.15000000000000002
        (0.1499999, 0.2),  # 0.150 once stored to 3 decimals
        (0.149, 0.1),
        (0.35, 0.4),
        (0.45, 0.5),
        (0.7, 0.7),
        (0.85, 0.9),
        (0.949, 0.9),
        (0.95, 1.0),
        (1.0, 1.0),
    ],
)
def test_bucket_edges(p, centre):
    table = buckets([p], [1])
    assert table.loc[table["count"] == 1, "centre"].item() == pytest.approx(centre)


def test_bucket_table_shape_and_edges():
    table = buckets(SMALL_P, SMALL_Y)
    assert table["centre"].tolist() == pytest.approx([k / 10 for k in range(11)])
    assert table["lower"].tolist() == pytest.approx([0, *[k / 10 - 0.05 for k in range(1, 11)]])
    assert table["upper"].tolist() == pytest.approx([*[k / 10 + 0.05 for k in range(10)], 1.0])
    empty = table[table["count"] == 0]
    assert empty[["mean_forecast", "observed", "wilson_low", "wilson_high"]].isna().all().all()
    row = table.set_index("centre").loc[0.7]
    assert (row["count"], row["hits"], row["observed"]) == (2, 1, 0.5)


@given(forecasts)
def test_buckets_lose_nothing(data):
    p, y = data
    table = buckets(p, y)
    assert table["count"].sum() == len(p)
    assert table["hits"].sum() == y.sum()


@pytest.mark.parametrize(("hits", "n"), [(8, 13), (0, 5), (5, 5), (1, 1), (37, 120)])
def test_wilson_matches_scipy(hits, n):
    ci = binomtest(hits, n).proportion_ci(method="wilson")
    low, high = wilson_interval(hits, n)
    assert (low, high) == pytest.approx((ci.low, ci.high), abs=1e-6)


def test_wilson_empty_is_nan():
    assert np.isnan(wilson_interval(0, 0)).all()


def test_finding_sentence():
    table = buckets([0.9] * 13, [1] * 8 + [0] * 5)
    [finding] = bucket_findings(table)
    assert finding.direction == "overconfident"
    assert finding.sentence == (
        "Your 90% predictions came true 8 of 13 times (62%; 95% CI 36–82%): "
        "you are overconfident there."
    )


@pytest.mark.parametrize(
    ("p", "hits", "n", "direction"),
    [
        (0.9, 11, 12, None),  # interval contains 90%
        (0.9, 100, 100, "underconfident"),
        (0.1, 0, 100, "underconfident"),
        (0.1, 30, 100, "overconfident"),
        (0.7, 4, 20, "overconfident"),  # wrong side of 50%
        (0.5, 45, 50, "underconfident"),
    ],
)
def test_finding_direction(p, hits, n, direction):
    findings = bucket_findings(buckets([p] * n, [1] * hits + [0] * (n - hits)))
    assert [f.direction for f in findings] == ([direction] if direction else [])


# --- Date quantile forecasts ---------------------------------------------------------

LEVELS, QUANTILES = [0.1, 0.5, 0.9], [30, 60, 120]


@pytest.mark.parametrize(
    ("y", "pinball", "score", "wis", "hit"),
    [(75, [4.5, 7.5, 4.5], 90.0, 11.0, True), (140, [11.0, 40.0, 18.0], 290.0, 46.0, False)],
)
def test_date_scores(y, pinball, score, wis, hit):
    assert pinball_loss(QUANTILES, LEVELS, y) == pytest.approx(pinball, abs=1e-12)
    assert interval_score(30, 120, 0.2, y) == pytest.approx(score, abs=1e-12)
    assert weighted_interval_score(LEVELS, QUANTILES, y) == pytest.approx(wis, abs=1e-12)
    assert interval_hit(30, 120, y) == hit


def test_wis_needs_median():
    with pytest.raises(ValueError, match="needs the median"):
        weighted_interval_score([0.1, 0.9], [30, 120], 75)


# --- Comparisons with simple forecasters and the rolling mean -------------------------


def test_compare_is_paired_and_says_better_only_when_the_interval_excludes_zero():
    from reports.scoring.summaries import compare

    clear = compare([0.01, 0.04, 0.02, 0.03], [0.25] * 4)
    close = compare([0.20, 0.30], [0.25, 0.25])
    assert (clear.verdict, round(clear.difference, 3), close.verdict) == (
        "better",
        -0.225,
        "too close to call",
    )


def test_compare_with_one_prediction_cannot_call_it():
    from reports.scoring.summaries import compare

    assert compare([0.0], [0.25]).verdict == "too close to call"


def test_compare_simple_uses_the_base_rate_brier_per_prediction():
    from reports.scoring.summaries import compare_simple

    half, base = compare_simple([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])
    # ȳ = 0.25: (0.25 − 1)² = 0.5625 once, 0.0625 three times, mean 0.1875 = ȳ(1 − ȳ).
    assert (half.reference, base.reference, half.difference) == (0.25, 0.1875, 0.0)


def test_rolling_mean():
    from reports.scoring.summaries import rolling_mean

    assert rolling_mean([1, 2, 3, 4], 2).tolist() == [1.5, 2.5, 3.5]
    assert rolling_mean([1, 2], 3).tolist() == []
