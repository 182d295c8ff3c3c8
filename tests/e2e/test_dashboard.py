"""Browser journeys of the calibration dashboard: what a forecaster sees first, the
bucket click-through (a shared question you forecast on included), the period switch,
the collapsed sections and the phone layout."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Membership
from predictions.models import Forecast, Prediction, Tag
from tests.predictions.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DASHBOARD = reverse("reports:dashboard")
DAY = dt.timedelta(days=1)


def scored(owner, n: int, *, days_ago: int = 10, seed: int = 0, tags=()) -> None:
    """n resolved yes/no predictions with one forecast each, spread over the buckets;
    with `tags`, prediction i has tags[i % len(tags)]."""
    now = timezone.now()
    for i in range(n):
        p = (i * 37 + seed) % 101 / 100
        known = now - (days_ago + i % 5) * DAY
        prediction = Prediction.objects.create(
            owner=owner,
            question=f"Claim {seed}-{i}",
            resolve_by=known.date(),
            created_at=known - 3 * DAY,
            status=Prediction.Status.RESOLVED,
            outcome=(i * 7 + seed) % 10 < p * 10,
            known_at=known,
            resolved_at=known,
        )
        Forecast.objects.create(
            prediction=prediction,
            author_id=prediction.owner_id,
            created_at=known - 2 * DAY,
            probability=f"{p:.3f}",
        )
        if tags:
            prediction.tags.add(tags[i % len(tags)])


def bucket_counts(page) -> dict[str, int]:
    """The open bucket table's counts by bucket (its data-bucket), linked rows only."""
    counts = {}
    for row in page.locator(".bucket-table tbody tr").all():
        link = row.locator("th a")
        if link.count():
            counts[link.get_attribute("data-bucket")] = int(row.locator("td").first.inner_text())
    return counts


def top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_above_the_fold_the_chart_sentence_and_brier_come_first(page, logged_in):
    scored(logged_in, 40)
    page.goto(DASHBOARD)
    sentence = page.locator("#calibration-sentence")
    assert re.match(r"Your \d+% predictions came true \d+ of \d+ times", sentence.inner_text())
    fold = page.viewport_size["height"]
    chart, brier = top(page, ".calibration-chart"), top(page, ".brier-card .stat-number")
    sections = top(page, "details.section")
    assert chart < fold
    assert brier < fold
    assert top(page, "#calibration-sentence") < chart
    assert max(chart, brier) < sections
    assert page.locator(".brier-card .verdicts li").count() >= 2
    # Collapsed sections: the page is at most two screens long.
    length = page.evaluate("document.documentElement.scrollHeight")
    assert length <= 2 * fold
    print(f"desktop: {length / fold:.2f} screens with sections collapsed")
    page.console.assert_clean()


def test_clicking_a_bucket_lists_exactly_its_predictions(page, logged_in):
    scored(logged_in, 30)
    page.goto(DASHBOARD)
    page.locator("#section-buckets > summary").click()
    counts = bucket_counts(page)
    bucket = max(counts, key=counts.get)
    page.locator(f'.calibration-chart a[data-bucket="{bucket}"]').click()
    page.wait_for_url(re.compile(r"\?status=resolved&p=\d+"))
    rows = page.locator("#prediction-results tbody tr")
    assert rows.count() == counts[bucket]
    expected = {
        f"Claim 0-{i}" for i in range(30) if ((i * 37) % 101 * 10 + 50) // 100 == int(bucket) // 10
    }
    assert set(page.locator("#prediction-results .question-link").all_inner_texts()) == expected
    assert f"the {bucket}% bucket" in page.locator("#range-note").inner_text()
    # The same filter typed in the search box.
    page.goto(reverse("predictions:list"))
    page.fill("#id_q", f"{bucket}%")
    page.wait_for_function(
        "n => document.querySelectorAll('#prediction-results tbody tr').length === n",
        arg=counts[bucket],
    )
    page.console.assert_clean()


def test_period_switch_changes_the_numbers_and_the_links(page, logged_in):
    scored(logged_in, 12, days_ago=10, seed=1)
    scored(logged_in, 12, days_ago=300, seed=2)
    page.goto(DASHBOARD)
    labels = page.locator(".brier-card .stat-label").all_inner_texts()
    assert labels == ["All time", "Last 3 months"]
    page.get_by_role("link", name="Last 3 months").click()
    page.wait_for_url(re.compile(r"period=3m"))
    assert page.locator(".brier-card .stat-label").all_inner_texts() == [
        "Last 3 months",
        "All time",
    ]
    assert "12 scored predictions" in page.locator(".dashboard-status").inner_text()
    link = page.locator(".calibration-chart a.bucket-link").first.get_attribute("href")
    assert "resolved_from=" in link
    page.get_by_role("link", name="All time").click()
    assert "24 scored predictions" in page.locator(".dashboard-status").inner_text()
    page.console.assert_clean()


def test_sections_start_collapsed_and_remember_being_opened(page, logged_in):
    scored(logged_in, 10)
    page.goto(DASHBOARD)
    sections = page.locator("details.section")
    assert sections.count() >= 6
    assert page.evaluate("[...document.querySelectorAll('details.section')].every(d => !d.open)")
    first_lines = page.locator("details.section .summary-line").all_inner_texts()
    assert all(line.strip() for line in first_lines)
    page.locator("#section-words > summary").click()
    page.reload()
    assert page.evaluate("document.getElementById('section-words').open")
    assert not page.evaluate("document.getElementById('section-tags').open")
    page.locator("#section-words > summary").click()
    page.reload()
    assert not page.evaluate("document.getElementById('section-words').open")
    page.console.assert_clean()


# The smallest text of every chart on the page as rendered: inline SVG text by its
# computed size, an <img> SVG by the font sizes in its file, each scaled by the width the
# chart is shown at over the width it was drawn at.
SMALLEST_TEXT_JS = """async () => {
    const sizes = [];
    for (const t of document.querySelectorAll('main svg text')) {
        const svg = t.ownerSVGElement;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
    }
    for (const img of document.querySelectorAll('main img.chart')) {
        const text = await (await fetch(img.currentSrc || img.src)).text();
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const root = doc.documentElement;
        const width = root.viewBox.baseVal.width;
        const fonts = [...text.matchAll(/font-size(?:: |=")([0-9.]+)/g)].map(m => parseFloat(m[1]));
        if (!fonts.length) { sizes.push(0); continue; }  // text drawn as paths: unmeasurable
        sizes.push(Math.min(...fonts) * img.getBoundingClientRect().width / width);
    }
    return sizes;
}"""
WIDEST_JS = """Math.max(...[...document.querySelectorAll('main svg, main img')]
    .map(e => e.getBoundingClientRect().right))"""


def open_every_section(page) -> None:
    """Opens the collapsed sections; their (lazy) images need not load to be measured:
    the width attributes size them and the SVG is fetched by the measurement."""
    page.evaluate("() => document.querySelectorAll('details.section').forEach(d => d.open = true)")


def test_phone_layout_has_no_sideways_scroll_and_readable_chart_text(context, logged_in):
    a, b = (Tag.objects.create(owner=logged_in, name=name) for name in ("economy", "sport"))
    scored(logged_in, 30, tags=[a, b])
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(DASHBOARD)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The chart comes first on a phone, before the Brier score.
    assert top(page, ".calibration-chart") < top(page, ".brier-card")
    screens_collapsed = page.evaluate("document.documentElement.scrollHeight") / 812
    open_every_section(page)
    assert page.locator("main img.chart").count() == 3  # reliability, months, tags
    sizes = page.evaluate(SMALLEST_TEXT_JS)
    assert len(sizes) > 3
    assert min(sizes) >= 11, sizes
    assert page.evaluate(WIDEST_JS) <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The prediction page's chart as well.
    page.goto(reverse("predictions:detail", args=[Prediction.objects.first().pk]))
    assert page.locator("main img.chart").count() == 1
    assert min(page.evaluate(SMALLEST_TEXT_JS)) >= 11
    assert page.evaluate(WIDEST_JS) <= 375
    print(f"phone: {screens_collapsed:.2f} screens with sections collapsed")
    page.close()


def test_bucket_click_through_is_exact_with_several_tags_kind_and_dates(page, logged_in):
    a, b, c = (Tag.objects.create(owner=logged_in, name=n) for n in ("ai", "economy", "sport"))
    scored(logged_in, 45, tags=[a, b, c])
    made_from = (timezone.now() - 13 * DAY).date().isoformat()
    page.goto(f"{DASHBOARD}?tag={a.pk}&tag={b.pk}&kind=binary&created_from={made_from}")
    page.locator("#section-buckets > summary").click()
    counts = bucket_counts(page)
    assert sum(counts.values()) < 45  # the filters did narrow the buckets
    for bucket, count in list(counts.items())[:3]:
        page.locator(f'.calibration-chart a[data-bucket="{bucket}"]').click()
        page.wait_for_url(re.compile(r"p=\d+"))
        assert page.locator("#prediction-results tbody tr").count() == count
        note = page.locator("#range-note").inner_text()
        assert f"the {bucket}% bucket" in note
        assert "tagged ai or economy" in note
        page.go_back()
        page.locator(".bucket-table").wait_for(state="attached")
    page.console.assert_clean()


def test_changing_filters_by_htmx_updates_the_period_and_bucket_links(page, logged_in):
    a = Tag.objects.create(owner=logged_in, name="ai")
    scored(logged_in, 20, tags=[a])
    scored(logged_in, 10, seed=5)
    page.goto(DASHBOARD)
    page.locator(".custom-period > summary").click()
    with page.expect_response(
        lambda r: "/dashboard/" in r.url and r.request.headers.get("hx-request")
    ):
        page.get_by_role("checkbox", name="ai").check()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#period-links a')]"
        ".every(a => a.href.includes('tag='))"
    )
    for href in page.locator(".calibration-chart a.bucket-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert f"tag={a.pk}" in href
    assert "20 scored predictions" in page.locator(".dashboard-status").inner_text()
    # The switch then keeps the tag.
    page.get_by_role("link", name="Last 12 months").click()
    page.wait_for_url(re.compile(r"period=12m"))
    assert f"tag={a.pk}" in page.url
    assert "20 scored predictions" in page.locator(".dashboard-status").inner_text()
    page.console.assert_clean()


def test_bucket_click_through_counts_shared_questions_by_your_own_forecast(page, logged_in):
    """A question shared with your group that you forecast on is yours on the dashboard,
    bucketed by your final forecast (not the owner's), and its bucket lists it."""
    owner = UserFactory()
    group = Group.objects.create(name="Club")
    for user in (owner, logged_in):
        Membership.objects.create(group=group, user=user)
    scored(owner, 12, seed=3)  # the owner's forecasts spread over the buckets
    scored(logged_in, 10, seed=1)
    for prediction in Prediction.objects.filter(owner=owner):
        prediction.shared_with.add(group)
        Forecast.objects.create(
            prediction=prediction,
            author=logged_in,
            created_at=prediction.known_at - DAY,
            probability="0.120",
        )
    page.goto(f"{DASHBOARD}?group={group.pk}")
    page.locator("#section-buckets > summary").click()
    counts = bucket_counts(page)
    assert counts == {"10": 12}  # every shared question, in the bucket of your 12%
    page.locator('.calibration-chart a[data-bucket="10"]').click()
    page.wait_for_url(re.compile(r"p=10"))
    expected = {f"Claim 3-{i}" for i in range(12)}
    assert set(page.locator("#prediction-results .question-link").all_inner_texts()) == expected
    assert "shared with Club" in page.locator("#range-note").inner_text()
    # Without the group filter the bucket holds your own 10% predictions besides.
    page.goto(DASHBOARD)  # the buckets section stays open: it remembers being opened
    row = page.locator('.bucket-table tbody tr:has(th a[data-bucket="10"])')
    count = int(row.locator("td").first.inner_text())
    page.locator('.calibration-chart a[data-bucket="10"]').click()
    page.wait_for_url(re.compile(r"p=10"))
    assert page.locator("#prediction-results tbody tr").count() == count > 12
    page.console.assert_clean()
