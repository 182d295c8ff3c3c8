"""Multiple-choice and release-date predictions in the reports (docs/design.md §4).

Scores through the selector path (`scored_predictions(every_kind=True)` and
`prediction_score`), calibration points, interval coverage, the dashboard with mixed
kinds, the per-prediction score block, the charts of every kind, escaping and isolation.
"""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from scipy.stats import binomtest

from predictions import services
from predictions.models import Prediction
from reports.charts.dates import date_svg
from reports.charts.history import choice_svg
from reports.dashboard.numbers import compute_numbers
from reports.scoring.kinds import score_choice_histories, score_date_histories
from reports.scoring.rules import brier_multi, interval_hit, pinball_loss, weighted_interval_score
from reports.selectors.history import prediction_option_history, prediction_quantile_history
from reports.selectors.one_score import prediction_score
from reports.selectors.scored import scored_predictions
from tests.predictions.factories import UserFactory
from tests.reports.builders import T0, many_resolved, resolved, tag
from tests.strict_warnings import strict_warnings

DAY = dt.timedelta(days=1)
D0 = T0.date()
DASHBOARD = reverse("reports:dashboard")
SVG = "{http://www.w3.org/2000/svg}svg"
NAN = re.compile(rb"\bnan\b", re.IGNORECASE)
MC = Prediction.Kind.MULTIPLE_CHOICE


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def choice(owner, labels, forecasts, *, winner, known_at, tags=(), question="Which one?"):
    """A resolved multiple-choice prediction; `forecasts` are (time, [probabilities in
    option order as strings]) in the order made; `winner` is the winning label."""
    prediction = services.prediction_create(
        owner=owner,
        kind=MC,
        question=question,
        resolve_by=known_at.date(),
        options=labels,
        option_probabilities=[Decimal(p) for p in forecasts[0][1]],
        created_at=forecasts[0][0],
        tags=tags,
    )
    for at, probs in forecasts[1:]:
        services.forecast_create(
            prediction=prediction,
            author=owner,
            option_probabilities=[Decimal(p) for p in probs],
            created_at=at,
        )
    option = prediction.options.get(label=winner)
    return services.prediction_resolve(prediction=prediction, outcome=option, known_at=known_at)


def release(owner, forecasts, *, actual, known_at, tags=(), question="When does it ship?"):
    """A resolved release-date prediction; `forecasts` are (time, {level: date})."""
    prediction = services.prediction_create(
        owner=owner,
        kind=Prediction.Kind.DATE,
        question=question,
        resolve_by=known_at.date(),
        quantiles={Decimal(k): v for k, v in forecasts[0][1].items()},
        created_at=forecasts[0][0],
        tags=tags,
    )
    for at, quantiles in forecasts[1:]:
        services.forecast_create(
            prediction=prediction,
            author=owner,
            quantiles={Decimal(k): v for k, v in quantiles.items()},
            created_at=at,
        )
    return services.prediction_resolve(prediction=prediction, outcome=actual, known_at=known_at)


def vector(days=(30, 60, 120)) -> dict:
    """A release-date test vector: 10/50/90% dates at day 30/60/120 after T0."""
    return {"0.1": D0 + days[0] * DAY, "0.5": D0 + days[1] * DAY, "0.9": D0 + days[2] * DAY}


# --- Release dates: the test vector ----------------------------------------------------


class DateVectorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.inside = release(
            cls.user, [(T0, vector())], actual=D0 + 75 * DAY, known_at=T0 + 75 * DAY
        )
        cls.outside = release(
            cls.user, [(T0, vector())], actual=D0 + 140 * DAY, known_at=T0 + 140 * DAY
        )

    def test_selector_path(self):
        dates = scored_predictions(user=self.user, every_kind=True).dates
        inside, outside = dates.loc[self.inside.pk], dates.loc[self.outside.pk]
        assert inside.pinball_mean == pytest.approx((4.5 + 7.5 + 4.5) / 3)
        assert inside.interval_score_80 == pytest.approx(90)
        assert inside.wis == pytest.approx(11.0)
        assert inside.hit_80 == 1.0
        assert np.isnan(inside.hit_50)
        assert outside.interval_score_80 == pytest.approx(290)
        assert outside.wis == pytest.approx(46.0)
        assert outside.hit_80 == 0.0
        # Normalised by the horizon: 60 days from the forecast to its median.
        assert inside.horizon_days == 60
        assert inside.wis_norm == pytest.approx(11.0 / 60)
        assert outside.pinball_norm == pytest.approx((11 + 40 + 18) / 3 / 60)
        assert inside.wis_norm_time_avg == pytest.approx(inside.wis_norm)

    def test_per_quantile_through_prediction_score(self):
        score = prediction_score(self.inside)
        assert score.scored
        assert [level for level, _ in score.quantile_losses] == [0.1, 0.5, 0.9]
        assert [loss for _, loss in score.quantile_losses] == pytest.approx([4.5, 7.5, 4.5])
        assert score.wis == pytest.approx(11.0)
        assert score.interval_score_80 == pytest.approx(90)
        assert score.hit_80 is True
        assert (score.lower_80, score.upper_80) == (D0 + 30 * DAY, D0 + 120 * DAY)
        score = prediction_score(self.outside)
        assert [loss for _, loss in score.quantile_losses] == pytest.approx([11.0, 40.0, 18.0])
        assert score.wis == pytest.approx(46.0)
        assert score.interval_score_80 == pytest.approx(290)
        assert score.hit_80 is False

    def test_quantile_claims_are_calibration_points(self):
        points = scored_predictions(user=self.user, every_kind=True).points
        dates = points[points["kind"] == "date"].sort_values(["prediction_id", "probability"])
        # Day 75: after q10 (30), after q50 (60), on or before q90 (120).
        inside = dates[dates["prediction_id"] == self.inside.pk]
        assert inside["probability"].tolist() == [0.1, 0.5, 0.9]
        assert inside["outcome"].tolist() == [0, 0, 1]
        outside = dates[dates["prediction_id"] == self.outside.pk]
        assert outside["outcome"].tolist() == [0, 0, 0]


def test_vectorised_wis_equals_scoring():
    """score_date_histories' WIS equals scoring.weighted_interval_score on random
    forecasts with 3 or 5 quantiles (and pinball and hits equal scoring's)."""
    rng = np.random.default_rng(3)
    levels5 = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    pred_rows, fc_rows, q_rows, expected = [], [], [], {}
    start = pd.Timestamp("2024-01-01", tz="UTC")
    for pid in range(1, 41):
        levels = [0.1, 0.5, 0.9] if pid % 2 else levels5
        days = np.sort(rng.choice(np.arange(1, 400), size=len(levels), replace=False))
        actual = float(rng.integers(0, 420))
        pred_rows.append((pid, actual, start + pd.Timedelta(days=500)))
        fc_rows.append((pid, pid, start))
        q_rows += [(pid, lv, float(d)) for lv, d in zip(levels, days, strict=True)]
        expected[pid] = (
            weighted_interval_score(levels, days, actual),
            pinball_loss(days, levels, actual).mean(),
            bool(interval_hit(days[levels.index(0.1)], days[levels.index(0.9)], actual)),
        )
    predictions = pd.DataFrame(pred_rows, columns=["prediction_id", "outcome_day", "known_at"])
    forecasts = pd.DataFrame(fc_rows, columns=["prediction_id", "forecast_id", "created_at"])
    quantiles = pd.DataFrame(q_rows, columns=["forecast_id", "level", "day"])
    scored, points = score_date_histories(
        predictions.set_index("prediction_id"), forecasts, quantiles.sample(frac=1, random_state=1)
    )
    for pid, (wis, pinball, hit) in expected.items():
        assert scored.loc[pid, "wis"] == pytest.approx(wis, abs=1e-9)
        assert scored.loc[pid, "pinball_mean"] == pytest.approx(pinball, abs=1e-9)
        assert scored.loc[pid, "hit_80"] == float(hit)
    assert len(points) == len(quantiles)


# --- Multiple choice -----------------------------------------------------------------


class ChoiceScoreTests(TestCase):
    """Brier ½ Σ (p − o)² and log loss on the winner, worked by hand:

    | options | final forecast   | winner | Brier                             | log loss   |
    |---------|------------------|--------|-----------------------------------|------------|
    | A B C   | 20 / 70 / 10 %   | B      | ½(0.04 + 0.09 + 0.01) = 0.07      | −ln 0.7    |
    | A B C D | 25 % each        | A      | ½(0.5625 + 3 × 0.0625) = 0.375    | −ln 0.25   |
    | A B     | 100 / 0 %        | A      | 0                                 | −ln 0.999  |
    | A B     | 0 / 100 %        | A      | ½(1 + 1) = 1                      | −ln 0.001  |

    The first was 60 / 30 / 10 % (Brier ½(0.36 + 0.49 + 0.01) = 0.43) for one day and
    20 / 70 / 10 % for the three days before the outcome was known; a forecast after that
    is late. Time-averaged: (0.43 × 1 + 0.07 × 3) / 4 = 0.16.
    """

    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.abc = choice(
            cls.user,
            ["A", "B", "C"],
            [
                (T0, ["0.6", "0.3", "0.1"]),
                (T0 + DAY, ["0.2", "0.7", "0.1"]),
                (T0 + 5 * DAY, ["0", "1", "0"]),
            ],
            winner="B",
            known_at=T0 + 4 * DAY,
        )
        cls.even = choice(
            cls.user, list("ABCD"), [(T0, ["0.25"] * 4)], winner="A", known_at=T0 + DAY
        )
        cls.sure = choice(cls.user, ["A", "B"], [(T0, ["1", "0"])], winner="A", known_at=T0 + DAY)
        cls.wrong = choice(cls.user, ["A", "B"], [(T0, ["0", "1"])], winner="A", known_at=T0 + DAY)

    def test_hand_computed_table(self):
        frame = scored_predictions(user=self.user, every_kind=True).choices
        expected = {
            self.abc.pk: (0.07, 0.16, -np.log(0.7), 0.7, 1),
            self.even.pk: (0.375, 0.375, -np.log(0.25), 0.25, 0),
            self.sure.pk: (0.0, 0.0, -np.log(0.999), 1.0, 0),
            self.wrong.pk: (1.0, 1.0, -np.log(0.001), 0.0, 0),
        }
        assert set(frame.index) == set(expected)
        for pk, (brier, time_avg, loss, p_winner, n_late) in expected.items():
            row = frame.loc[pk]
            assert row.brier_final == pytest.approx(brier, abs=1e-12)
            assert row.brier_time_avg == pytest.approx(time_avg, abs=1e-12)
            assert row.log_loss_final == pytest.approx(loss, abs=1e-12)
            assert row.final_probability == pytest.approx(p_winner)
            assert row.n_late == n_late

    def test_equals_scoring_brier_multi(self):
        row = scored_predictions(user=self.user, every_kind=True).choices.loc[self.abc.pk]
        assert row.brier_final == pytest.approx(float(brier_multi([0.2, 0.7, 0.1], [0, 1, 0])))

    def test_prediction_score_matches_the_frame(self):
        score = prediction_score(self.abc)
        assert score.brier == pytest.approx(0.07)
        assert score.brier_time_avg == pytest.approx(0.16)
        assert score.n_late == 1
        assert score.final_probability == pytest.approx(0.7)

    def test_one_vs_rest_points(self):
        points = scored_predictions(user=self.user, every_kind=True).points
        choices = points[points["kind"] == MC]
        assert len(choices) == 3 + 4 + 2 + 2  # one point per option
        assert choices.groupby("prediction_id")["outcome"].sum().eq(1).all()  # one winner each
        abc = choices[choices["prediction_id"] == self.abc.pk].sort_values("probability")
        assert abc["probability"].tolist() == [0.1, 0.2, 0.7]  # the final forecast's
        assert abc["outcome"].tolist() == [0, 0, 1]


class BinarySpecialCaseTests(TestCase):
    def test_two_options_equal_binary_brier(self):
        """Through the selector: a two-option prediction scores exactly as the yes/no
        prediction with the same history (final, time-averaged, log loss)."""
        user = UserFactory()
        rng = np.random.default_rng(11)
        pairs = []
        for i in range(8):
            p1, p2 = (int(rng.integers(0, 1001)) / 1000 for _ in range(2))
            won = bool(i % 2)
            history = [(T0, p1), (T0 + (1 + i) * DAY, p2)]
            known = T0 + 12 * DAY
            binary = resolved(user, history, outcome=won, known_at=known)
            two = choice(
                user,
                ["Yes", "No"],
                [(t, [str(p), str(Decimal(1) - Decimal(str(p)))]) for t, p in history],
                winner="Yes" if won else "No",
                known_at=known,
            )
            pairs.append((binary.pk, two.pk))
        data = scored_predictions(user=user, every_kind=True)
        for binary_pk, two_pk in pairs:
            b, c = data.predictions.loc[binary_pk], data.choices.loc[two_pk]
            assert c.brier_final == pytest.approx(b.brier_final, abs=1e-12)
            assert c.brier_time_avg == pytest.approx(b.brier_time_avg, abs=1e-12)
            assert c.log_loss_final == pytest.approx(b.log_loss_final, abs=1e-12)


def test_choice_scores_without_database():
    """score_choice_histories on a frame: rows in any order, positions not 0-based."""
    start = pd.Timestamp("2024-01-01", tz="UTC")
    predictions = pd.DataFrame(
        {"outcome_option_id": [12], "known_at": [start + pd.Timedelta(days=2)]},
        index=pd.Index([1], name="prediction_id"),
    )
    forecasts = pd.DataFrame({"prediction_id": [1], "forecast_id": [5], "created_at": [start]})
    options = pd.DataFrame(
        {
            "forecast_id": [5, 5, 5],
            "option_id": [13, 12, 11],
            "position": [9, 8, 7],
            "probability": [0.1, 0.3, 0.6],
        }
    )
    scored, points = score_choice_histories(predictions, forecasts, options)
    assert scored.loc[1, "brier_final"] == pytest.approx(0.43)
    assert sorted(points["outcome"].tolist()) == [0, 0, 1]


# --- The dashboard with every kind -----------------------------------------------------


def add_mixed(user, n: int, *, tags=()) -> None:
    """n predictions of each kind: yes/no in bulk, multiple choice and dates through the
    services (one forecast each, outcome known a month later)."""
    many_resolved(user, n, tags=tags)
    for i in range(n):
        at = T0 + i * DAY
        choice(
            user,
            ["Red", "Green", "Blue"],
            [(at, ["0.5", "0.3", "0.2"])],
            winner=["Red", "Green", "Blue"][i % 3],
            known_at=at + 30 * DAY,
            tags=tags,
        )
        release(
            user,
            [(at, vector((20 + i, 40 + i, 60 + i)))],
            actual=D0 + (45 + 7 * i) * DAY,
            known_at=at + 100 * DAY,
            tags=tags,
        )


class CacheClearing(TestCase):
    def setUp(self):
        cache.clear()


class MixedDashboardTests(CacheClearing):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        cls.topic = tag(cls.user, "launches")
        add_mixed(cls.user, 6, tags=[cls.topic])

    def setUp(self):
        super().setUp()
        self.client.force_login(self.user)

    def test_headline_averages_yes_no_and_choices(self):
        data = scored_predictions(user=self.user, every_kind=True)
        numbers = compute_numbers(data, dt.UTC)
        briers = [*data.predictions["brier_final"], *data.choices["brier_final"]]
        assert numbers.n_scored == 18
        assert (numbers.n_binary, numbers.n_choice, numbers.n_date) == (6, 6, 6)
        assert numbers.headline.n == 12
        assert numbers.headline.brier == pytest.approx(np.mean(briers))
        assert numbers.headline.n_binary == 6
        # Months and tags count the Brier-scored kinds only.
        assert sum(row.count for row in numbers.months) == 12
        assert numbers.tags[0].count == 3 + 6  # many_resolved tags every other one

    def test_calibration_points_one_vs_rest_and_quantiles(self):
        numbers = compute_numbers(scored_predictions(user=self.user, every_kind=True), dt.UTC)
        cal = numbers.calibration
        assert (cal.n_binary_points, cal.n_choice_points, cal.n_date_points) == (6, 18, 18)
        assert cal.n_points == 42
        assert sum(b.count for b in cal.buckets) == 42
        # Each multiple-choice forecast gave 50% to one option: 6 points in the 50% bucket
        # plus any yes/no and quantile (50%) claims there.
        fifty = next(b for b in cal.buckets if b.centre_pct == 50)
        points = scored_predictions(user=self.user, every_kind=True).points
        in_fifty = points[(points["probability"] >= 0.45) & (points["probability"] < 0.55)]
        assert fifty.count == len(in_fifty)
        assert fifty.hits == int(in_fifty["outcome"].sum())

    def test_interval_coverage_and_binomial_test(self):
        dates = scored_predictions(user=self.user, every_kind=True).dates
        numbers = compute_numbers(scored_predictions(user=self.user, every_kind=True), dt.UTC)
        row = numbers.dates.coverage[0]
        hits = int(dates["hit_80"].sum())
        assert (row.nominal_pct, row.n, row.hits) == (80, 6, hits)
        assert 0 < hits < 6  # the fixture puts some actual dates outside
        assert row.p_value == pytest.approx(binomtest(hits, 6, 0.8).pvalue)
        assert row.share_pct == pytest.approx(100 * hits / 6)
        assert len(numbers.dates.coverage) == 1  # no 50% or 90% intervals were given
        assert numbers.dates.wis_norm == pytest.approx(dates["wis_norm"].mean())

    def test_page_shows_every_section(self):
        response = self.client.get(DASHBOARD)
        html = response.content.decode()
        assert response.status_code == 200
        assert not NAN.search(response.content)
        assert "18 scored predictions (6 yes/no, 6 multiple choice, 6 release dates)" in html
        assert "Release dates" in html
        assert "Interval coverage" in html
        assert "binomial test" in html
        assert "Your 80% intervals held the actual date" in html
        assert "Your words, calibrated" in html
        assert "No scored forecast of yours was given in words yet" in html
        assert "42 probability claims from 18 predictions" in html

    def test_only_dates(self):
        user = UserFactory()
        release(user, [(T0, vector())], actual=D0 + 75 * DAY, known_at=T0 + 75 * DAY)
        self.client.force_login(user)
        response = self.client.get(DASHBOARD)
        html = response.content.decode()
        assert not NAN.search(response.content)
        assert "your release-date predictions are scored in their own section" in html
        assert "Your 80% intervals held the actual date 1 of 1 time" in html

    def test_kind_filter(self):
        response = self.client.get(DASHBOARD, {"kind": "date"})
        html = response.content.decode()
        assert "With these filters: 6 scored predictions" in html
        response = self.client.get(DASHBOARD, {"kind": "binary"})
        assert "No scored release-date prediction matches these filters" in (
            response.content.decode()
        )


class QueryCountTests(CacheClearing):
    def test_selector_queries_do_not_grow(self):
        counts = []
        for n in (2, 7):
            user = UserFactory()
            add_mixed(user, n, tags=[tag(user, "t")])
            counts.append(queries(lambda u=user: scored_predictions(user=u, every_kind=True)))
            data = scored_predictions(user=user, every_kind=True)
            assert len(data.choices) == len(data.dates) == n
        # Predictions, forecasts, option probabilities, quantiles, tags.
        assert counts == [5, 5]

    def test_binary_only_costs_three(self):
        user = UserFactory()
        many_resolved(user, 5)
        assert queries(lambda: scored_predictions(user=user, every_kind=True)) == 3

    def test_dashboard_queries_do_not_grow(self):
        counts = []
        for n in (2, 6):
            user = UserFactory()
            services.profile_for(user)
            add_mixed(user, n, tags=[tag(user, "a")])
            self.client.force_login(user)
            cache.clear()
            cold = queries(lambda: self.client.get(DASHBOARD))
            warm = queries(lambda: self.client.get(DASHBOARD))
            counts += [cold, warm]
        assert counts[:2] == counts[2:]
        # The warm page skips the selector's five queries, the activity calendar's one and
        # the counts by state (its results region is cached whole).
        assert counts[1] == counts[0] - 7

    def test_prediction_score_queries(self):
        user = UserFactory()
        for make in (
            lambda n: choice(
                user,
                ["A", "B"],
                [(T0 + i * DAY, ["0.5", "0.5"]) for i in range(n)],
                winner="A",
                known_at=T0 + 30 * DAY,
            ),
            lambda n: release(
                user,
                [(T0 + i * DAY, vector()) for i in range(n)],
                actual=D0 + 50 * DAY,
                known_at=T0 + 30 * DAY,
            ),
            lambda n: resolved(
                user,
                [(T0 + i * DAY, "0.5") for i in range(n)],
                outcome=True,
                known_at=T0 + 40 * DAY,
            ),
        ):
            few, many = make(2), make(9)
            expected = 1 if few.kind == "binary" else 2
            assert queries(lambda p=few: prediction_score(p)) == expected
            assert queries(lambda p=many: prediction_score(p)) == expected


# --- Per-prediction score block -----------------------------------------------------


def render_score(prediction) -> str:
    return Template("{% load scores %}{% prediction_score prediction %}").render(
        Context({"prediction": prediction})
    )


class ScoreBlockTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()

    def test_binary(self):
        p = resolved(self.user, [(T0, "0.05")], outcome=True, known_at=T0 + DAY)
        html = render_score(p)
        assert (
            "Brier <strong>0.9025</strong> (final forecast 5%; 0–1 scale, lower is better) · "
            "time-averaged 0.90 · log loss 3.00 nats"
        ) in html

    def test_late_forecasts_are_noted(self):
        p = resolved(
            self.user, [(T0, "0.6"), (T0 + 3 * DAY, "0.99")], outcome=True, known_at=T0 + DAY
        )
        html = render_score(p)
        assert "Brier <strong>0.1600</strong>" in html
        assert "1 late forecast excluded" in html

    def test_not_scored(self):
        annulled = resolved(
            self.user, [(T0, "0.6")], outcome=True, known_at=T0 + DAY, status="annulled"
        )
        assert "Not scored: annulled." in render_score(annulled)
        all_late = resolved(self.user, [(T0 + 2 * DAY, "0.6")], outcome=True, known_at=T0 + DAY)
        assert "Not scored: every forecast was made after the outcome was known" in (
            render_score(all_late)
        )
        assert (
            render_score(resolved(self.user, [], outcome=True, known_at=T0)).count(
                "Not scored: there is no forecast."
            )
            == 1
        )

    def test_open_renders_nothing(self):
        p = services.prediction_create(
            owner=self.user,
            question="Open?",
            resolve_by=dt.date(2030, 1, 1),
            probability=Decimal("0.5"),
        )
        assert render_score(p) == ""

    def test_choice_names_the_winner_escaped(self):
        p = choice(
            self.user,
            ["<b>bold</b>", "plain"],
            [(T0, ["0.6", "0.4"])],
            winner="<b>bold</b>",
            known_at=T0 + DAY,
        )
        html = render_score(p)
        assert "final forecast gave “&lt;b&gt;bold&lt;/b&gt;” 60%" in html
        assert "<b>bold</b>" not in html
        assert "Brier <strong>0.1600</strong>" in html

    def test_dates(self):
        p = release(self.user, [(T0, vector())], actual=D0 + 140 * DAY, known_at=T0 + 140 * DAY)
        html = render_score(p)
        assert (
            "Pinball loss <strong>23.0</strong> days (mean of 11.0 at 10%, 40.0 at 50%, "
            "18.0 at 90%)" in html
        )
        assert (
            "weighted interval score <strong>46.0</strong> days (0.77 of the 60-day horizon" in html
        )
        assert "fell <strong>outside</strong> your 80% interval" in html
        assert "interval score 290 days" in html

    def test_on_the_detail_page(self):
        p = resolved(self.user, [(T0, "0.05")], outcome=True, known_at=T0 + DAY)
        self.client.force_login(self.user)
        html = self.client.get(reverse("predictions:detail", args=[p.pk])).content.decode()
        resolution = html[html.index('id="resolution-heading"') :]
        assert "<h3>Score</h3>" in resolution
        assert "Brier <strong>0.9025</strong>" in resolution


# --- Charts of every kind: escaping and isolation ---------------------------------------


def assert_svg(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.content).tag == SVG
    return response.content


class KindChartTests(CacheClearing):
    @classmethod
    def setUpTestData(cls):
        cls.owner = UserFactory()
        cls.evil = "<script>alert(1)</script>"
        cls.maths = r"$\frac{1}{0$ & co"
        cls.choice = choice(
            cls.owner,
            [cls.evil, cls.maths, "Plain"],
            [(T0, ["0.2", "0.3", "0.5"]), (T0 + 2 * DAY, ["0.6", "0.3", "0.1"])],
            winner=cls.evil,
            known_at=T0 + 5 * DAY,
        )
        cls.date = release(
            cls.owner,
            [(T0, vector()), (T0 + 10 * DAY, vector((25, 50, 90)))],
            actual=D0 + 75 * DAY,
            known_at=T0 + 75 * DAY,
        )
        cls.binary = resolved(cls.owner, [(T0, "0.3")], outcome=True, known_at=T0 + DAY)

    def url(self, prediction):
        return reverse("reports:prediction_chart", args=[prediction.pk])

    def test_option_labels_escaped_in_page_and_svg(self):
        self.client.force_login(self.owner)
        html = self.client.get(reverse("predictions:detail", args=[self.choice.pk])).content
        assert b"<script>alert(1)</script>" not in html
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html
        svg = assert_svg(self.client.get(self.url(self.choice)))
        assert b"<script" not in svg.lower()
        assert b"&lt;script&gt;alert(1)&lt;/script&gt; (won)" in svg
        assert rb"$\frac{1}{0$ &amp; co" in svg  # text, not mathtext

    def test_choice_chart_history(self):
        history = prediction_option_history(self.choice)
        assert history.labels == [self.evil, self.maths, "Plain"]
        assert history.probs.tolist() == [[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]

    def test_date_chart_is_a_fan_with_the_actual_date(self):
        self.client.force_login(self.owner)
        svg = assert_svg(self.client.get(self.url(self.date)))
        assert b"10\xe2\x80\x9390% (80% interval)" in svg  # "10–90%"
        assert b"Actual date" in svg
        assert b"Resolve by" in svg
        assert b"Median (50%)" in svg
        history = prediction_quantile_history(self.date)
        assert history.levels == [0.1, 0.5, 0.9]
        assert history.days.shape == (2, 3)

    def test_single_date_forecast_is_a_bar(self):
        single = release(self.owner, [(T0, vector())], actual=D0 + 75 * DAY, known_at=T0 + 80 * DAY)
        self.client.force_login(self.owner)
        svg = assert_svg(self.client.get(self.url(single)))
        assert b"forecast made 1 Mar 2024" in svg

    def test_binary_chart_marks_evidence(self):
        from sources.models import EvidenceLink, Source

        source = Source.objects.create(owner=self.owner, url="https://example.org/a", title="A")
        EvidenceLink.objects.create(prediction=self.binary, source=source)
        self.client.force_login(self.owner)
        assert b"Evidence linked" in assert_svg(self.client.get(self.url(self.binary)))

    def test_another_users_chart_is_404_for_every_kind(self):
        self.client.force_login(UserFactory())
        for prediction in (self.binary, self.choice, self.date):
            assert self.client.get(self.url(prediction)).status_code == 404
            shared = reverse("reports:shared_prediction_chart", args=[prediction.share_token])
            assert self.client.get(shared).status_code == 404  # private

    def test_shared_pages_show_the_chart_of_every_kind(self):
        for prediction in (self.binary, self.choice, self.date):
            Prediction.objects.filter(pk=prediction.pk).update(visibility="link")
            page = self.client.get(reverse("predictions:shared", args=[prediction.share_token]))
            html = page.content.decode()
            src = reverse("reports:shared_prediction_chart", args=[prediction.share_token])
            assert f'src="{src}"' in html
            assert_svg(self.client.get(src))


@strict_warnings  # a missing glyph, font or numpy unit would fail here
def test_kind_charts_render_without_warnings():

    def parse(svg):
        assert ET.fromstring(svg).tag == SVG
        return svg

    times = [T0 + i * DAY for i in range(4)]
    labels = [f"Option {i} with a rather long label" for i in range(20)]
    probs = np.full((4, 20), 0.05)
    svg = parse(
        choice_svg(
            times=times,
            labels=labels,
            probs=probs,
            known_at=T0 + 2 * DAY,
            winner=19,
            evidence_times=[T0 + DAY],
        )
    )
    assert b"Late (not scored)" in svg
    assert b"(won)" in svg
    assert b"Evidence linked" in svg
    parse(choice_svg(times=times[:1], labels=["A", "B"], probs=[[0.5, 0.5]], now=T0 + DAY))
    levels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    days = np.array(
        [[D0 + (10 * k + i) * DAY for k in range(1, 8)] for i in range(3)], dtype="datetime64[D]"
    )
    fan = parse(
        date_svg(
            times=times[:3],
            levels=levels,
            days=days,
            known_at=T0 + 1.5 * DAY,
            actual=D0 + 40 * DAY,
            resolve_by=D0 + 60 * DAY,
            evidence_times=[T0 + DAY],
        )
    )
    assert b"25\xe2\x80\x9375%" in fan
    assert b"Late median (not scored)" in fan
    bar = parse(
        date_svg(
            times=times[:1], levels=levels, days=days[:1], resolve_by=D0 + 60 * DAY, now=T0 + DAY
        )
    )
    assert b"Actual date" not in bar
    assert b"5\xe2\x80\x9395%" in bar
    for empty in (
        choice_svg(times=[], labels=[], probs=[]),
        date_svg(times=[], levels=[], days=[]),
    ):
        assert b"No forecast to chart yet" in parse(empty)


class UnscorableKindTests(TestCase):
    def test_resolution_without_winner_or_date_is_unscorable(self):
        user = UserFactory()
        p = choice(user, ["A", "B"], [(T0, ["0.5", "0.5"])], winner="A", known_at=T0 + DAY)
        d = release(user, [(T0, vector())], actual=D0 + 50 * DAY, known_at=T0 + 50 * DAY)
        Prediction.objects.filter(pk=p.pk).update(outcome_option=None)
        Prediction.objects.filter(pk=d.pk).update(outcome_date=None)
        data = scored_predictions(user=user, every_kind=True)
        assert data.choices.empty
        assert data.dates.empty
        assert data.unscorable == 2
        for prediction in (p, d):
            prediction.refresh_from_db()
            assert prediction_score(prediction).reason == "no_outcome"
            assert "Not scored: the resolution names no outcome." in render_score(prediction)
