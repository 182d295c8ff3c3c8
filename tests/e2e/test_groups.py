"""Groups in a real browser: create a group, copy its invitation link, open it as a
second user (who logs in on the way), join, and see both in the member list."""

import re

import pytest

from predictions.models import Profile
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_journeys import describe, run_axe, settle

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_invite_join_and_see_the_members(
    page, logged_in, browser, live_server, django_user_model
):
    Profile.objects.create(user=logged_in, display_name="Ada L.")
    django_user_model.objects.create_user(username="bob", password=PASSWORD)

    page.goto("/")
    page.get_by_role("link", name="Groups").click()
    page.wait_for_url(f"{live_server.url}/groups/")
    assert page.get_by_text("You are in no group yet").is_visible()
    page.get_by_label("Name").fill("Weekly <script>forecasts</script>")
    page.get_by_label("Description").fill("AI releases, every Monday.")
    page.get_by_role("button", name="Create group").click()
    page.wait_for_url(re.compile(r"/groups/\d+/$"))
    assert page.get_by_role("heading", name="Weekly <script>forecasts</script>").is_visible()
    assert page.get_by_text("You are the owner · 1 member").is_visible()
    link = page.get_by_label("Anyone with this link can join").input_value()
    assert link.startswith(f"{live_server.url}/groups/join/")
    page.console.assert_clean()

    # The second user has no session yet: the link sends them to log in and back.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812})
    try:
        bob = other.new_page()
        bob.goto(link)
        bob.get_by_label("Username").fill("bob")
        bob.get_by_label("Password").fill(PASSWORD)
        bob.get_by_role("button", name="Log in").click()
        bob.wait_for_url(link)
        assert bob.get_by_role(
            "heading", name="Join Weekly <script>forecasts</script>"
        ).is_visible()
        bob.get_by_role("button", name="Join the group").click()
        bob.wait_for_url(re.compile(r"/groups/\d+/$"))
        assert bob.get_by_text("You joined Weekly <script>forecasts</script>.").is_visible()
        members = bob.get_by_role("table", name="Members of the group")
        assert members.get_by_role("row").nth(1).inner_text().startswith("Ada L.")
        assert "bob (you)" in members.get_by_role("row").nth(2).inner_text()
        assert not bob.get_by_label("Anyone with this link can join").is_visible()
        # On a phone the page fits: its tables become one card per row.
        assert bob.evaluate("() => document.documentElement.scrollWidth") <= 375
    finally:
        other.close()

    page.reload()
    assert page.get_by_text("You are the owner · 2 members").is_visible()
    assert page.get_by_role("cell", name="bob").is_visible()
    page.console.assert_clean()
    problems = []
    for url in (page.url, "/groups/"):
        page.goto(url)
        settle(page)
        if violations := run_axe(page):
            problems.append(f"{url}: axe violations:\n{describe(violations)}")
    assert not problems, "\n".join(problems)
