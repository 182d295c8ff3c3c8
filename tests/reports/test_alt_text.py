"""reports.charts.alt_text: the charts' alt texts, built from plain values."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

from reports.charts.alt_text import binary_alt, choice_alt, date_alt, day

D = dt.date


def test_day_is_written_as_on_the_pages():
    assert day(D(2026, 6, 1)) == "1 Jun 2026"
    assert day(D(2026, 12, 31)) == "31 Dec 2026"


def test_binary_names_every_forecast_oldest_first_and_the_known_day():
    points = [(D(2026, 1, 2), Decimal("0.2")), (D(2026, 3, 4), Decimal("0.705"))]
    assert binary_alt(points) == "Probability over time: 20% on 2 Jan 2026, 70.5% on 4 Mar 2026."
    assert binary_alt(points, D(2026, 4, 1)).endswith(
        "70.5% on 4 Mar 2026; outcome known 1 Apr 2026."
    )


def test_choice_gives_the_latest_forecast_and_the_winner():
    latest = [("Lyon", Decimal("0.65")), ("Turin", Decimal("0.35"))]
    assert choice_alt(1, latest) == (
        "Probability of each option over 1 forecast, one line per option; "
        "latest: Lyon 65%, Turin 35%. The history table gives every forecast."
    )
    text = choice_alt(3, latest, winner="Turin", known_on=D(2026, 5, 14))
    assert "over 3 forecasts," in text
    assert "; Turin won, known 14 May 2026." in text


def test_choice_without_forecasts():
    assert choice_alt(0) == (
        "Probability of each option over 0 forecasts, one line per option. "
        "The history table gives every forecast."
    )


def test_date_gives_the_quantiles_the_deadline_and_the_day_it_happened():
    latest = [(Decimal("0.1"), D(2026, 6, 1)), (Decimal("0.9"), D(2026, 9, 30))]
    assert date_alt(1, latest, D(2026, 12, 31)) == (
        "Release-date forecast; latest: 10% sure by 1 Jun 2026, 90% sure by 30 Sep 2026; "
        "resolve by 31 Dec 2026."
    )
    text = date_alt(4, latest, D(2026, 12, 31), happened_on=D(2026, 8, 3))
    assert text.startswith("Release-date forecasts over time (4), drawn as a fan of dates;")
    assert text.endswith("; it happened on 3 Aug 2026.")


def test_imports_no_django():
    code = (
        "import sys, reports.charts.alt_text; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
