"""Mail choices (the notifications app) in a real browser: the unsubscribe link from a
sent mail, without a session, then the profile page's mail choices turning it back on."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from notifications.due_digest import send_due_digests
from notifications.kinds import MailKind
from notifications.preferences import wanted_kinds
from tests.notifications.helpers import due_prediction, person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_unsubscribe_from_the_mail_then_turn_it_back_on(page, context, live_server):
    alice = person("alice")
    due_prediction(alice, question="Fusion ignition repeated")
    send_due_digests(live_server.url)
    link = re.search(r"^Stop them: (\S+)$", mail.outbox[0].body, re.M)[1]

    page.goto(link)  # no session: the link alone is enough
    assert page.get_by_text("Stop sending due-for-resolution digests?").is_visible()
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_text("you will get no more due-for-resolution digests").is_visible()
    assert wanted_kinds(alice) == set(MailKind) - {MailKind.DUE_DIGEST}
    page.console.assert_clean()

    client = Client()
    client.force_login(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/accounts/profile/")
    due_box = page.get_by_label("Predictions due to be resolved", exact=False)
    assert not due_box.is_checked()
    assert page.get_by_label("Open predictions you have not forecast on", exact=False).is_checked()
    assert page.get_by_label("Activity on questions you own", exact=False).is_checked()
    due_box.check()
    page.get_by_role("button", name="Save email choices").click()
    assert page.get_by_text("Email choices saved.").is_visible()
    assert page.get_by_label("Predictions due to be resolved", exact=False).is_checked()
    assert wanted_kinds(alice) == set(MailKind)
    page.console.assert_clean()
