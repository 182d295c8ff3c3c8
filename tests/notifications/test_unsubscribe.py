"""Every mail's unsubscribe link works without a session, and only for its own account."""

import datetime as dt
import email
import re
from email import policy

import time_machine
from django.core import mail, signing
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from notifications.due_digest import send_due_digests
from notifications.kinds import MailKind
from notifications.models import MailOptOut
from notifications.preferences import wanted_kinds
from notifications.unsubscribe import make_token
from predictions import verification
from tests.notifications.helpers import BASE_URL, due_prediction, person


def stop_link(message) -> str:
    """The path of the 'Stop them' link in a mail's body."""
    return re.search(r"^Stop them: https://falsifiable\.example(/\S+)$", message.body, re.M)[1]


class UnsubscribeLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = person("alice")
        cls.bob = person("bob")
        due_prediction(cls.alice)
        due_prediction(cls.bob)

    def setUp(self):
        send_due_digests(BASE_URL)
        self.alice_mail, self.bob_mail = sorted(mail.outbox, key=lambda m: m.to[0])
        # A mail program's POST carries no CSRF token; neither may the page need one.
        self.anonymous = Client(enforce_csrf_checks=True)

    def test_the_link_from_a_sent_mail_unsubscribes_without_logging_in(self):
        link = stop_link(self.alice_mail)
        page = self.anonymous.get(link)
        assert page.status_code == 200
        assert b"Stop sending due-for-resolution digests?" in page.content
        assert not MailOptOut.objects.exists()  # a GET (a link scanner) changes nothing

        done = self.anonymous.post(link)
        assert done.status_code == 200
        assert b"you will get no more due-for-resolution digests" in done.content
        assert wanted_kinds(self.alice) == {MailKind.STALE_REMINDER, MailKind.GROUP_DIGEST}
        assert wanted_kinds(self.bob) == set(MailKind)  # only the link's own account
        assert self.anonymous.post(link).status_code == 200  # a second click is harmless

    def test_an_opted_out_user_gets_no_more_of_that_mail(self):
        self.anonymous.post(stop_link(self.alice_mail))
        for owner in (self.alice, self.bob):
            due_prediction(owner, days_ago=0, question="Due tonight")  # due from tomorrow
        mail.outbox.clear()
        with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
            send_due_digests(BASE_URL)
        assert [m.to for m in mail.outbox] == [["bob@example.org"]]
        assert "Due tonight" in mail.outbox[0].body

    def test_rfc_8058_headers_and_one_click_post(self):
        raw = self.alice_mail.message(policy=policy.SMTP).as_bytes()
        parsed = email.message_from_bytes(raw, policy=policy.default)
        header = parsed["List-Unsubscribe"]
        assert re.fullmatch(r"<https://falsifiable\.example/mail/unsubscribe/\S+/>", header)
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert b"=?utf-8?" not in raw.split(b"\r\n\r\n")[0]  # the URL is not encoded away

        path = header.strip("<>").removeprefix(BASE_URL)
        assert path == stop_link(self.alice_mail)
        answer = self.anonymous.post(path, {"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200
        assert MailKind.DUE_DIGEST not in wanted_kinds(self.alice)

    def test_a_tampered_link_is_refused_with_a_clear_page(self):
        link = stop_link(self.alice_mail)
        token = link.rstrip("/").rsplit("/", 1)[1]
        for bad in (
            token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character changed
            token[:20],  # cut short when copied
            "not-a-token",
            verification.make_token(self.alice),  # signed by the site, for something else
        ):
            url = reverse("notifications:unsubscribe", args=[bad])
            for answer in (self.anonymous.get(url), self.anonymous.post(url)):
                assert answer.status_code == 400
                assert b"That unsubscribe link is not valid" in answer.content
        assert not MailOptOut.objects.exists()

    def test_another_users_link_cannot_be_forged(self):
        """Alice's token edited to carry Bob's id no longer verifies; only the secret key
        makes a valid one."""
        token = stop_link(self.alice_mail).rstrip("/").rsplit("/", 1)[1]
        payload, signature = token.split(":", 1)
        forged_payload = signing.b64_encode(f'[{self.bob.pk},"due_digest"]'.encode()).decode()
        for forged in (
            f"{forged_payload}:{signature}",
            signing.dumps(
                [self.bob.pk, "due_digest"], salt="notifications.unsubscribe", key="x" * 50
            ),
        ):
            answer = self.anonymous.post(reverse("notifications:unsubscribe", args=[forged]))
            assert answer.status_code == 400
        assert wanted_kinds(self.bob) == set(MailKind)
        assert payload  # the real token did carry a payload

    def test_a_link_for_a_deleted_account_is_refused(self):
        gone = person("gone")
        url = reverse("notifications:unsubscribe", args=[make_token(gone, MailKind.DUE_DIGEST)])
        gone.delete()
        assert self.anonymous.post(url).status_code == 400

    def test_only_get_and_post(self):
        url = stop_link(self.alice_mail)
        assert self.anonymous.put(url).status_code == 405
        assert not MailOptOut.objects.exists()


class NoBaseUrlTests(TestCase):
    def test_without_a_site_address_no_list_unsubscribe_header_is_sent(self):
        """RFC 8058 needs an absolute address; a relative one would be worse than none."""
        due_prediction(person("carol"))
        send_due_digests("")
        message = mail.outbox[0]
        assert "List-Unsubscribe" not in message.extra_headers
        assert re.search(r"^Stop them: /mail/unsubscribe/\S+/$", message.body, re.M)
