"""Query budgets of a question shared with a group: its page, seen by the owner and by a
member, and the htmx fragments it uses (forecast panel, comment timeline) cost the same
with 2 members and 2 forecasts as with 12 members and 40 forecasts, for every kind."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups.models import Membership
from predictions import services
from predictions.models import Prediction
from tests.groups.helpers import Cast
from tests.predictions.factories import UserFactory

HTMX = {"HX-Request": "true"}
TODAY = dt.date.today()


def payload(kind: str, i: int) -> dict:
    """A valid forecast of `kind`, different for each i."""
    if kind == Prediction.Kind.BINARY:
        return {"probability": Decimal(5 + i % 90) / 100}
    if kind == Prediction.Kind.MULTIPLE_CHOICE:
        first = Decimal(10 + i % 60) / 100
        return {"option_probabilities": [first, Decimal("0.9") - first, Decimal("0.1")]}
    day = TODAY + dt.timedelta(days=10 + i % 30)
    return {
        "quantiles": {
            Decimal("0.1"): day,
            Decimal("0.5"): day + dt.timedelta(days=5),
            Decimal("0.9"): day + dt.timedelta(days=9),
        }
    }


class SharedQuestionQueryTests(TestCase):
    def setUp(self):
        self.cast = Cast()
        self.forecasters = [self.cast.owner, self.cast.member]

    def question(self, kind: str) -> Prediction:
        extra = {"options": ["Red", "Green", "Blue"]} if kind == "multiple_choice" else {}
        first = payload(kind, 0)
        if kind == Prediction.Kind.MULTIPLE_CHOICE:
            first = {"option_probabilities": first["option_probabilities"]}
        prediction = services.prediction_create(
            owner=self.cast.owner,
            kind=kind,
            question=f"Shared {kind} question",
            resolve_by=TODAY + dt.timedelta(days=90),
            **extra,
            **first,
        )
        services.prediction_share_with_groups(prediction=prediction, groups=[self.cast.group])
        services.forecast_create(
            prediction=prediction, author=self.cast.member, rationale="", **payload(kind, 1)
        )
        return prediction

    def grow(self, prediction: Prediction, members: int, forecasts: int) -> None:
        """Up to `members` members in all, and `forecasts` more forecasts among them."""
        while len(self.forecasters) < members:
            user = UserFactory()
            Membership.objects.create(group=self.cast.group, user=user)
            self.forecasters.append(user)
        for i in range(forecasts):
            services.forecast_create(
                prediction=prediction,
                author=self.forecasters[i % len(self.forecasters)],
                rationale=f"Reason {i}",
                **payload(prediction.kind, i + 2),
            )

    def counts(self, prediction: Prediction) -> dict:
        urls = {
            "page": (reverse("predictions:detail", args=[prediction.pk]), {}),
            "panel": (reverse("predictions:detail", args=[prediction.pk]), HTMX),
            "timeline": (reverse("comments:thread", args=[prediction.pk]), HTMX),
        }
        result = {}
        for viewer in ("owner", "member"):
            self.client.force_login(getattr(self.cast, viewer))
            for name, (url, headers) in urls.items():
                self.client.get(url, headers=headers)  # warm: the viewer's profile is made
                with CaptureQueriesContext(connection) as ctx:
                    response = self.client.get(url, headers=headers)
                assert response.status_code == 200, (viewer, name)
                result[viewer, name] = len(ctx.captured_queries)
        return result

    def test_costs_do_not_grow_with_members_or_forecasts(self):
        for kind in Prediction.Kind.values:
            with self.subTest(kind=kind):
                prediction = self.question(kind)
                few = self.counts(prediction)
                self.grow(prediction, members=12, forecasts=38)  # 40 in all with the 2
                assert prediction.forecasts.count() == 40
                assert prediction.forecasts.values("author").distinct().count() == 12
                assert self.counts(prediction) == few
