"""Browser journeys: a forecaster's paths through the app in a real Chromium.

Run with ``python -m pytest tests/e2e``; see tests/e2e/README.md. Every journey also fails
on console errors, which is how a Content-Security-Policy violation (an inline script or
style the policy blocks) shows up.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from predictions import services
from predictions.models import Prediction
from sources.services import evidence_link_create
from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLAIM = "GPT-4 will be announced this week"
CRITERIA = "YES if OpenAI or Microsoft officially presents GPT-4 by Sunday."


def focused(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, limit: int = 12) -> None:
    """Presses Tab until the element with ``element_id`` has focus (keyboard only)."""
    for _ in range(limit):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    assert focused(page) == element_id, f"Tab never reached #{element_id}"


def mark_page(page) -> None:
    """Marks the document; a full page load loses the mark, an htmx swap keeps it."""
    page.evaluate("() => { window.__marker = 1; }")


def assert_same_page(page) -> None:
    assert page.evaluate("() => window.__marker") == 1, "a full page load happened"


def resolve_form(page, prediction):
    """The resolve form itself (the resolve page also offers an add-evidence form)."""
    url = reverse("predictions:resolve", args=[prediction.pk])
    return page.locator(f"form[action='{url}']")


def make_prediction(user, question=CLAIM, percent="5", days=4, **kwargs) -> Prediction:
    return services.prediction_create(
        owner=user,
        question=question,
        probability=Decimal(percent) / 100,
        resolve_by=timezone.localdate() + datetime.timedelta(days=days),
        **kwargs,
    )


# --- Journey 1: sign up, then the worked example with the keyboard only ----------------


def test_signup_and_enter_worked_example_with_keyboard_only(page):
    page.goto(reverse("signup"))
    tab_to(page, "id_username")
    page.keyboard.type("heise_reader")
    tab_to(page, "id_email")
    page.keyboard.type("reader@example.org")
    tab_to(page, "id_password1")
    page.keyboard.type(PASSWORD)
    tab_to(page, "id_password2")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(reverse("predictions:create")) + r"$"))

    # The entry form: claim (autofocused), probability, resolve-by, criteria, a new tag.
    resolve_by = timezone.localdate() + datetime.timedelta(days=4)
    tab_to(page, "id_question")
    page.keyboard.type(CLAIM)
    tab_to(page, "id_probability")
    page.keyboard.type("5%")
    tab_to(page, "id_resolve_by")
    page.keyboard.type(resolve_by.isoformat())  # a text box: ISO or words, any locale
    assert page.input_value("#id_resolve_by") == resolve_by.isoformat()
    tab_to(page, "id_resolution_criteria")
    page.keyboard.type(CRITERIA)
    tab_to(page, "id_new_tags")
    page.keyboard.type("ai")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/p/\d+/$"))

    prediction = Prediction.objects.get(question=CLAIM)
    assert prediction.owner.username == "heise_reader"
    assert prediction.owner.profile.timezone == "Europe/Berlin"  # proposed by site.js
    assert prediction.resolve_by == resolve_by
    assert prediction.resolution_criteria == CRITERIA
    assert [t.name for t in prediction.tags.all()] == ["ai"]
    assert [f.probability for f in prediction.forecasts.all()] == [Decimal("0.050")]
    assert page.url.endswith(reverse("predictions:detail", args=[prediction.pk]))
    assert page.locator("h1").inner_text() == CLAIM
    assert page.locator("#forecast-panel .big-prob").inner_text() == "5%"
    page.console.assert_clean()


# --- Journey 2: update in place, (evidence), resolve YES -------------------------------


def test_update_forecast_in_place_then_resolve_yes(page, logged_in):
    prediction = make_prediction(logged_in)
    page.goto(reverse("predictions:detail", args=[prediction.pk]))
    mark_page(page)

    panel = page.locator("#forecast-panel")
    panel.get_by_label("New probability").fill("70")
    panel.get_by_label("Why (optional)").fill("Microsoft Germany confirmed the date.")
    with page.expect_response(
        lambda r: r.url.endswith(reverse("predictions:forecast", args=[prediction.pk]))
    ) as response_info:
        panel.get_by_role("button", name="Update forecast").click()
    response = response_info.value
    assert response.request.headers.get("hx-request") == "true"
    assert response.status == 200
    page.locator("#forecast-panel .message-success").wait_for()

    assert_same_page(page)
    assert page.locator("#forecast-panel .big-prob").inner_text() == "70%"
    newest = page.locator("#forecast-panel tbody tr").first
    assert "5% → 70%" in newest.inner_text()
    assert "Microsoft Germany confirmed the date." in newest.inner_text()
    assert [f.probability for f in prediction.forecasts.all()] == [
        Decimal("0.050"),
        Decimal("0.700"),
    ]

    # Resolve YES through the resolve form, with a note.
    page.get_by_role("link", name="Resolve", exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("predictions:resolve", args=[prediction.pk]))))
    form = resolve_form(page, prediction)
    form.get_by_role("radio", name="YES: it happened").check()
    form.get_by_label(re.compile(r"^Note:?$")).fill("Announced on Tuesday at the OpenAI event.")
    form.get_by_role("button", name="Resolve", exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("predictions:detail", args=[prediction.pk]))))

    resolution = page.locator("section[aria-labelledby=resolution-heading]")
    assert resolution.locator("strong").first.inner_text() == "YES"
    assert "Announced on Tuesday at the OpenAI event." in resolution.inner_text()
    prediction.refresh_from_db()
    assert prediction.status == Prediction.Status.RESOLVED
    assert prediction.outcome is True
    assert prediction.resolution_note == "Announced on Tuesday at the OpenAI event."
    page.console.assert_clean()


HEISE_URL = (
    "https://www.heise.de/news/GPT-4-is-coming-next-week-and-it-will-be-multimodal-"
    "says-Microsoft-Germany-7540972.html"
)
HEISE_TITLE = "GPT-4 is coming next week – and it will be multimodal, says Microsoft Germany"
ANNOUNCEMENT_URL = "https://openai.com/index/gpt-4-research/"
ANNOUNCEMENT_TITLE = "GPT-4 (OpenAI announcement)"


def add_evidence(page, *, url, title, publisher, stance, note="", quote="") -> None:
    """Types a source by hand into the evidence form; never presses "Fetch title"."""
    section = page.locator("#evidence-section")
    details = section.locator("details.evidence-add")
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    form = section.locator("#evidence-form")
    form.get_by_label("Link").fill(url)
    form.get_by_label("Title").fill(title)
    form.get_by_label("Publisher").fill(publisher)
    form.get_by_role("radio", name=stance).check()
    if quote:
        form.get_by_label("Quote").fill(quote)
    if note:
        form.get_by_label("Your note").fill(note)
    form.get_by_role("button", name="Add evidence", exact=True).click()
    page.locator("#evidence-section li", has_text=title).first.wait_for()


def test_heise_evidence_cited_in_update_and_resolution(page, logged_in):
    prediction = make_prediction(logged_in)
    detail = reverse("predictions:detail", args=[prediction.pk])
    page.goto(detail)
    fetches = []
    page.on("request", lambda r: "fetch-title" in r.url and fetches.append(r.url))

    mark_page(page)
    add_evidence(
        page,
        url=HEISE_URL,
        title=HEISE_TITLE,
        publisher="heise online",
        stance="Supports",
        quote="We will introduce GPT-4 next week",
        note="Probably a slip of the tongue; I doubt it.",
    )
    assert_same_page(page)
    link = prediction.evidence_links.get()
    assert link.stance == "supports"
    assert link.source.url.startswith("https://www.heise.de/news/GPT-4-is-coming")
    assert link.source.title == HEISE_TITLE
    assert link.note == "Probably a slip of the tongue; I doubt it."

    # Update the forecast citing the article.
    page.goto(detail)
    mark_page(page)
    panel = page.locator("#forecast-panel")
    panel.get_by_label("Prompted by evidence (optional)").select_option(label=str(link))
    panel.get_by_label("New probability").fill("10")
    panel.get_by_label("Why (optional)").fill("Still doubtful, but he repeated it.")
    panel.get_by_role("button", name="Update forecast").click()
    page.locator("#forecast-panel .message-success").wait_for()
    assert_same_page(page)
    newest = page.locator("#forecast-panel tbody tr").first
    assert "5% → 10%" in newest.inner_text()
    assert HEISE_TITLE in newest.inner_text()
    assert prediction.forecasts.order_by("-created_at", "-pk").first().evidence_id == link.pk

    # The announcement settles it: add it, then resolve YES citing it.
    page.goto(detail)
    add_evidence(
        page,
        url=ANNOUNCEMENT_URL,
        title=ANNOUNCEMENT_TITLE,
        publisher="OpenAI",
        stance="Resolves",
        note="Announced on Tuesday.",
    )
    announcement = prediction.evidence_links.get(stance="resolves")
    page.goto(reverse("predictions:resolve", args=[prediction.pk]))
    form = resolve_form(page, prediction)
    form.get_by_role("radio", name="YES: it happened").check()
    form.get_by_label("Resolving source (optional)").select_option(label=str(announcement))
    form.get_by_label(re.compile(r"^Note:?$")).fill("GPT-4 was announced this week.")
    form.get_by_role("button", name="Resolve", exact=True).click()
    page.wait_for_url(re.compile(re.escape(detail) + r"$"))

    resolution = page.locator("section[aria-labelledby=resolution-heading]")
    assert resolution.locator("strong").first.inner_text() == "YES"
    assert ANNOUNCEMENT_TITLE in resolution.inner_text()
    prediction.refresh_from_db()
    assert prediction.outcome is True
    assert prediction.resolution_evidence_id == announcement.pk
    assert fetches == [], "the journey must never fetch a title from the internet"
    page.console.assert_clean()


# --- Journey 3: the dashboard counts the miss in its bucket ----------------------------


def test_dashboard_counts_the_miss_and_every_chart_loads(page, logged_in):
    dashboard = reverse("reports:dashboard")
    ai = services.tags_for_names(owner=logged_in, names=["ai"])
    worked = make_prediction(logged_in, days=0, tags=ai)
    services.prediction_resolve(prediction=worked, outcome="yes", note="Announced.")
    # The reliability section needs a handful of scored predictions (in other buckets).
    for question, percent, outcome in [
        ("The model ships before June", "30", "no"),
        ("This paper's result will replicate", "55", "yes"),
        ("The bill passes the Senate", "75", "yes"),
        ("The launch slips to next year", "85", "no"),
        ("The merger closes this quarter", "65", "yes"),
    ]:
        other = make_prediction(logged_in, question=question, percent=percent, days=0, tags=ai)
        services.prediction_resolve(prediction=other, outcome=outcome)

    page.goto(dashboard)
    page.wait_for_load_state("load")
    # Everything beyond the headline is in collapsed sections: open them, as a reader would.
    for summary in page.locator("details.section > summary").all():
        summary.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('main img')].every(i => i.complete)"
    )
    images = page.locator("main img")
    assert images.count() >= 3, "the dashboard should show reliability, month and tag charts"
    broken = page.evaluate(
        """() => [...document.querySelectorAll('main img')]
            .filter(img => !img.complete || img.naturalWidth === 0)
            .map(img => img.src)"""
    )
    assert broken == [], f"charts that did not load: {broken}"
    for img in images.all():
        assert img.get_attribute("alt"), "every chart needs alt text"

    # The bucket whose half-open range holds 5% counts exactly the worked example, a hit.
    # (docs/design.md §4 centres buckets on 0, 10, … 100%, so 5% opens the "10% (5–15%)" bucket.)
    bucket = None
    for row in page.locator(".bucket-table tbody tr").all():
        label = row.locator("th").inner_text()
        match = re.search(r"\((\d+)\s*[–-]\s*(\d+)%\)", label)
        assert match, f"bucket label without a range: {label!r}"
        if int(match[1]) <= 5 < int(match[2]) or int(match[1]) == int(match[2]) == 5:
            bucket = row
            break
    assert bucket is not None, "no bucket holds 5%"
    predictions_cell, came_true_cell = bucket.locator("td").all_inner_texts()[:2]
    assert (predictions_cell.strip(), came_true_cell.strip()) == ("1", "1"), label
    page.console.assert_clean()


# --- Journey 4: CSV export from the browser --------------------------------------------


def test_export_csv_download_holds_the_scored_prediction(page, logged_in):
    export = reverse("reports:export_csv")
    prediction = make_prediction(logged_in)
    services.prediction_resolve(prediction=prediction, outcome="yes", note="Announced.")

    page.goto(reverse("predictions:list"))
    link = page.locator(f"a[href*='{export}']")
    if link.count():
        with page.expect_download() as download_info:
            link.first.click()
    else:  # no link on the list yet: download the file directly
        with page.expect_download() as download_info:
            page.evaluate(f"() => {{ window.location.href = {json.dumps(export)}; }}")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")

    rows = [
        r for r in csv.DictReader(io.StringIO(text)) if r["prediction_id"] == str(prediction.pk)
    ]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["question"] == CLAIM
    assert Decimal(row["probability"]) == Decimal("0.05")
    assert row["outcome"] == "1"
    assert Decimal(row["brier"]) == pytest.approx(Decimal("0.9025"))
    assert Decimal(row["prediction_brier"]) == pytest.approx(Decimal("0.9025"))
    page.console.assert_clean()


# --- Journey 5: the list's search narrows in place -------------------------------------


def test_search_narrows_the_list_in_place_and_updates_the_url(page, logged_in):
    make_prediction(logged_in)
    make_prediction(logged_in, question="The model ships before June", percent="40")
    make_prediction(logged_in, question="This paper's result will replicate", percent="30")

    page.goto(reverse("predictions:list"))
    rows = page.locator("#prediction-results tbody tr")
    assert rows.count() == 3
    mark_page(page)

    with page.expect_response(lambda r: "q=replicate" in r.url) as response_info:
        page.locator("#id_q").press_sequentially("replicate")
    assert response_info.value.request.headers.get("hx-request") == "true"
    page.wait_for_url(re.compile(r"[?&]q=replicate"))
    page.wait_for_function(
        "() => document.querySelectorAll('#prediction-results tbody tr').length === 1"
    )
    assert rows.first.inner_text().startswith("This paper's result will replicate")
    assert_same_page(page)
    page.console.assert_clean()


# --- Accessibility (axe-core) and console errors on every page -------------------------


def settle(page) -> None:
    """Lets late console messages (failed subresources) arrive before they are read."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")


def run_axe(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Served by the app itself: the CSP blocks inline scripts, add_script_tag(path=...)
        # would inject one.
        page.add_script_tag(url="/static/vendor/axe.min.js")
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"      {node['target']}: {node['html'][:160]}" for node in v["nodes"][:5])
    return "\n".join(lines)


def test_pages_pass_axe_and_log_no_console_errors(page, logged_in):
    open_one = make_prediction(logged_in, question="The model ships before June", percent="40")
    services.forecast_create(prediction=open_one, author=logged_in, probability=Decimal("0.6"))
    evidence_link_create(
        prediction=open_one,
        owner=logged_in,
        stance="supports",
        url=HEISE_URL,
        title=HEISE_TITLE,
        publisher="heise online",
        quote="We will introduce GPT-4 next week",
        note="I doubt it.",
    )
    due = make_prediction(
        logged_in, days=-1, tags=services.tags_for_names(owner=logged_in, names=["ai"])
    )
    resolved = make_prediction(logged_in, question="This paper's result will replicate", days=0)
    services.prediction_resolve(prediction=resolved, outcome="no", note="It did not.")

    pages = {
        "list": reverse("predictions:list"),
        "create": reverse("predictions:create"),
        "create (multiple choice)": reverse("predictions:create") + "?kind=multiple_choice",
        "create (date)": reverse("predictions:create") + "?kind=date",
        "detail (open)": reverse("predictions:detail", args=[open_one.pk]),
        "detail (resolved)": reverse("predictions:detail", args=[resolved.pk]),
        "due": reverse("predictions:due"),
        "resolve": reverse("predictions:resolve", args=[due.pk]),
        "edit": reverse("predictions:edit", args=[open_one.pk]),
        "share": reverse("predictions:share", args=[open_one.pk]),
        "profile": reverse("profile"),
    }
    for name in (
        "reports:dashboard",
        "reports:export_columns",
        "reports:import_upload",
        "sources:library",
    ):
        pages[name] = reverse(name)
    axe_pages = {
        "list",
        "create",
        "detail (open)",
        "detail (resolved)",
        "due",
        "resolve",
        "reports:dashboard",
        "reports:import_upload",
        "sources:library",
    }

    problems = []
    for name, url in pages.items():
        response = page.goto(url)
        page.wait_for_load_state("load")
        settle(page)
        errors, page.console.errors = page.console.errors, []
        if response.status != 200:
            problems.append(f"{name} ({url}): HTTP {response.status}")
            continue
        if errors:
            problems.append(f"{name} ({url}): console errors:\n  " + "\n  ".join(errors))
        if name in axe_pages:
            violations = run_axe(page)
            if violations:
                problems.append(f"{name} ({url}): axe violations:\n{describe(violations)}")
    assert not problems, "\n".join(problems)


def test_anonymous_pages_pass_axe_and_log_no_console_errors(page):
    problems = []
    for name in ("login", "signup"):
        page.goto(reverse(name))
        settle(page)
        errors, page.console.errors = page.console.errors, []
        if errors:
            problems.append(f"{name}: console errors:\n  " + "\n  ".join(errors))
        if violations := run_axe(page):
            problems.append(f"{name}: axe violations:\n{describe(violations)}")
    assert not problems, "\n".join(problems)
