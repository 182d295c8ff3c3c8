"""The whole forecasting-together journey of issue #14 in a real browser, two users in two
browser contexts: A creates a group and copies its invitation link, B joins by it; A
creates a yes/no question and shares it with hiding on; B sees nothing of A's until B
forecasts; A resolves; both see their score, and the group's leaderboard lists both as not
ranked yet. Four more resolved shared questions (made with the services, for speed) rank
both. Every number the pages show is recomputed here from the definitions
(Brier = (p − outcome)², relative = own − median of the others'), not read from the app.

Screenshots of the main steps, at 1280×900 and 375×812, go to /tmp/pe2e/.
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from statistics import mean, median

import pytest
from django.urls import reverse
from django.utils import timezone
from scipy.stats import gmean

from groups import services as group_services
from groups.models import Group
from predictions import services
from predictions.models import Prediction, Profile
from predictions.probability import format_percent
from reports.scoring.relative import MIN_QUESTIONS_TO_RANK
from tests.e2e.conftest import TIMEOUT_MS, give_session
from tests.e2e.test_journeys import resolve_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/pe2e")
QUESTION = "The tram line reaches the station before <b>May</b>"
A_P, B_P = Decimal("0.637"), Decimal("0.2")  # A's and B's forecasts on the journey's question
# The four questions made with the services: (A's, B's probability, outcome).
MORE = [
    (Decimal("0.9"), Decimal("0.6"), True),
    (Decimal("0.3"), Decimal("0.1"), False),
    (Decimal("0.55"), Decimal("0.85"), True),
    (Decimal("0.15"), Decimal("0.4"), False),
]


def shoot(page, name: str) -> None:
    """A full-page screenshot at the desktop size and at the phone size."""
    SHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def brier(p, outcome: bool) -> float:
    return (float(p) - int(outcome)) ** 2


def relative(own: float, others: list[float]) -> float:
    return own - median(others)


def three(x: float) -> str:
    """As Django's floatformat:3 shows it."""
    return f"{x:.3f}"


def named(user, display_name: str):
    Profile.objects.create(user=user, display_name=display_name)
    return user


def leaderboard_row(page, name: str) -> str:
    board = page.get_by_role("table", name=re.compile("^Leaderboard"))
    return " ".join(board.get_by_role("row").filter(has_text=name).inner_text().split())


def test_two_members_forecast_together_resolve_and_rank(
    browser, page, logged_in, live_server, django_user_model
):
    ada = named(logged_in, "Ada A.")
    bob = named(django_user_model.objects.create_user(username="bob"), "Bob B.")

    # A creates the group in the UI and copies the invitation link from the page.
    page.goto(reverse("groups:list"))
    page.get_by_label("Name").fill("Tram watchers")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    group_url = page.url
    link = page.get_by_label("Anyone with this link can join").input_value()
    assert link.startswith(f"{live_server.url}/groups/join/")
    group = Group.objects.get(name="Tram watchers")

    # B, in a browser of their own, opens the link and joins.
    bob_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    bob_context.set_default_timeout(TIMEOUT_MS)
    give_session(bob_context, bob, live_server)  # logging in is test_groups.py's journey
    b = bob_context.new_page()
    try:
        b.goto(link)
        b.get_by_role("button", name="Join the group").click()
        b.wait_for_url(group_url)
        assert b.get_by_text("You joined Tram watchers.").is_visible()
        page.reload()
        assert page.get_by_text("You are the owner · 2 members").is_visible()

        # A creates a yes/no question in the UI, then shares it with hiding on.
        page.goto(reverse("predictions:create"))
        page.locator("#id_question").fill(QUESTION)
        page.locator("#id_probability").fill(format_percent(A_P))
        resolve_by = timezone.localdate() + datetime.timedelta(days=30)
        page.locator("#id_resolve_by").fill(resolve_by.isoformat())
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(re.compile(r"/p/\d+/$"))
        prediction = Prediction.objects.get(question=QUESTION)
        detail = reverse("predictions:detail", args=[prediction.pk])
        page.goto(reverse("predictions:share", args=[prediction.pk]))
        page.get_by_label("Tram watchers").check()
        hide = page.get_by_label("Hide the others' forecasts until each member has made their own")
        assert hide.is_checked()  # on by default for a shared question
        page.get_by_role("button", name="Save sharing").click()
        page.get_by_text("forecast together with Tram watchers").wait_for()
        page.console.assert_clean()

        # B opens it: none of A's forecast in the HTML, no community forecast, no chart line.
        b.goto(detail)
        b.get_by_test_id("forecast-first").wait_for()
        shoot(b, "1-member-before-forecasting")
        html = b.content()
        assert format_percent(A_P) not in html
        assert "0.637" not in html
        assert "63.7" not in html
        assert 'data-testid="community"' not in html
        assert 'data-testid="forecasters"' not in html
        assert "&lt;b&gt;May&lt;/b&gt;" in html
        assert "<b>May</b>" not in html

        # B forecasts in the UI; now A's forecast and the community forecast show.
        b.get_by_label("New probability").fill(format_percent(B_P))
        b.get_by_role("button", name="Update forecast").click()
        b.get_by_role("status").filter(has_text="Forecast updated.").wait_for()
        forecasters = b.get_by_test_id("forecasters")
        forecasters.get_by_text("Ada A.").wait_for()
        assert format_percent(A_P) in forecasters.inner_text()
        assert format_percent(B_P) in forecasters.inner_text()
        odds = gmean([float(A_P / (1 - A_P)), float(B_P / (1 - B_P))])
        community = b.get_by_test_id("community").inner_text()
        assert format_percent(Decimal(round(odds / (1 + odds), 3))) in community
        assert format_percent(Decimal(str(median([float(A_P), float(B_P)])))) in community
        b.reload()
        shoot(b, "2-member-after-forecasting")

        # A resolves YES in the UI.
        page.goto(reverse("predictions:resolve", args=[prediction.pk]))
        form = resolve_form(page, prediction)
        form.get_by_role("radio", name="YES: it happened").check()
        form.get_by_role("button", name="Resolve", exact=True).click()
        page.wait_for_url(f"{live_server.url}{detail}")
        page.console.assert_clean()

        # Each sees their own score on the question page.
        a_brier, b_brier = brier(A_P, True), brier(B_P, True)
        page.locator(".prediction-score").wait_for()
        assert f"Brier {a_brier:.4f}" in page.locator(".prediction-score").inner_text()
        shoot(page, "3-owner-resolved")
        b.goto(detail)
        assert f"Brier {b_brier:.4f}" in b.locator(".prediction-score").inner_text()
        shoot(b, "3-member-resolved")

        # The leaderboard: both scored on one question, neither ranked yet.
        needs = MIN_QUESTIONS_TO_RANK - 1
        b.goto(group_url)
        a_row, b_row = leaderboard_row(b, "Ada A."), leaderboard_row(b, "Bob B.")
        assert f"needs {needs} more" in a_row
        assert f"needs {needs} more" in b_row
        assert f"{three(a_brier)}" in a_row
        assert f"{three(b_brier)}" in b_row
        assert f"{three(relative(a_brier, [b_brier]))} (1)" in a_row
        assert f"{three(relative(b_brier, [a_brier]))} (1)" in b_row
        assert b.get_by_text("Not ranked yet").is_visible()
        shoot(b, "4-leaderboard-not-ranked")

        # Four more resolved shared questions, made with the services, rank both.
        briers = {"Ada A.": [a_brier], "Bob B.": [b_brier]}
        for n, (a_p, b_p, outcome) in enumerate(MORE):
            more = services.prediction_create(
                owner=ada,
                question=f"Shared question {n}",
                resolve_by=resolve_by,
                probability=a_p,
            )
            services.prediction_share_with_groups(prediction=more, groups=[group])
            services.forecast_create(prediction=more, author=bob, probability=b_p)
            services.prediction_resolve(prediction=more, outcome="yes" if outcome else "no")
            briers["Ada A."].append(brier(a_p, outcome))
            briers["Bob B."].append(brier(b_p, outcome))
        rel = {
            "Ada A.": mean(map(relative, briers["Ada A."], ([x] for x in briers["Bob B."]))),
            "Bob B.": mean(map(relative, briers["Bob B."], ([x] for x in briers["Ada A."]))),
        }
        first, second = sorted(rel, key=rel.__getitem__)
        assert rel[first] != rel[second]  # the numbers above make no tie
        page.goto(group_url)
        assert "Not ranked yet" not in page.content()
        for name, rank in ((first, "1"), (second, "2")):
            row = leaderboard_row(page, name)
            expected = [
                name,
                rank,
                str(len(MORE) + 1),
                three(mean(briers[name])),
            ]
            assert row.startswith(" ".join(expected)), row
            assert f"{three(rel[name])} ({len(MORE) + 1})" in row
            assert row.endswith("100%")
        status = page.get_by_role("status").filter(has_text="resolved questions shared")
        assert f"{len(MORE) + 1} resolved questions" in status.inner_text()
        shoot(page, "5-leaderboard-ranked")
        page.console.assert_clean()
    finally:
        bob_context.close()


def test_the_question_page_shows_the_relative_brier(page, logged_in, django_user_model):
    bob = django_user_model.objects.create_user(username="bob", password="b-o-b-12345678")
    group = services_group(logged_in, bob)
    question = services.prediction_create(
        owner=logged_in,
        question="Shared and resolved",
        resolve_by=timezone.localdate() + datetime.timedelta(days=3),
        probability=A_P,
    )
    services.prediction_share_with_groups(prediction=question, groups=[group])
    services.forecast_create(prediction=question, author=bob, probability=B_P)
    services.prediction_resolve(prediction=question, outcome="yes")
    page.goto(reverse("predictions:detail", args=[question.pk]))
    score = page.locator(".prediction-score").inner_text()
    assert f"Brier {brier(A_P, True):.4f}" in score  # the own score is there
    assert "Relative Brier" in score
    assert three(relative(brier(A_P, True), [brier(B_P, True)])) in score


def services_group(owner, member) -> Group:
    group = group_services.group_create(owner=owner, name="Two of us")
    group_services.join(group=group, user=member)
    return group
