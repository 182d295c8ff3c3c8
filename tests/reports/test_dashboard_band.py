"""The reliability diagram's consistency band is drawn with the chart, not with the page's
numbers: it must be the very band `corp` would have drawn with the scores."""

import numpy as np

from reports.scoring.calibration import consistency_band, corp


def test_band_drawn_later_equals_the_band_drawn_with_the_scores():
    rng = np.random.default_rng(3)
    p = np.round(rng.random(500), 2)
    y = (rng.random(500) < p).astype(float)
    full = corp(p, y, n_boot=100, seed=0)
    scores_only = corp(p, y, n_boot=0)
    assert scores_only.lower.size == 0
    assert scores_only.upper.size == 0
    assert np.array_equal(scores_only.recalibrated, full.recalibrated)
    assert scores_only.mcb == full.mcb
    assert scores_only.dsc == full.dsc
    lower, upper = consistency_band(scores_only.x, scores_only.counts, n_boot=100, seed=0)
    assert np.array_equal(lower, full.lower)
    assert np.array_equal(upper, full.upper)
