"""Phones (375×812): no page the owner can reach scrolls sideways, with long words and
URLs in the data, and wide tables say that more columns exist.

Each page is loaded at 375 px and document.scrollingElement.scrollWidth must not exceed
375: a page that scrolls sideways drags everything with a thumb's slip.
"""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from predictions import services
from predictions.models import Prediction
from sources.services import evidence_link_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
LONG_WORD = "Supercalifragilisticexpialidocious" * 3
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-breaks" * 4 + "?q=" + "x" * 80


@pytest.fixture
def long_data(logged_in):
    """One prediction of each kind, with long unbroken words, evidence with a long URL,
    and one of them due."""
    today = timezone.localdate()
    binary = services.prediction_create(
        owner=logged_in,
        question=f"GPT-4 will be announced this week {LONG_WORD}",
        probability=Decimal("0.05"),
        resolve_by=today + datetime.timedelta(days=5),
        resolution_criteria=f"See {LONG_URL}",
        tags=services.tags_for_names(owner=logged_in, names=["ai", LONG_WORD[:40]]),
    )
    services.prediction_create(
        owner=logged_in,
        question=f"Due already {LONG_WORD}",
        probability=Decimal("0.4"),
        resolve_by=today - datetime.timedelta(days=3),
    )
    choice = services.prediction_create(
        owner=logged_in,
        kind=Prediction.Kind.MULTIPLE_CHOICE,
        question="Who announces first?",
        resolve_by=today + datetime.timedelta(days=30),
        options=[LONG_WORD, "Google", "Meta"],
        option_probabilities=[Decimal("0.5"), Decimal("0.3"), Decimal("0.2")],
    )
    dated = services.prediction_create(
        owner=logged_in,
        kind=Prediction.Kind.DATE,
        question="When does GPT-5 ship?",
        resolve_by=today + datetime.timedelta(days=400),
        quantiles={
            Decimal("0.1"): today + datetime.timedelta(days=30),
            Decimal("0.5"): today + datetime.timedelta(days=120),
            Decimal("0.9"): today + datetime.timedelta(days=300),
        },
    )
    link = evidence_link_create(
        prediction=binary,
        owner=logged_in,
        stance="supports",
        url=LONG_URL,
        title=f"A headline with {LONG_WORD}",
        publisher=LONG_WORD,
        quote=LONG_WORD,
        note=LONG_URL,
    )
    return {"binary": binary, "choice": choice, "dated": dated, "link": link}


def scroll_width(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth")


def keep_screenshot(page, url: str) -> None:
    """With FALSIFIABLE_SCREENSHOTS=<folder>, keeps each page as a PNG to look at."""
    folder = os.environ.get("FALSIFIABLE_SCREENSHOTS")
    if folder:
        name = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") or "home"
        page.screenshot(path=str(Path(folder) / f"phone_{name}.png"), full_page=True)


def test_no_page_scrolls_sideways_on_a_phone(page, long_data):
    page.set_viewport_size(PHONE)
    binary, choice, dated = long_data["binary"], long_data["choice"], long_data["dated"]
    pages = [
        reverse("predictions:list"),
        reverse("predictions:create"),
        reverse("predictions:create") + "?kind=multiple_choice",
        reverse("predictions:create") + "?kind=date",
        reverse("predictions:due"),
        reverse("predictions:detail", args=[binary.pk]),
        reverse("predictions:detail", args=[choice.pk]),
        reverse("predictions:detail", args=[dated.pk]),
        reverse("predictions:edit", args=[binary.pk]),
        reverse("predictions:resolve", args=[binary.pk]),
        reverse("predictions:share", args=[binary.pk]),
        reverse("sources:library"),
        reverse("sources:source_edit", args=[long_data["link"].source_id]),
        reverse("sources:evidence_edit", args=[long_data["link"].pk]),
        reverse("reports:dashboard"),
        reverse("reports:import_upload"),
        reverse("profile"),
    ]
    too_wide = {}
    for url in pages:
        page.goto(url)
        keep_screenshot(page, url)
        width = scroll_width(page)
        if width > PHONE["width"]:
            too_wide[url] = width
    assert too_wide == {}, f"pages wider than {PHONE['width']} px: {too_wide}"


def test_wide_tables_show_the_main_columns_and_say_more_exist(page, long_data):
    page.set_viewport_size(PHONE)
    for url in (reverse("sources:library"), reverse("predictions:list")):
        page.goto(url)
        wrap = page.locator(".table-wrap").first
        first_column = wrap.locator("th").first.bounding_box()
        assert first_column["x"] >= 0
        assert first_column["x"] + first_column["width"] <= PHONE["width"], url
        assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), url
        hint = page.locator(".more-columns").first
        assert hint.is_visible(), f"{url}: a table wider than the phone gives no sign"
        assert "more columns" in hint.inner_text()
        # Scrolled to its end, the table has nothing more to show and the hint goes.
        wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        hint.wait_for(state="hidden")
    page.console.assert_clean()
