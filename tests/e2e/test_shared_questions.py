"""Browser journey of forecasting together (issue #14): the owner shares a question with
a group on the share page; a member opens it, is asked to forecast first, forecasts in
place, and then sees the owner's forecast and the community forecast."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from scipy.stats import gmean

from groups.models import Group, Membership
from predictions import services
from predictions.models import Profile
from predictions.probability import format_percent
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(context, user, live_server) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_owner_shares_member_forecasts_first_then_sees_the_others(
    browser, page, logged_in, live_server, django_user_model
):
    owner = logged_in
    Profile.objects.update_or_create(user=owner, defaults={"display_name": "Ada Owner"})
    member = django_user_model.objects.create_user(username="mira", password="x-y-z-12345678")
    Profile.objects.update_or_create(user=member, defaults={"display_name": "Mira Member"})
    group = Group.objects.create(name="Forecasting club")
    for user in (owner, member):
        Membership.objects.create(group=group, user=user)
    prediction = services.prediction_create(
        owner=owner,
        question="The new bridge opens before June",
        resolve_by=timezone.now().date() + datetime.timedelta(days=60),
        probability=Decimal("0.637"),
    )

    # The owner ticks the group; hiding is on by default.
    page.goto(reverse("predictions:share", args=[prediction.pk]))
    page.get_by_label("Forecasting club").check()
    assert page.get_by_label(
        "Hide the others' forecasts until each member has made their own"
    ).is_checked()
    page.get_by_role("button", name="Save sharing").click()
    page.get_by_text("forecast together with Forecasting club").wait_for()
    page.console.assert_clean()

    # The member, in a browser of their own.
    member_context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    member_context.set_default_timeout(TIMEOUT_MS)
    log_in(member_context, member, live_server)
    member_page = member_context.new_page()
    try:
        member_page.goto(reverse("predictions:detail", args=[prediction.pk]))
        member_page.get_by_text(
            "Forecast first to see the others' forecasts and the community forecast"
        ).wait_for()
        body = member_page.content()
        assert "63.7%" not in body
        assert "Ada Owner" in body  # who shared it, but not what they said
        member_page.get_by_label("New probability").fill("20%")
        member_page.get_by_role("button", name="Update forecast").click()
        member_page.get_by_role("status").filter(has_text="Forecast updated.").wait_for()
        forecasters = member_page.get_by_test_id("forecasters")
        forecasters.get_by_text("Ada Owner").wait_for()
        assert "63.7%" in forecasters.inner_text()
        assert "Mira Member" in forecasters.inner_text()
        odds = gmean([0.637 / 0.363, 0.2 / 0.8])
        expected = format_percent(round(odds / (1 + odds), 3))
        assert expected in member_page.get_by_test_id("community").inner_text()
        assert member_page.get_by_text("Forecast first").count() == 0
    finally:
        member_context.close()
