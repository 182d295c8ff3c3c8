"""The capture line and the resolve-by box that takes words: views and saving.

The clock is frozen on Monday 13 March 2023, the day of the worked example, so "this
week" is Sunday 19 March.
"""

import datetime as dt
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils.html import escape

from predictions.capture import MSG_NO_DATE
from predictions.dates_in_words import MSG_UNREADABLE
from predictions.forms import MSG_QUESTION_TOO_LONG
from predictions.models import Prediction, Tag
from predictions.probability import MSG_CERTAIN
from predictions.quick_entry import MSG_LINE_TOO_LONG
from tests.predictions.factories import ProfileFactory, TagFactory, UserFactory

MONDAY = dt.datetime(2023, 3, 13, 12, 0, tzinfo=dt.UTC)
SUNDAY = dt.date(2023, 3, 19)
LINE = "GPT-4 will be announced this week 5% #ai"
CLAIM = "GPT-4 will be announced this week"
PREVIEW = "Resolves by Sun 19 Mar 2023, end of day, your time · 5% · tags: ai"


@time_machine.travel(MONDAY, tick=False)
class CaptureLineTests(TestCase):
    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)

    def preview(self, **query):
        return self.client.get(reverse("predictions:capture_preview"), query)

    def save(self, **data):
        return self.client.post(reverse("predictions:capture"), data)

    def test_the_predictions_page_offers_the_capture_line(self):
        html = self.client.get(reverse("predictions:list")).content.decode()
        assert 'id="id_line"' in html
        assert f'action="{reverse("predictions:capture")}"' in html

    def test_the_preview_says_what_will_be_saved(self):
        html = self.preview(line=LINE).content.decode()
        assert escape(PREVIEW) in html
        assert "<html" not in html

    def test_the_preview_links_to_the_full_form_with_what_was_typed(self):
        html = self.preview(line=LINE).content.decode()
        link = html.split('id="capture-full-form"')[0].rsplit('href="', 1)[1].split('"')[0]
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query == {
            "question": [CLAIM],
            "probability": ["5%"],
            "resolve_by": ["2023-03-19"],
            "new_tags": ["ai"],
        }

    def test_enter_saves_the_claim_date_probability_and_own_tags(self):
        response = self.save(line=LINE)
        assert response.status_code == 302
        prediction = Prediction.objects.get()
        assert prediction.owner == self.user
        assert prediction.question == CLAIM  # the hashtag left it, the date phrase stayed
        assert prediction.resolve_by == SUNDAY
        assert [f.probability for f in prediction.forecasts.all()] == [Decimal("0.050")]
        assert [t.name for t in prediction.tags.all()] == ["ai"]
        assert Tag.objects.get(name="ai").owner == self.user

    def test_an_existing_tag_is_reused_whatever_its_case(self):
        tag = TagFactory(owner=self.user, name="AI")
        self.save(line=LINE)
        assert list(Prediction.objects.get().tags.all()) == [tag]

    def test_another_users_tag_of_the_same_name_is_not_used(self):
        other = TagFactory(name="ai")
        self.save(line=LINE)
        assert other not in Prediction.objects.get().tags.all()

    def test_without_a_date_it_asks_for_one_and_keeps_the_line(self):
        response = self.save(line="Rain in Paris 70%")
        assert response.status_code == 400
        html = response.content.decode()
        assert escape(MSG_NO_DATE) in html
        assert 'value="Rain in Paris 70%"' in html
        assert 'id="id_capture_resolve_by"' in html
        assert Prediction.objects.count() == 0

    def test_a_date_typed_beside_the_line_in_words_is_used(self):
        self.save(line="Rain in Paris 70%", resolve_by="tomorrow")
        prediction = Prediction.objects.get()
        assert prediction.resolve_by == dt.date(2023, 3, 14)
        assert prediction.question == "Rain in Paris"

    def test_an_unreadable_date_beside_the_line_is_refused(self):
        response = self.save(line="Rain in Paris 70%", resolve_by="someday")
        assert response.status_code == 400
        assert escape(MSG_UNREADABLE) in response.content.decode()
        assert Prediction.objects.count() == 0

    def test_each_quick_date_is_offered_and_read(self):
        html = self.client.get(reverse("predictions:list")).content.decode()
        expected = {
            "tomorrow": dt.date(2023, 3, 14),
            "end of week": SUNDAY,
            "end of month": dt.date(2023, 3, 31),
            "end of quarter": dt.date(2023, 3, 31),
            "end of year": dt.date(2023, 12, 31),
        }
        for words, day in expected.items():
            assert f'data-date-words="{words}"' in html
            self.save(line=f"Quick date {words} 50%", resolve_by=words)
            assert Prediction.objects.get(question=f"Quick date {words}").resolve_by == day

    def test_a_claim_over_300_characters_is_refused_not_cut(self):
        response = self.save(line="x" * 301 + " by Friday 40%")
        assert response.status_code == 400
        assert "300" in response.content.decode()
        assert Prediction.objects.count() == 0

    def test_the_full_form_button_hands_over_what_was_typed(self):
        response = self.save(line=LINE, full_form="1")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("predictions:create") + "?")
        html = self.client.get(response["Location"]).content.decode()
        assert f'value="{CLAIM}"' in html
        assert 'value="5%"' in html
        assert 'value="2023-03-19"' in html
        assert 'name="new_tags" value="ai"' in html
        assert Prediction.objects.count() == 0

    def test_the_date_is_read_in_the_owners_time_zone(self):
        # 12:00 UTC on Sunday 12 March is already Monday 13 March in Auckland.
        self.user.profile.timezone = "Pacific/Auckland"
        self.user.profile.save()
        with time_machine.travel(dt.datetime(2023, 3, 12, 12, 0, tzinfo=dt.UTC), tick=False):
            self.save(line="Auckland this week 50%")
        assert Prediction.objects.get().resolve_by == SUNDAY

    def test_it_needs_a_login(self):
        self.client.logout()
        response = self.save(line=LINE)
        assert response.status_code == 302
        assert Prediction.objects.count() == 0


@time_machine.travel(MONDAY, tick=False)
class ResolveByWordsTests(TestCase):
    """The full form's resolve-by box takes ISO dates and words."""

    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)

    def create(self, resolve_by):
        data = {"kind": "binary", "question": CLAIM, "probability": "5%", "visibility": "private"}
        return self.client.post(reverse("predictions:create"), {**data, "resolve_by": resolve_by})

    def test_words_are_read_as_a_date(self):
        self.create("end of week")
        assert Prediction.objects.get().resolve_by == SUNDAY

    def test_an_iso_date_is_still_read(self):
        self.create("2023-04-02")
        assert Prediction.objects.get().resolve_by == dt.date(2023, 4, 2)

    def test_unreadable_words_are_refused_next_to_the_field(self):
        response = self.create("when pigs fly")
        assert response.status_code == 200
        assert escape(MSG_UNREADABLE) in response.content.decode()
        assert Prediction.objects.count() == 0

    def test_the_reading_under_the_box_says_the_day(self):
        url = reverse("predictions:date_reading")
        html = self.client.get(url, {"resolve_by": "end of week"}).content.decode()
        assert "Reads as <strong>Sun 19 Mar 2023</strong>, end of day, your time." in html
        html = self.client.get(url, {"resolve_by": "someday"}).content.decode()
        assert escape(MSG_UNREADABLE) in html
        assert self.client.get(url, {"resolve_by": " "}).content.decode().strip() == ""

    def test_the_box_is_text_with_the_quick_dates(self):
        html = self.client.get(reverse("predictions:create")).content.decode()
        box = html.split('name="resolve_by"')[0].rsplit("<input", 1)[1]
        assert 'type="text"' in box
        assert 'data-date-target="id_resolve_by"' in html


@time_machine.travel(MONDAY, tick=False)
class NeverLoseInputTests(TestCase):
    """A past date asks first; a long claim is refused with a message, never cut."""

    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)

    def create(self, **data):
        base = {"kind": "binary", "question": CLAIM, "probability": "5%", "visibility": "private"}
        return self.client.post(reverse("predictions:create"), {**base, **data})

    def test_the_full_form_asks_before_saving_a_past_date(self):
        response = self.create(resolve_by="2023-03-01")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Wed 1 Mar 2023 is in the past" in html
        assert 'name="confirm_past"' in html
        assert 'value="2023-03-01"' in html  # what was typed is kept
        assert Prediction.objects.count() == 0

        self.create(resolve_by="2023-03-01", confirm_past="1")
        assert Prediction.objects.get().resolve_by == dt.date(2023, 3, 1)

    def test_today_is_not_in_the_past(self):
        self.create(resolve_by="today")
        assert Prediction.objects.get().resolve_by == MONDAY.date()

    def test_the_capture_line_asks_before_saving_a_past_date(self):
        data = {"line": "Old claim 40%", "resolve_by": "2023-03-01"}
        response = self.client.post(reverse("predictions:capture"), data)
        assert response.status_code == 400
        assert "Wed 1 Mar 2023 is in the past" in response.content.decode()
        assert Prediction.objects.count() == 0
        self.client.post(reverse("predictions:capture"), {**data, "confirm_past": "1"})
        assert Prediction.objects.get().resolve_by == dt.date(2023, 3, 1)

    def test_the_claim_box_has_no_maxlength_and_shows_its_limit(self):
        for kind in ("binary", "multiple_choice", "date"):
            html = self.client.get(reverse("predictions:create"), {"kind": kind}).content.decode()
            box = html.split('name="question"')[1].split(">")[0]
            assert "maxlength" not in box, kind
            assert 'data-max-chars="300"' in box, kind

    def test_a_claim_over_300_characters_is_refused_with_a_message(self):
        response = self.create(question="x" * 301, resolve_by="2023-04-01")
        assert MSG_QUESTION_TOO_LONG in unescape(response.content.decode())
        assert 'value="' + "x" * 301 + '"' in response.content.decode()  # kept whole
        assert Prediction.objects.count() == 0

    def test_a_capture_line_too_long_is_refused_not_cut(self):
        line = "y" * 700 + " by Friday 40%"
        response = self.client.post(reverse("predictions:capture"), {"line": line})
        assert response.status_code == 400
        assert escape(MSG_LINE_TOO_LONG) in response.content.decode()
        assert line in response.content.decode()
        assert Prediction.objects.count() == 0


@time_machine.travel(MONDAY, tick=False)
class CertaintyWarningTests(TestCase):
    """0% and 100% are allowed, but the readings say that they claim certainty."""

    def setUp(self):
        self.user = UserFactory()
        ProfileFactory(user=self.user)
        self.client.force_login(self.user)

    def reading(self, text: str) -> str:
        url = reverse("predictions:probability_reading")
        return unescape(self.client.get(url, {"text": text}).content.decode())

    def test_the_live_reading_warns_at_0_and_100_percent_only(self):
        assert MSG_CERTAIN in self.reading("0%")
        assert MSG_CERTAIN in self.reading("100")
        assert MSG_CERTAIN not in self.reading("99.9%")
        assert MSG_CERTAIN not in self.reading("0.1%")

    def test_the_capture_preview_warns_too(self):
        url = reverse("predictions:capture_preview")
        html = self.client.get(url, {"line": "The sun rises tomorrow 100%"}).content.decode()
        assert MSG_CERTAIN in unescape(html)
        html = self.client.get(url, {"line": LINE}).content.decode()
        assert MSG_CERTAIN not in unescape(html)
