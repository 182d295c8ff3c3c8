"""Relative Brier and the group leaderboard (reports/scoring/relative.py) against hand
computations, and each forecaster's own history through the one scoring rule."""

import datetime as dt
import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.scoring.kinds import score_binary_histories
from reports.scoring.relative import (
    MIN_QUESTIONS_TO_RANK,
    SCORE_COLUMNS,
    leaderboard,
    per_forecaster,
    relative_to_others,
    with_relative,
)

# Final Briers of four forecasters on three questions, chosen by hand.
TABLE = {
    "Q1": {"A": 0.04, "B": 0.09, "C": 0.16, "D": 0.25},
    "Q2": {"A": 0.36, "B": 0.01, "C": 0.49, "D": 0.81},
    "Q3": {"A": 0.00, "B": 0.64, "C": 0.25, "D": 0.04},
}
# Your Brier − the median of the three others', worked out by hand:
# Q1: A 0.04 − med(0.09, 0.16, 0.25) = −0.12; B 0.09 − med(0.04, 0.16, 0.25) = −0.07;
#     C 0.16 − med(0.04, 0.09, 0.25) = 0.07; D 0.25 − med(0.04, 0.09, 0.16) = 0.16.
# Q2: A 0.36 − 0.49 = −0.13; B 0.01 − 0.49 = −0.48; C 0.49 − 0.36 = 0.13; D 0.81 − 0.36 = 0.45.
# Q3: A 0.00 − 0.25 = −0.25; B 0.64 − 0.04 = 0.60; C 0.25 − 0.04 = 0.21; D 0.04 − 0.25 = −0.21.
RELATIVE = {
    "Q1": {"A": -0.12, "B": -0.07, "C": 0.07, "D": 0.16},
    "Q2": {"A": -0.13, "B": -0.48, "C": 0.13, "D": 0.45},
    "Q3": {"A": -0.25, "B": 0.60, "C": 0.21, "D": -0.21},
}
MEMBERS = [(1, "A"), (2, "B"), (3, "C"), (4, "D")]
IDS = {name: pk for pk, name in MEMBERS}
T0 = pd.Timestamp("2024-03-01 12:00", tz="UTC")


def table_scores(table=TABLE) -> pd.DataFrame:
    rows = [
        (int(q[1:]), IDS[who], brier, brier / 2)
        for q, by in table.items()
        for who, brier in by.items()
    ]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


class TestRelativeBrier:
    def test_hand_table(self):
        scores = with_relative(table_scores())
        for row in scores.itertuples():
            q, who = f"Q{row.question_id}", MEMBERS[row.author_id - 1][1]
            assert row.relative_final == pytest.approx(RELATIVE[q][who])
            others = [b for name, b in TABLE[q].items() if name != who]
            assert row.relative_final == pytest.approx(TABLE[q][who] - statistics.median(others))
            # The time-averaged column gets the same treatment (here half the final one).
            assert row.relative_time_avg == pytest.approx(RELATIVE[q][who] / 2)

    def test_two_others_take_their_mean(self):
        relative = relative_to_others([7, 7, 7], [0.10, 0.20, 0.60])
        # A: 0.10 − (0.20 + 0.60)/2; B: 0.20 − (0.10 + 0.60)/2; C: 0.60 − (0.10 + 0.20)/2
        np.testing.assert_allclose(relative, [-0.30, -0.15, 0.45])

    def test_undefined_when_nobody_else_forecast(self):
        relative = relative_to_others([1, 2, 2], [0.3, 0.1, 0.4])
        assert math.isnan(relative[0])
        np.testing.assert_allclose(relative[1:], [-0.3, 0.3])

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, 4), st.sampled_from([0.0, 0.04, 0.25, 0.25, 0.5, 0.81, 1.0])),
            max_size=30,
        )
    )
    def test_matches_a_plain_loop(self, rows):
        questions = [q for q, _ in rows]
        scores = [s for _, s in rows]
        relative = relative_to_others(questions, scores)
        for i, (q, s) in enumerate(rows):
            others = [s2 for j, (q2, s2) in enumerate(rows) if q2 == q and j != i]
            if others:
                assert relative[i] == pytest.approx(s - statistics.median(others))
            else:
                assert math.isnan(relative[i])

    def test_rows_in_any_order(self):
        relative = relative_to_others([2, 1, 2, 1], [0.4, 0.5, 0.1, 0.0])
        np.testing.assert_allclose(relative, [0.3, 0.5, -0.3, -0.5])


class TestLeaderboard:
    def test_hand_table_ranking_and_means(self):
        board = leaderboard(MEMBERS, with_relative(table_scores()), 3, min_questions=3)
        assert [(r.name, r.rank_label) for r in board.ranked] == [
            ("A", "1"),
            ("B", "2"),
            ("D", "3"),
            ("C", "4"),
        ]
        a, b, d, c = board.ranked
        assert a.relative == pytest.approx((-0.12 - 0.13 - 0.25) / 3)
        assert b.relative == pytest.approx((-0.07 - 0.48 + 0.60) / 3)
        assert d.relative == pytest.approx((0.16 + 0.45 - 0.21) / 3)
        assert c.relative == pytest.approx((0.07 + 0.13 + 0.21) / 3)
        assert a.brier == pytest.approx((0.04 + 0.36 + 0.00) / 3)
        assert a.brier_time_avg == pytest.approx((0.04 + 0.36 + 0.00) / 6)
        assert (a.questions_scored, a.questions_compared, a.participation) == (3, 3, 1.0)
        assert board.unranked == []

    def test_ties_share_a_rank_at_the_shown_precision(self):
        scores = pd.DataFrame(
            {
                "question_id": [1, 1, 1, 1],
                "author_id": [1, 2, 3, 4],
                "brier_final": [0.1, 0.2, 0.2, 0.3],
                "brier_time_avg": [0.1, 0.2, 0.2, 0.3],
                # 0.0501 and 0.0504 both show as 0.050: a tie, not 2 and 3.
                "relative_final": [-0.1, 0.0501, 0.0504, 0.2],
                "relative_time_avg": [0.0, 0.0, 0.0, 0.0],
            }
        )
        board = leaderboard(MEMBERS, scores, 1, min_questions=1)
        assert [(r.name, r.rank_label) for r in board.ranked] == [
            ("A", "1"),
            ("B", "=2"),
            ("C", "=2"),
            ("D", "4"),
        ]

    def test_minimum_count_lists_the_others_below_with_what_they_need(self):
        assert MIN_QUESTIONS_TO_RANK == 5
        # A and B forecast on six questions together; C on four of them; D on none.
        rows = [(q, who, 0.1 * who, 0.1 * who) for q in range(6) for who in (1, 2)]
        rows += [(q, 3, 0.05, 0.05) for q in range(4)]
        scores = with_relative(pd.DataFrame(rows, columns=SCORE_COLUMNS))
        board = leaderboard(MEMBERS, scores, 10)
        assert [r.name for r in board.ranked] == ["A", "B"]
        assert [(r.name, r.needs, r.questions_compared) for r in board.unranked] == [
            ("C", 1, 4),
            ("D", 5, 0),
        ]
        d = board.unranked[1]
        assert (d.brier, d.relative, d.participation, d.rank_label) == (None, None, 0.0, "")
        assert board.ranked[0].participation == pytest.approx(0.6)

    def test_alone_on_every_question_is_scored_but_not_ranked(self):
        scores = with_relative(
            pd.DataFrame([(q, 1, 0.2, 0.2) for q in range(8)], columns=SCORE_COLUMNS)
        )
        board = leaderboard(MEMBERS[:1], scores, 8)
        (a,) = board.unranked
        assert (a.questions_scored, a.questions_compared, a.relative, a.needs) == (8, 0, None, 5)
        assert a.brier == pytest.approx(0.2)

    def test_no_questions_means_no_participation(self):
        board = leaderboard(MEMBERS, with_relative(table_scores({})), 0)
        assert [r.participation for r in board.unranked] == [None] * 4


class TestOwnHistories:
    """Each forecaster's history goes through the one rule on its own."""

    def frames(self, forecasts):
        questions = pd.DataFrame(
            {"known_at": [T0 + pd.Timedelta(days=10)], "outcome": np.array([1], dtype=np.int8)},
            index=pd.Index([50], name="prediction_id"),
        )
        frame = pd.DataFrame(
            [(50, who, i, T0 + pd.Timedelta(days=d), p) for i, (who, d, p) in enumerate(forecasts)],
            columns=["prediction_id", "author_id", "forecast_id", "created_at", "probability"],
        )
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        histories, keyed = per_forecaster(questions, frame)
        scored = score_binary_histories(histories, keyed)[0]
        return {int(r.author_id): r for r in scored.itertuples()}

    def test_time_average_starts_at_each_forecasters_first_forecast(self):
        by = self.frames([(1, 0, 0.2), (2, 6, 0.5), (1, 8, 0.8), (2, 8, 1.0), (2, 11, 0.0)])
        # A: 0.2 for 8 days ((0.8)² = 0.64), 0.8 for 2 days (0.04): (8·0.64 + 2·0.04)/10.
        assert by[1].brier_time_avg == pytest.approx((8 * 0.64 + 2 * 0.04) / 10)
        assert by[1].brier_final == pytest.approx(0.04)
        # B from day 6, not the question's start: 0.5 for 2 days (0.25), 1.0 for 2 (0).
        assert by[2].brier_time_avg == pytest.approx((2 * 0.25 + 2 * 0.0) / 4)
        # B's forecast at day 11 is after known-at: late for B, B's final stays 1.0.
        assert by[2].brier_final == pytest.approx(0.0)
        assert (by[2].n_late, by[1].n_late) == (1, 0)
        assert by[2].first_forecast_at == T0 + pd.Timedelta(days=6)

    def test_a_forecaster_with_only_late_forecasts_is_not_scored(self):
        by = self.frames([(1, 2, 0.7), (2, 12, 0.9)])
        assert list(by) == [1]
        assert by[1].brier_final == pytest.approx(0.09)

    def test_no_forecasts(self):
        assert self.frames([]) == {}

    def test_forecasts_on_other_questions_are_dropped(self):
        questions = pd.DataFrame(
            {"known_at": [T0], "outcome": np.array([0], dtype=np.int8)},
            index=pd.Index([1], name="prediction_id"),
        )
        frame = pd.DataFrame(
            {
                "prediction_id": [1, 2],
                "author_id": [5, 5],
                "forecast_id": [10, 11],
                "created_at": [T0 - dt.timedelta(days=1)] * 2,
                "probability": [0.3, 0.9],
            }
        )
        histories, keyed = per_forecaster(questions, frame)
        assert list(histories["question_id"]) == [1]
        assert list(keyed["forecast_id"]) == [10]
