"""The question's chart lines (reports/question_lines.py) from the forecasts a viewer
sees: for a question with one forecaster they are what the per-prediction selectors
read; on a shared one, only the viewer's own forecasts, and the community line only
when hiding allows."""

import datetime as dt
from decimal import Decimal

import numpy as np
from django.urls import reverse
from django.utils import timezone

from predictions import forecasters, services
from reports.charts.history import choice_chart_height
from reports.question_lines import binary_line, option_line, quantile_line
from reports.selectors.history import (
    prediction_history,
    prediction_option_history,
    prediction_quantile_history,
)
from tests.predictions.factories import ForecastFactory, PredictionFactory
from tests.predictions.shared_setup import SharedQuestionCase

NOW = timezone.now()


def view(prediction, viewer):
    return forecasters.question_view(prediction, viewer, NOW.date())


class LinesTests(SharedQuestionCase):
    def test_one_forecasters_lines_are_what_the_selectors_read(self):
        binary = PredictionFactory(owner=self.owner)
        for i, p in enumerate(("0.2", "0.35", "0.9")):
            ForecastFactory(
                prediction=binary,
                probability=Decimal(p),
                created_at=NOW - dt.timedelta(days=3 - i),
            )
        times, probs = binary_line(view(binary, self.owner).line)
        selected = prediction_history(binary)
        assert probs == selected["probability"].tolist()
        assert times == selected["created_at"].tolist()

        resolve_by = NOW.date() + dt.timedelta(days=30)
        choice = services.prediction_create(
            owner=self.owner,
            kind="multiple_choice",
            question="Which?",
            resolve_by=resolve_by,
            options=["A", "B", "C"],
            option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
        )
        services.forecast_create(
            prediction=choice,
            author=self.owner,
            option_probabilities=[Decimal("0.1"), Decimal("0.6"), Decimal("0.3")],
        )
        mine, theirs = (
            option_line(choice, view(choice, self.owner).line),
            (prediction_option_history(choice)),
        )
        assert mine.labels == theirs.labels
        assert mine.option_ids == theirs.option_ids
        np.testing.assert_allclose(mine.probs, theirs.probs)

        day = NOW.date() + dt.timedelta(days=10)
        release = services.prediction_create(
            owner=self.owner,
            kind="date",
            question="When?",
            resolve_by=resolve_by,
            quantiles={
                Decimal("0.1"): day,
                Decimal("0.5"): day + dt.timedelta(days=5),
                Decimal("0.9"): day + dt.timedelta(days=9),
            },
        )
        services.forecast_create(
            prediction=release,
            author=self.owner,
            quantiles={
                Decimal("0.05"): day,
                Decimal("0.1"): day + dt.timedelta(days=1),
                Decimal("0.5"): day + dt.timedelta(days=6),
                Decimal("0.9"): day + dt.timedelta(days=20),
            },
        )
        mine_q = quantile_line(view(release, self.owner).line)
        theirs_q = prediction_quantile_history(release)
        assert mine_q.levels == theirs_q.levels
        np.testing.assert_array_equal(mine_q.days, theirs_q.days)

    def test_a_members_line_is_their_own_and_the_community_follows_everyone(self):
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        member_view = view(self.prediction, self.member)
        assert [f.author_id for f in member_view.line] == [self.member.pk]
        assert [pooled.forecasters for _, pooled in member_view.history] == [1, 2]
        owner_view = view(self.prediction, self.owner)
        assert [f.author_id for f in owner_view.line] == [self.owner.pk]

    def test_the_chart_follows_the_viewer(self):
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        chart = reverse("reports:prediction_chart", args=[self.prediction.pk])
        member_svg = self.as_user(self.member).get(chart).content
        owner_svg = self.as_user(self.owner).get(chart).content
        assert b"Community" in member_svg
        assert b"Community" in owner_svg
        assert member_svg != owner_svg  # each draws their own line

    def test_multiple_choice_charts_draw_the_community_once_allowed(self):
        choice = services.prediction_create(
            owner=self.owner,
            kind="multiple_choice",
            question="Which?",
            resolve_by=NOW.date() + dt.timedelta(days=30),
            options=["A", "B"],
            option_probabilities=[Decimal("0.8"), Decimal("0.2")],
        )
        self.shared(choice)
        chart = reverse("reports:prediction_chart", args=[choice.pk])
        detail = reverse("predictions:detail", args=[choice.pk])
        client = self.as_user(self.member)
        assert b"Community" not in client.get(chart).content
        services.forecast_create(
            prediction=choice,
            author=self.member,
            option_probabilities=[Decimal("0.4"), Decimal("0.6")],
        )
        assert b"Community" in client.get(chart).content
        # The image's size leaves the community's legend row its room.
        page = client.get(detail).content.decode()
        assert f'height="{choice_chart_height(2, community=True)}"' in page
