"""Scores in a group (docs/design.md §4, "Scores in a group"): each forecaster's own
score on a question, their relative Brier against the others, and the leaderboard.

- `per_forecaster`: each (question, author) pair as a history of its own, so the one
  rule of `histories` (late forecasts, the final forecast, the time average from the
  first forecast of the history) applies to every forecaster separately. The kinds'
  scoring functions take its output unchanged.
- `relative_to_others`: your score − the median score of the other forecasters on the
  same question; undefined (NaN) when nobody else forecast.
- `leaderboard`: per member the questions scored, mean Briers, mean relative Brier,
  participation, and the ranking (ties share a rank; a minimum count to be ranked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

# Questions with a relative Brier a member needs before being ranked: a mean over one or
# two questions says more about luck than skill. Shown on the page.
MIN_QUESTIONS_TO_RANK = 5
# Ranking compares means at the precision the page shows them, so two members who look
# tied are tied.
RANK_DECIMALS = 3
SCORE_COLUMNS = ["question_id", "author_id", "brier_final", "brier_time_avg"]


def per_forecaster(
    questions: pd.DataFrame, forecasts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(histories, forecasts) with one history per (question, author) pair.

    `questions`: index prediction_id, the columns a kind's scoring function needs;
    `forecasts`: columns prediction_id, author_id, forecast_id, created_at (and the
    kind's own). The returned `histories` are `questions`' rows, one per pair that has a
    forecast, indexed by a pair number and with `question_id` and `author_id` added; the
    returned forecasts name their pair in `prediction_id`. Forecasts on other questions
    are dropped.
    """
    on_question = forecasts[forecasts["prediction_id"].isin(questions.index)]
    question = on_question["prediction_id"].to_numpy(dtype=np.int64)
    author = on_question["author_id"].to_numpy(dtype=np.int64)
    # One integer per pair (ids are positive), faster to factorize than pairs of them.
    width = int(author.max()) + 1 if len(author) else 1
    codes, pairs = pd.factorize(question * width + author)
    histories = questions.loc[pairs // width].copy()
    histories["question_id"] = pairs // width
    histories["author_id"] = pairs % width
    histories.index = pd.Index(np.arange(len(pairs)), name="prediction_id")
    return histories, on_question.assign(prediction_id=codes)


def relative_to_others(question_ids, scores) -> np.ndarray:
    """Per row: its score minus the median of the other rows' scores on the same
    question (negative is better); NaN where the question has no other row."""
    questions, values = np.asarray(question_ids), np.asarray(scores, dtype=float)
    n = len(values)
    order = np.lexsort((values, questions))
    q, v = questions[order], values[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = q[1:] != q[:-1]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)[group]  # where each row's group starts
    size = np.bincount(group)[group]
    k = np.arange(n) - first  # each row's place in its group's sorted scores
    # The others are the group's sorted scores without place k: the j-th of them sits at
    # place j, or j + 1 from place k on. Their median is the mean of the middle two (one
    # and the same place when there is an odd number of others).
    m = size - 1
    lo, hi = (m - 1) // 2, m // 2

    def other(j: np.ndarray) -> np.ndarray:
        return v[np.clip(first + j + (j >= k), 0, max(n - 1, 0))]

    relative = np.full(n, np.nan)
    has_others = m > 0
    median = (other(lo) + other(hi)) / 2
    relative[order[has_others]] = (v - median)[has_others]
    return relative


def with_relative(scores: pd.DataFrame) -> pd.DataFrame:
    """`scores` (SCORE_COLUMNS, one row per question and forecaster) with
    `relative_final` and `relative_time_avg` added."""
    return scores.assign(
        relative_final=relative_to_others(scores["question_id"], scores["brier_final"]),
        relative_time_avg=relative_to_others(scores["question_id"], scores["brier_time_avg"]),
    )


@dataclass(frozen=True)
class LeaderboardRow:
    """One member's line. Means are None over no question; `participation` is the share
    (0–1) of the group's questions in the period they were scored on, None when the group
    had none. `needs` is how many more compared questions they need to be ranked."""

    member_id: int
    name: str
    questions_scored: int
    questions_compared: int  # scored questions on which someone else forecast too
    brier: float | None
    brier_time_avg: float | None
    relative: float | None
    relative_time_avg: float | None
    participation: float | None
    rank: int | None = None
    tied: bool = False
    needs: int = 0

    @property
    def rank_label(self) -> str:
        """ "1", "=2" for a shared rank, "" when not ranked."""
        if self.rank is None:
            return ""
        return f"={self.rank}" if self.tied else str(self.rank)


@dataclass(frozen=True)
class Leaderboard:
    ranked: list[LeaderboardRow]
    unranked: list[LeaderboardRow]
    n_questions: int  # the group's scorable questions resolved in the period
    min_questions: int


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def leaderboard(
    members: Sequence[tuple[int, str]],
    scores: pd.DataFrame,
    n_questions: int,
    *,
    min_questions: int = MIN_QUESTIONS_TO_RANK,
) -> Leaderboard:
    """The leaderboard of `members` ((id, name) pairs) from `scores` (`with_relative`'s
    frame; rows of anyone else are ignored) over `n_questions` questions.

    Members with at least `min_questions` questions with a relative Brier are ranked by
    their mean relative Brier (final forecasts), lowest first, rounded to RANK_DECIMALS;
    equal means share a rank ("=2") and the next rank skips (1, =2, =2, 4). The others
    follow, most compared questions first, each with how many more they need.
    """
    rows = []
    for member_id, name in members:
        own = scores[scores["author_id"] == member_id]
        compared = int(own["relative_final"].notna().sum())
        rows.append(
            LeaderboardRow(
                member_id=member_id,
                name=name,
                questions_scored=len(own),
                questions_compared=compared,
                brier=_mean(own["brier_final"]),
                brier_time_avg=_mean(own["brier_time_avg"]),
                relative=_mean(own["relative_final"]),
                relative_time_avg=_mean(own["relative_time_avg"]),
                participation=len(own) / n_questions if n_questions else None,
                needs=max(0, min_questions - compared),
            )
        )
    eligible = [r for r in rows if r.needs == 0 and r.relative is not None]
    # + 0.0 makes a rounded -0.0 equal to 0.0.
    key = {r.member_id: round(r.relative or 0.0, RANK_DECIMALS) + 0.0 for r in eligible}
    eligible.sort(key=lambda r: (key[r.member_id], r.name.casefold(), r.member_id))
    values = [key[r.member_id] for r in eligible]
    ranked = [
        replace(
            r,
            rank=1 + values.index(key[r.member_id]),
            tied=values.count(key[r.member_id]) > 1,
        )
        for r in eligible
    ]
    ranked_ids = set(key)
    unranked = sorted(
        (r for r in rows if r.member_id not in ranked_ids),
        key=lambda r: (-r.questions_compared, r.name.casefold(), r.member_id),
    )
    return Leaderboard(ranked, unranked, n_questions, min_questions)
