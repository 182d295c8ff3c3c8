"""reports.selectors and reports.scoring.histories: docs/design.md §4's choice of
forecasts against the oracle, filters, counts, query counts."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from predictions import services
from predictions.models import Forecast, Prediction
from reports.scoring.histories import NOT_KNOWN, forecast_flags
from reports.scoring.kinds import score_histories
from reports.selectors.filters import prediction_counts
from reports.selectors.history import prediction_history
from reports.selectors.scored import scored_predictions
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, many_resolved, open_prediction, resolved, tag
from tests.reports.oracle import score_forecast_history

DAY = dt.timedelta(days=1)


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


class HandComputedTests(TestCase):
    """One example worked by hand: late forecast excluded, annulled and open excluded."""

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        # 60% for a day, then 80% for a day; the outcome (YES) is known at T0 + 2 days,
        # so the 90% made on day 3 is late.
        cls.main = resolved(
            cls.user,
            [(T0, "0.6"), (T0 + DAY, "0.8"), (T0 + 3 * DAY, "0.9")],
            outcome=True,
            known_at=T0 + 2 * DAY,
        )
        resolved(
            cls.user,
            [(T0, "0.9")],
            outcome=False,
            known_at=T0 + DAY,
            status=Prediction.Status.ANNULLED,
        )
        open_prediction(cls.user, resolve_by=dt.date(2030, 1, 1))
        # Every forecast late: resolved but unscorable.
        resolved(cls.user, [(T0 + 5 * DAY, "0.3")], outcome=False, known_at=T0 + DAY)
        # Someone else's prediction never shows up.
        resolved(UserFactory(), [(T0, "0.1")], outcome=True, known_at=T0 + DAY)

    def test_scores(self):
        data = scored_predictions(user=self.user)
        frame = data.predictions
        assert list(frame.index) == [self.main.pk]
        row = frame.loc[self.main.pk]
        assert row.final_probability == pytest.approx(0.8)
        assert row.brier_final == pytest.approx(0.04)  # (0.8 − 1)²
        assert row.brier_time_avg == pytest.approx((0.16 + 0.04) / 2)  # one day each
        assert row.log_loss_final == pytest.approx(-math.log(0.8))
        assert (row.n_forecasts, row.n_late, row.outcome) == (3, 1, 1)
        assert row.final_forecast_at == pd.Timestamp(T0 + DAY)
        assert data.unscorable == 1

    def test_counts(self):
        counts = prediction_counts(user=self.user, today=dt.date(2029, 6, 1))
        assert (counts.resolved, counts.annulled, counts.open, counts.due) == (2, 1, 1, 0)
        counts = prediction_counts(user=self.user, today=dt.date(2030, 1, 2))
        assert counts.due == 1


def _random_history(rng, n_forecasts: int):
    """Times with ties and late forecasts; probabilities on the 0.1% grid."""
    minutes = np.sort(rng.integers(0, 60 * 24 * 30, n_forecasts))
    if n_forecasts > 2 and rng.random() < 0.3:
        minutes[1] = minutes[0]  # two forecasts at one instant
    times = [T0 + dt.timedelta(minutes=int(m)) for m in minutes]
    probs = [int(k) / 1000 for k in rng.integers(0, 1001, n_forecasts)]
    known_at = T0 + dt.timedelta(minutes=int(rng.integers(-60, 60 * 24 * 31)))
    return times, probs, known_at, int(rng.random() < 0.5)


class RandomHistoryTests(TestCase):
    """The selector equals scoring.score_forecast_history prediction by prediction."""

    def test_matches_per_prediction_rule(self):
        rng = np.random.default_rng(7)
        user = UserFactory()
        expected = {}
        for _ in range(60):
            times, probs, known_at, y = _random_history(rng, int(rng.integers(1, 7)))
            prediction = resolved(
                user, list(zip(times, probs, strict=True)), outcome=bool(y), known_at=known_at
            )
            expected[prediction.pk] = score_forecast_history(
                np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[ns]"),
                np.array(probs),
                y,
                np.datetime64(known_at.replace(tzinfo=None), "ns"),
            )
        frame = scored_predictions(user=user).predictions
        scorable = {pk for pk, score in expected.items() if score is not None}
        assert set(frame.index) == scorable
        assert len(scorable) > 30  # the draw exercised both branches
        for pk in scorable:
            score, row = expected[pk], frame.loc[pk]
            assert row.final_probability == score.final_probability
            assert row.brier_final == pytest.approx(score.brier_final, abs=1e-12)
            assert row.brier_time_avg == pytest.approx(score.brier_time_avg, abs=1e-12)
            assert row.log_loss_final == pytest.approx(score.log_loss_final, abs=1e-12)
            assert row.n_late == score.n_late


history = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 1000)), min_size=1, max_size=6).map(
    sorted
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(history, st.integers(-5, 55), st.integers(0, 1)), min_size=1, max_size=8))
def test_vectorised_rule_equals_scoring(cases):
    """Pure check (no database) of score_histories on Hypothesis-made histories, with
    forecasts at equal instants and ones after known_at."""
    start = np.datetime64("2024-01-01T00:00", "ns")
    pred_rows, fc_rows, expected = [], [], {}
    next_id = 1
    for pid, (hist, known, y) in enumerate(cases, start=1):
        times = [start + np.timedelta64(h, "h") for h, _ in hist]
        probs = [k / 1000 for _, k in hist]
        known_at = start + np.timedelta64(known, "h")
        for t, p in zip(times, probs, strict=True):
            fc_rows.append((pid, next_id, t, p))
            next_id += 1
        pred_rows.append((pid, y, known_at))
        expected[pid] = score_forecast_history(np.array(times), np.array(probs), y, known_at)
    predictions = pd.DataFrame(pred_rows, columns=["prediction_id", "outcome", "known_at"])
    predictions["known_at"] = pd.to_datetime(predictions["known_at"], utc=True)
    forecasts = pd.DataFrame(
        fc_rows[::-1], columns=["prediction_id", "forecast_id", "created_at", "probability"]
    )
    forecasts["created_at"] = pd.to_datetime(forecasts["created_at"], utc=True)
    frame = score_histories(predictions.set_index("prediction_id"), forecasts)
    assert set(frame.index) == {pid for pid, s in expected.items() if s is not None}
    for pid in frame.index:
        assert frame.loc[pid, "final_probability"] == expected[pid].final_probability
        assert frame.loc[pid, "brier_time_avg"] == pytest.approx(
            expected[pid].brier_time_avg, abs=1e-12
        )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(history, st.integers(-5, 55) | st.none()), min_size=1, max_size=8))
def test_forecast_flags_equal_the_oracle(cases):
    """forecast_flags (exports, import preview) marks late and final forecasts as the
    oracle does, in the caller's order; an unknown known-at makes the latest final."""
    start = np.datetime64("2024-01-01T00:00", "ns")
    pids, fids, times, known, expected = [], [], [], [], []
    next_id = 1
    for pid, (hist, hours) in enumerate(cases, start=1):
        t = np.array([start + np.timedelta64(h, "h") for h, _ in hist])
        known_at = start + np.timedelta64(55 if hours is None else hours, "h")
        known.append(NOT_KNOWN if hours is None else known_at.astype(np.int64))
        score = score_forecast_history(t, np.array([k / 1000 for _, k in hist]), 1, known_at)
        for i, at in enumerate(t):
            pids.append(pid)
            fids.append(next_id)
            times.append(at.astype(np.int64))
            next_id += 1
            final = score is not None and i == score.final_index
            expected.append((bool(hours is not None and at > known_at), final))
    order = np.arange(len(fids))[::-1]  # any order in, the same order out
    late, final = forecast_flags(
        list(range(1, len(cases) + 1)),
        np.array(known, dtype=np.int64),
        np.array(pids)[order],
        np.array(fids)[order],
        np.array(times, dtype=np.int64)[order],
    )
    assert list(zip(late.tolist(), final.tolist(), strict=True)) == [expected[i] for i in order]


class QueryCountTests(TestCase):
    def test_fixed_number_of_queries(self):
        counts = []
        for n in (5, 50):
            user = UserFactory()
            topic = tag(user, "topic")
            many_resolved(user, n, per=4, tags=[topic])
            counts.append(queries(lambda u=user: scored_predictions(user=u)))
            counts.append(queries(lambda u=user, t=topic: scored_predictions(user=u, tags=[t.pk])))
            frame = scored_predictions(user=user).predictions
            assert len(frame) == n
            assert frame["n_forecasts"].eq(4).all()
        assert counts == [3, 3, 3, 3]


class FilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        services.profile_for(cls.user).timezone = "Europe/Berlin"
        services.profile_for(cls.user).save()
        cls.ai, cls.politics, cls.other = (tag(cls.user, n) for n in ("ai", "politics", "x"))
        # 23:30 UTC on 1 Jan is 00:30 on 2 Jan in Berlin.
        late_evening = dt.datetime(2024, 1, 1, 23, 30, tzinfo=dt.UTC)
        cls.a = resolved(
            cls.user,
            [(late_evening, "0.7")],
            outcome=True,
            known_at=late_evening + 40 * DAY,
            tags=[cls.ai],
        )
        cls.b = resolved(
            cls.user,
            [(late_evening - DAY, "0.2")],
            outcome=False,
            known_at=late_evening + 10 * DAY,
            tags=[cls.politics, cls.ai],
        )
        cls.c = resolved(
            cls.user, [(late_evening - 2 * DAY, "0.5")], outcome=True, known_at=late_evening
        )

    def ids(self, **filters):
        return set(scored_predictions(user=self.user, **filters).predictions.index)

    def test_tags_match_any(self):
        assert self.ids(tags=[self.ai.pk]) == {self.a.pk, self.b.pk}
        assert self.ids(tags=[self.politics.pk]) == {self.b.pk}
        assert self.ids(tags=[self.politics.pk, self.ai.pk]) == {self.a.pk, self.b.pk}
        assert self.ids(tags=[self.other.pk]) == set()

    def test_tag_pairs(self):
        pairs = scored_predictions(user=self.user).tags
        assert sorted(map(tuple, pairs.to_numpy().tolist())) == sorted(
            [(self.a.pk, "ai"), (self.b.pk, "ai"), (self.b.pk, "politics")]
        )

    def test_created_dates_are_local_days(self):
        assert self.ids(created_from=dt.date(2024, 1, 2)) == {self.a.pk}
        assert self.ids(created_to=dt.date(2024, 1, 1)) == {self.b.pk, self.c.pk}
        assert self.ids(created_from=dt.date(2024, 1, 1), created_to=dt.date(2024, 1, 1)) == {
            self.b.pk
        }

    def test_resolved_dates(self):
        assert self.ids(resolved_from=dt.date(2024, 1, 5)) == {self.a.pk, self.b.pk}
        assert self.ids(resolved_to=dt.date(2024, 1, 2)) == {self.c.pk}

    def test_kind(self):
        assert self.ids(kind="binary") == {self.a.pk, self.b.pk, self.c.pk}
        assert self.ids(kind="multiple_choice") == set()

    def test_counts_ignore_resolved_range_but_not_tags(self):
        open_prediction(self.user, resolve_by=dt.date(2024, 6, 1), tags=[self.ai])
        counts = prediction_counts(
            user=self.user,
            today=dt.date(2024, 7, 1),
            tags=[self.ai.pk],
            resolved_from=dt.date(2030, 1, 1),
        )
        assert (counts.resolved, counts.open, counts.due) == (2, 1, 1)


class DueTodayTests(TestCase):
    def test_due_uses_the_owners_local_date(self):
        user = UserFactory()
        profile = services.profile_for(user)
        profile.timezone = "Pacific/Auckland"
        profile.save()
        open_prediction(user, resolve_by=dt.date(2024, 5, 1))
        # 12:30 UTC on 1 May is already 2 May in Auckland: the prediction is due there.
        with time_machine.travel(dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC), tick=False):
            assert prediction_counts(user=user, today=profile.today()).due == 1
        with time_machine.travel(dt.datetime(2024, 5, 1, 11, 30, tzinfo=dt.UTC), tick=False):
            assert prediction_counts(user=user, today=profile.today()).due == 0


class HistoryTests(TestCase):
    def test_history_is_one_query_in_order(self):
        user = UserFactory()
        p = resolved(
            user, [(T0, "0.2"), (T0, "0.3"), (T0 + DAY, "0.4")], outcome=True, known_at=T0 + 2 * DAY
        )
        Forecast.objects.create(
            prediction=p, author_id=p.owner_id, created_at=T0 - DAY, probability="0.1"
        )
        with CaptureQueriesContext(connection) as ctx:
            frame = prediction_history(p)
        assert len(ctx.captured_queries) == 1
        assert frame["probability"].tolist() == [0.1, 0.2, 0.3, 0.4]
        assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
