"""The daily activity digest: the feed's events since the previous digest, once a day,
only to confirmed addresses that want it, never a hidden forecast."""

import time_machine
from django.core import mail
from django.test import TestCase

from notifications import tasks
from notifications.group_digest import send_activity_digests
from notifications.kinds import MailKind
from notifications.models import SentMail
from notifications.preferences import opt_out
from predictions.models import Prediction, ResolutionEvent
from tests.notifications.helpers import BASE_URL
from tests.notifications.together import Together, at, forecast


def digests(hours: float) -> dict[str, mail.EmailMessage]:
    """The digests a run `hours` after START sends, by recipient's user name."""
    mail.outbox.clear()
    with time_machine.travel(at(hours), tick=False):
        send_activity_digests(BASE_URL + "/")
    return {m.to[0].split("@")[0]: m for m in mail.outbox}


class ActivityDigestTests(TestCase):
    def setUp(self):
        self.t = Together()

    def test_each_reader_gets_their_events_once_a_day(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        sent = digests(10)
        assert set(sent) == {"alice", "bob", "carol"}
        alice = sent["alice"]
        assert alice.subject == "Bob B. made a forecast on “Will the bridge open by May?”"
        assert "  Bob B. made a forecast (02 Nov 2026, 11:00)" in alice.body
        assert f"  {BASE_URL}/p/{t.question.pk}/" in alice.body
        assert f"Stop them: {BASE_URL}/mail/unsubscribe/" in alice.body
        # bob: the share, then alice's forecast made before it, oldest first.
        bob = sent["bob"].body
        assert bob.index("alice made a forecast") < bob.index("alice shared it with Forecasters")
        assert sent["bob"].subject == "2 new things on questions you follow"
        assert SentMail.objects.filter(kind=MailKind.GROUP_DIGEST, period="2026-11-02").count() == 3
        assert digests(11) == {}  # the same day: nothing again
        forecast(t.question, t.carol, at(12))
        assert digests(14) == {}  # still the same day (2 Nov, UTC) for everyone
        sent = digests(26)  # the next day: only what happened since the last digest
        assert set(sent) == {"alice", "bob"}
        assert "carol made a forecast" in sent["alice"].body
        assert "Bob B." not in sent["alice"].body
        assert digests(50) == {}  # nothing happened: nothing sent

    def test_a_member_who_has_not_forecast_hears_of_no_forecast(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        ResolutionEvent.objects.create(
            prediction=t.question, action="resolve", outcome=True, created_at=at(3), known_at=at(3)
        )
        carol = digests(10)["carol"]
        assert carol.subject == "alice shared it with Forecasters on “Will the bridge open by May?”"
        assert "made a forecast" not in carol.body
        assert "resolved" not in carol.body

    def test_a_forecast_hidden_from_the_owner_is_not_mailed(self):
        t = self.t
        t.question.forecasts.filter(author=t.alice).delete()
        forecast(t.question, t.bob, at(2))
        assert "alice" not in digests(10)
        forecast(t.question, t.alice, at(27))  # now she sees bob's, but it is old news
        assert "alice" not in digests(30)

    def test_resolutions_reach_forecasters_with_the_outcome(self):
        t = self.t
        forecast(t.question, t.bob, at(2))
        digests(10)
        ResolutionEvent.objects.create(
            prediction=t.question,
            action="resolve",
            outcome=False,
            created_at=at(30),
            known_at=at(30),
        )
        sent = digests(34)
        assert set(sent) == {"bob"}
        assert "alice resolved it: NO" in sent["bob"].body

    def test_opted_out_and_unconfirmed_addresses_get_nothing(self):
        t = self.t
        opt_out(t.alice, MailKind.GROUP_DIGEST)
        t.carol.profile.verified_email = ""
        t.carol.profile.save()
        forecast(t.question, t.bob, at(2))
        assert set(digests(10)) == {"bob"}
        forecast(t.question, t.carol, at(30))  # news to alice and bob
        assert set(digests(34)) == {"bob"}

    def test_the_key_is_the_local_date_so_a_second_worker_sends_nothing(self):
        t = self.t
        t.alice.profile.timezone = "Pacific/Auckland"  # UTC+13 in November
        t.alice.profile.save()
        forecast(t.question, t.bob, at(2))
        for user in (t.alice, t.bob):  # a digest each, sent at 2 Nov 00:00 UTC
            SentMail.objects.create(
                user=user, kind=MailKind.GROUP_DIGEST, period="2026-11-02", sent_at=at(-9)
            )
        sent = digests(12)  # 21:00 UTC on 2 Nov is 10:00 on 3 Nov in Auckland
        assert set(sent) == {"alice", "carol"}
        assert "(03 Nov 2026, 00:00)" in sent["alice"].body  # bob's forecast, her time
        assert SentMail.objects.filter(user=t.alice, period="2026-11-03").exists()

    def test_plain_text_body_and_a_one_line_subject(self):
        t = self.t
        Prediction.objects.filter(pk=t.question.pk).update(question="<b>Bridge</b>\r\nBcc: x@y")
        forecast(t.question, t.bob, at(2))
        alice = digests(10)["alice"]
        assert alice.subject == "Bob B. made a forecast on “<b>Bridge</b> Bcc: x@y”"
        assert "\n" not in alice.subject
        assert "- <b>Bridge</b>\r\nBcc: x@y" in alice.body  # plain text: nothing to escape
        assert alice.message()["Bcc"] is None

    def test_the_job_sends_with_the_configured_site_address(self):
        forecast(self.t.question, self.t.bob, at(2))
        with (
            time_machine.travel(at(10), tick=False),
            self.settings(FALSIFIABLE_BASE_URL="https://site.example/"),
        ):
            assert tasks.activity_digest_job.call() == {"sent": 3, "failed": 0}
            assert tasks.activity_digest_job.call() == {"sent": 0, "failed": 0}
        assert all("https://site.example/p/" in m.body for m in mail.outbox)
