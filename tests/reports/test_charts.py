"""reports.charts: valid, deterministic SVG without warnings, user text kept as text."""

import datetime as dt
import subprocess
import sys
import xml.etree.ElementTree as ET
import zoneinfo
from pathlib import Path

import numpy as np
import pytest

from reports.charts import alt_text, reliability
from reports.charts.bars import month_svg, tag_svg
from reports.charts.frame import placeholder_svg
from reports.charts.history import prediction_svg
from reports.scoring.calibration import buckets, corp
from tests.strict_warnings import STRICT_WARNINGS

pytestmark = STRICT_WARNINGS  # a missing glyph or font would fail here
SVG = "{http://www.w3.org/2000/svg}svg"
T0 = dt.datetime(2024, 3, 1, 12, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[2]


def parse(svg: bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG
    return root


def reliability_of(p, y) -> bytes:
    rel = corp(p, y, n_boot=20)
    table = buckets(p, y)
    rows = [
        {
            "count": r.count,
            "mean_forecast": r.mean_forecast,
            "observed": r.observed,
            "low": r.wilson_low,
            "high": r.wilson_high,
        }
        for r in table.itertuples()
    ]
    return reliability.reliability_svg(
        x=rel.x,
        recalibrated=rel.recalibrated,
        lower=rel.lower,
        upper=rel.upper,
        buckets=rows,
        histogram=np.histogram(p, bins=np.linspace(0, 1, 21))[0],
        histogram_edges=np.linspace(0, 1, 21),
    )


def test_reliability_is_deterministic_and_valid():
    rng = np.random.default_rng(1)
    p = np.round(rng.random(300), 3)
    y = (rng.random(300) < p).astype(int)
    first = reliability_of(p, y)
    assert first == reliability_of(p, y)
    parse(first)
    assert b"CORP recalibrated" in first
    assert b"90% consistency band" in first
    assert b"<dc:date>" not in first  # no timestamp in the metadata


@pytest.mark.parametrize("n", [1, 2])
def test_reliability_with_one_or_two_values(n):
    parse(reliability_of(np.array([0.7, 0.2][:n]), np.array([1, 0][:n])))


def test_empty_inputs_give_placeholders():
    for svg in (
        month_svg(labels=[], counts=[], briers=[]),
        tag_svg(labels=[], counts=[], briers=[]),
        prediction_svg(times=[], probs=[]),
        reliability.reliability_svg(
            x=[], recalibrated=[], lower=[], upper=[], buckets=[], histogram=[], histogram_edges=[]
        ),
    ):
        root = parse(svg)
        assert root.find("{http://www.w3.org/2000/svg}text") is not None


def test_placeholder_escapes_its_message():
    root = parse(placeholder_svg('<b>"x" & y</b>'))
    assert root.attrib["aria-label"] == '<b>"x" & y</b>'


def test_tag_names_stay_text():
    names = [
        "<script>alert(1)</script>",
        "$x^2$ and $y$",
        "\\frac{1}{0",
        "数学",
        "emoji 🙂",
        "a" * 60,
    ]
    svg = tag_svg(labels=names, counts=[3] * 6, briers=[0.1, 0.2, 0.3, 0.0, 0.25, 0.5])
    parse(svg)
    assert b"<script" not in svg
    assert b"&lt;script&gt;alert(1)&lt;" in svg  # escaped (and shortened)
    assert b"$x^2$ and $y$" in svg  # kept verbatim, not typeset as mathtext


def test_months_with_many_bars():
    labels = [f"M{i}" for i in range(24)]
    parse(month_svg(labels=labels, counts=list(range(24)), briers=[0.2] * 24))


def test_prediction_chart_marks_late_forecasts_and_evidence():
    svg = prediction_svg(
        times=[T0, T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=5)],
        probs=[0.3, 0.6, 0.9],
        known_at=T0 + dt.timedelta(days=2),
        outcome=1,
        evidence_times=[T0 + dt.timedelta(hours=20)],
        tz=zoneinfo.ZoneInfo("Europe/Berlin"),
    )
    parse(svg)
    for label in (b"Late (not scored)", b"Outcome known: YES", b"Evidence linked"):
        assert label in svg


def test_prediction_chart_single_forecast_open():
    svg = prediction_svg(times=[T0], probs=[0.05], now=T0 + dt.timedelta(minutes=1))
    parse(svg)
    assert b"Outcome known" not in svg


def test_rendering_never_loads_pyplot():
    code = (
        "import sys; from reports.charts import bars, dates, history, reliability; "
        "bars.month_svg(labels=['a'], counts=[1], briers=[0.1]); "
        "assert 'matplotlib.pyplot' not in sys.modules; assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --- Alt texts ------------------------------------------------------------------------


def test_reliability_alt_counts_claims_and_predictions():
    only_yes_no = alt_text.reliability_alt(n_points=12, n_predictions=12, mixed=False)
    assert only_yes_no.startswith("Reliability diagram of 12 probability claims: how often")
    assert "from 12 predictions" not in only_yes_no
    mixed = alt_text.reliability_alt(n_points=31, n_predictions=9, mixed=True)
    assert mixed.startswith("Reliability diagram of 31 probability claims from 9 predictions:")
    assert "CORP recalibration line, its 90% consistency band" in mixed
    assert mixed.endswith("The bucket table gives the same numbers.")
    one = alt_text.reliability_alt(n_points=1, n_predictions=1, mixed=False)
    assert "of 1 probability claim:" in one


def test_months_alt_names_the_span():
    assert "per month of resolution, Jan 2025 to Mar 2025, each bar" in alt_text.months_alt(
        ["Jan 2025", "Feb 2025", "Mar 2025"]
    )
    assert "per month of resolution, May 2024, each bar" in alt_text.months_alt(["May 2024"])


def test_tags_alt_says_how_many_tags_are_drawn():
    assert "for each of your 1 tag, each bar" in alt_text.tags_alt(n_drawn=1, n_tags=1)
    assert "for each of your 4 tags, each bar" in alt_text.tags_alt(n_drawn=4, n_tags=4)
    assert "for the 15 most-used of your 20 tags, each bar" in alt_text.tags_alt(
        n_drawn=15, n_tags=20
    )


def test_alt_texts_load_neither_django_nor_matplotlib():
    code = (
        "import sys; from reports.charts import alt_text; "
        "assert not any(m.split('.')[0] in ('django', 'matplotlib') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
