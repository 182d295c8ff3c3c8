"""Scoring rules on plain arrays (docs/design.md §4): Brier, log loss, pinball loss,
interval score and the weighted interval score.

Conventions: probabilities are floats in [0, 1]; outcomes are 0/1; Brier is the 0–1
convention; log loss is in nats with probabilities clipped to [0.001, 0.999]; date
forecasts are in days.
"""

from __future__ import annotations

import numpy as np

LOG_LOSS_CLIP = (0.001, 0.999)


def check_probabilities(p) -> np.ndarray:
    """`p` as a float array, or ValueError unless every value lies in [0, 1]."""
    p = np.asarray(p, dtype=float)
    if not np.all((p >= 0) & (p <= 1)):  # also rejects NaN
        raise ValueError("probabilities must lie in [0, 1]")
    return p


def check_outcomes(y) -> np.ndarray:
    """`y` as a float array, or ValueError unless every value is 0 or 1."""
    y = np.asarray(y, dtype=float)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("outcomes must be 0 or 1")
    return y


# --- Scoring rules -------------------------------------------------------------------


def brier(p, y) -> np.ndarray:
    """Elementwise binary Brier score (p − y)², 0 perfect, 0.25 for always saying 50%."""
    return (check_probabilities(p) - check_outcomes(y)) ** 2


def brier_multi(probs, outcomes) -> np.ndarray:
    """Multiple-choice Brier per row: ½ Σₖ (pₖ − oₖ)², rows being predictions and
    columns options (outcomes one-hot).

    The ½ keeps it on the 0–1 scale, so two options give exactly the binary Brier.
    """
    return 0.5 * np.sum((check_probabilities(probs) - check_outcomes(outcomes)) ** 2, axis=-1)


def log_loss(p_true) -> np.ndarray:
    """Elementwise −ln(p) in nats, p being the probability given to what happened.

    Clipping to [0.001, 0.999] caps the penalty for a confident miss at ln(1000) ≈ 6.9,
    so one 0% forecast cannot make a user's mean infinite.
    """
    return -np.log(np.clip(check_probabilities(p_true), *LOG_LOSS_CLIP))


def log_loss_binary(p, y) -> np.ndarray:
    """Elementwise log loss of YES-probabilities p against outcomes y."""
    p, y = check_probabilities(p), check_outcomes(y)
    return log_loss(np.where(y == 1, p, 1 - p))


# --- Date quantile forecasts (days) --------------------------------------------------


def pinball_loss(q_values, levels, outcome) -> np.ndarray:
    """Pinball (quantile) loss per quantile: (1{y < q} − τ)(q − y), in days."""
    q, tau = np.asarray(q_values, dtype=float), np.asarray(levels, dtype=float)
    return ((outcome < q) - tau) * (q - outcome)


def interval_score(lower, upper, alpha, y) -> np.ndarray:
    """Interval score of a central (1 − alpha) interval: its width plus 2/alpha times
    any distance by which y falls outside it."""
    lower, upper, y = (np.asarray(a, dtype=float) for a in (lower, upper, y))
    return (
        (upper - lower)
        + 2 / alpha * np.clip(lower - y, 0, None)
        + 2 / alpha * np.clip(y - upper, 0, None)
    )


def interval_hit(lower, upper, y) -> np.ndarray:
    """Whether y falls inside [lower, upper] (both ends included)."""
    return (np.asarray(lower) <= y) & (y <= np.asarray(upper))


def weighted_interval_score(levels, q_values, y) -> float:
    """Weighted interval score (Bracher et al. 2021) of one quantile forecast.

    WIS = (0.5 |y − m| + Σₖ (αₖ/2) IS_αₖ) / (K + 0.5) over the median m and the K
    central intervals formed by levels τ and 1 − τ that are both present; levels with
    no partner are ignored. Raises ValueError without a 0.5 level.
    """
    # Integer per-million levels make τ + (1 − τ) == 1 exact for pairing.
    micro = np.rint(np.asarray(levels, dtype=float) * 1_000_000).astype(int)
    q = dict(zip(micro.tolist(), np.asarray(q_values, dtype=float).tolist(), strict=True))
    if 500_000 not in q:
        raise ValueError("weighted interval score needs the median (level 0.5)")
    pairs = [t for t in q if t < 500_000 and 1_000_000 - t in q]
    total = 0.5 * abs(y - q[500_000])
    for t in pairs:
        alpha = 2 * t / 1_000_000
        total += alpha / 2 * float(interval_score(q[t], q[1_000_000 - t], alpha, y))
    return total / (len(pairs) + 0.5)
