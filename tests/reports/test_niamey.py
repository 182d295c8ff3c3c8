"""The dashboard reproduces the published CORP example (precip_Niamey_2016, EMOS).

The 92 EMOS forecasts become 92 resolved predictions; the model stores probabilities to
0.001, so the page is compared with calibration.corp and calibration.buckets on the same rounded
values (and, to the published precision, with the paper's figures).
"""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from predictions.models import Forecast, Prediction
from reports.scoring.calibration import buckets, corp
from tests.predictions.factories import UserFactory

DATA = Path(__file__).resolve().parents[1] / "data" / "precip_Niamey_2016.csv"


class NiameyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = UserFactory()
        rows = pd.read_csv(DATA)
        cls.p = np.array([round(v, 3) for v in rows["EMOS"]])
        cls.y = rows["obs"].to_numpy(dtype=int)
        for day, p, y in zip(rows["date"], cls.p, cls.y, strict=True):
            made = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) - dt.timedelta(hours=12)
            prediction = Prediction.objects.create(
                owner=cls.user,
                question=f"Rain in Niamey on {day}",
                resolve_by=dt.date.fromisoformat(day),
                created_at=made,
                status=Prediction.Status.RESOLVED,
                outcome=bool(y),
                known_at=made + dt.timedelta(days=1),
                resolved_at=made + dt.timedelta(days=1),
            )
            Forecast.objects.create(
                prediction=prediction,
                author_id=prediction.owner_id,
                created_at=made,
                probability=Decimal(f"{p:.3f}"),
            )

    def setUp(self):
        cache.clear()
        self.client.force_login(self.user)

    def test_decomposition_and_buckets_shown(self):
        html = self.client.get(reverse("reports:dashboard")).content.decode()
        rel = corp(self.p, self.y)
        shown = {
            name: float(re.search(rf"\({name}\) ([0-9.]+)</dt>", html).group(1))
            for name in ("MCB", "DSC", "UNC")
        }
        assert shown == {
            "MCB": round(rel.mcb, 4),
            "DSC": round(rel.dsc, 4),
            "UNC": round(rel.unc, 4),
        }
        # The published figures (PNAS 2021): MCB 0.0183, DSC 0.0305, UNC 0.244.
        assert abs(shown["MCB"] - 0.0183) <= 0.0002
        assert abs(shown["DSC"] - 0.0305) <= 0.0002
        assert abs(shown["UNC"] - 0.244) <= 0.0005
        assert "Brier 0.2320 = miscalibration" in html
        assert "92 scored predictions" in html

        table = buckets(self.p, self.y)
        body = html[html.index("<caption>Calibration by bucket</caption>") :]
        body = body[: body.index("</table>")]
        cell = r'\s*<td class="num">(\d+)</td>'
        rows = re.findall(rf'<th scope="row">(?:<a [^>]*>)?(\d+)%.*?</th>{cell}{cell}', body, re.S)
        assert [(int(c), int(n), int(h)) for c, n, h in rows] == [
            (round(r.centre * 100), r.count, r.hits) for r in table.itertuples()
        ]
        assert sum(int(n) for _, n, _ in rows) == 92
