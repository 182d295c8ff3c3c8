"""The comment thread over HTTP: plain and htmx paths, the timeline, messages next to the
field, escaping, and the share page."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.forms import MSG_EMPTY
from comments.models import BODY_MAX_LENGTH, Comment, CommentEdit
from comments.services import comment_delete, comment_edit, comment_post
from predictions.models import Prediction, Profile
from tests.comments.helpers import ATTR_XSS, ATTR_XSS_ESCAPED, HTMX, XSS, XSS_ESCAPED, people
from tests.predictions.factories import ForecastFactory, ResolutionEventFactory

NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def thread_url(prediction) -> str:
    return reverse("comments:thread", args=[prediction.pk])


def detail_url(prediction) -> str:
    return reverse("predictions:detail", args=[prediction.pk])


class ThreadTests(TestCase):
    def setUp(self):
        people(self)
        self.client.force_login(self.owner)

    def post(self, body, **kwargs):
        return self.client.post(thread_url(self.prediction), {"body": body}, **kwargs)

    def test_the_prediction_page_shows_comments_forecasts_and_resolutions_in_time_order(self):
        at = NOON
        ForecastFactory(prediction=self.prediction, probability=Decimal("0.05"), created_at=at)
        Comment.objects.create(
            prediction=self.prediction,
            author=self.member,
            body="Surely a slip",
            created_at=at + dt.timedelta(hours=1),
        )
        ForecastFactory(
            prediction=self.prediction,
            author=self.member,
            probability=Decimal("0.4"),
            created_at=at + dt.timedelta(hours=2),
        )
        ResolutionEventFactory(prediction=self.prediction, created_at=at + dt.timedelta(hours=3))
        Comment.objects.create(
            prediction=self.prediction,
            author=self.owner,
            body="Well, I was wrong",
            created_at=at + dt.timedelta(hours=4),
        )
        html = self.client.get(detail_url(self.prediction)).content.decode()
        thread = html[html.index('id="comments"') :]
        marks = ["5%", "Surely a slip", "40%", "Resolved YES", "Well, I was wrong"]
        positions = [thread.index(mark) for mark in marks]
        assert positions == sorted(positions)
        assert "<strong>Mina Member</strong> forecast" in thread
        assert "<strong>Olive Owner</strong>: Resolved YES" in thread

    def test_times_are_in_the_viewers_time_zone(self):
        Profile.objects.filter(user=self.owner).update(timezone="Asia/Kathmandu")  # UTC+5:45
        Comment.objects.create(
            prediction=self.prediction, author=self.member, body="x", created_at=NOON
        )
        html = self.client.get(thread_url(self.prediction), headers=HTMX).content.decode()
        assert "1 Dec 2026, 17:45" in html
        self.client.force_login(self.member)  # UTC
        html = self.client.get(thread_url(self.prediction), headers=HTMX).content.decode()
        assert "1 Dec 2026, 12:00" in html

    def test_post_without_javascript_redirects_to_the_comment(self):
        response = self.post("First!")
        comment = Comment.objects.get()
        assert (comment.author, comment.body) == (self.owner, "First!")
        assert response.status_code == 302
        assert response["Location"] == detail_url(self.prediction) + f"#comment-{comment.pk}"
        page = self.client.get(response["Location"]).content.decode()
        assert "Comment posted." in page
        assert "First!" in page

    def test_post_with_htmx_answers_the_section_with_the_new_comment_and_an_empty_form(self):
        response = self.post("Line one\nline two", headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith("<section")
        assert "Comment posted." in html
        assert "Line one<br>line two" in html
        assert "Line one\nline two</textarea>" not in html  # the form starts empty again

    def test_refused_bodies_get_a_message_next_to_the_field_and_change_nothing(self):
        cases = {
            "": MSG_EMPTY,
            "   \n ": MSG_EMPTY,
            "x" * (BODY_MAX_LENGTH + 1): f"at most {BODY_MAX_LENGTH} characters",
            "null\x00byte": "Null characters are not allowed.",
        }
        for body, message in cases.items():
            for headers in ({}, HTMX):
                response = self.post(body, headers=headers)
                html = response.content.decode()
                assert response.status_code == 200
                assert message in html, (body[:10], headers)
                assert 'aria-invalid="true"' in html
        assert not Comment.objects.exists()

    def test_edit_in_place_records_the_old_text_and_links_to_it(self):
        comment = comment_post(prediction=self.prediction, author=self.owner, body="Typo hree")
        edit_url = reverse("comments:edit", args=[self.prediction.pk, comment.pk])
        form = self.client.get(edit_url, headers=HTMX).content.decode()
        assert form.lstrip().startswith("<section")
        assert "Typo hree</textarea>" in form
        assert "Save comment" in form
        html = self.client.post(edit_url, {"body": "Typo here"}, headers=HTMX).content.decode()
        assert "Comment saved." in html
        assert "Typo here" in html
        assert "Typo hree" not in html
        history_url = reverse("comments:history", args=[self.prediction.pk, comment.pk])
        assert f'href="{history_url}"' in html
        assert ">edited</a>" in html
        history = self.client.get(history_url).content.decode()
        assert "Typo hree" in history
        assert "Typo here" in history
        self.client.force_login(self.member)  # every reader may see the earlier versions
        assert "Typo hree" in self.client.get(history_url).content.decode()

    def test_edit_without_javascript(self):
        comment = comment_post(prediction=self.prediction, author=self.owner, body="Old")
        edit_url = reverse("comments:edit", args=[self.prediction.pk, comment.pk])
        page = self.client.get(edit_url).content.decode()
        assert "<html" in page
        assert "Old</textarea>" in page
        response = self.client.post(edit_url, {"body": "New"})
        assert response["Location"] == detail_url(self.prediction) + f"#comment-{comment.pk}"
        empty = self.client.post(edit_url, {"body": ""})
        assert MSG_EMPTY in empty.content.decode()
        comment.refresh_from_db()
        assert comment.body == "New"
        assert list(CommentEdit.objects.values_list("old_body", flat=True)) == ["Old"]

    def test_delete_leaves_a_placeholder_with_its_time_and_hides_every_version(self):
        comment = comment_post(prediction=self.prediction, author=self.owner, body="Secret one")
        comment_edit(comment=comment, author=self.owner, body="Secret two")
        delete_url = reverse("comments:delete", args=[self.prediction.pk, comment.pk])
        html = self.client.post(delete_url, headers=HTMX).content.decode()
        assert "Comment deleted" in html
        comment.refresh_from_db()
        assert comment.deleted_at is not None
        assert timezone.localtime(comment.deleted_at).strftime("%-d %b %Y, %H:%M") in html
        for page in (html, self.client.get(detail_url(self.prediction)).content.decode()):
            assert "Secret" not in page
        history_url = reverse("comments:history", args=[self.prediction.pk, comment.pk])
        assert self.client.get(history_url).status_code == 404
        edit_url = reverse("comments:edit", args=[self.prediction.pk, comment.pk])
        assert self.client.get(edit_url).status_code == 404
        assert self.client.post(delete_url).status_code == 404

    def test_delete_without_javascript(self):
        comment = comment_post(prediction=self.prediction, author=self.owner, body="Bye")
        delete_url = reverse("comments:delete", args=[self.prediction.pk, comment.pk])
        response = self.client.post(delete_url)
        assert response.status_code == 302
        assert "Comment deleted." in self.client.get(response["Location"]).content.decode()

    def test_only_the_author_sees_edit_and_delete(self):
        mine = comment_post(prediction=self.prediction, author=self.owner, body="Mine")
        theirs = comment_post(prediction=self.prediction, author=self.member, body="Theirs")
        html = self.client.get(thread_url(self.prediction), headers=HTMX).content.decode()
        assert reverse("comments:edit", args=[self.prediction.pk, mine.pk]) in html
        assert reverse("comments:edit", args=[self.prediction.pk, theirs.pk]) not in html
        assert reverse("comments:delete", args=[self.prediction.pk, theirs.pk]) not in html

    def test_hidden_forecasts_stay_out_of_the_thread(self):
        ForecastFactory(prediction=self.prediction, probability=Decimal("0.123"))
        self.client.force_login(self.member)  # has not forecast: hide until you forecast
        html = self.client.get(thread_url(self.prediction), headers=HTMX).content.decode()
        assert "12.3%" not in html
        assert "Olive Owner" not in html
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.6"))
        html = self.client.get(thread_url(self.prediction), headers=HTMX).content.decode()
        assert "12.3%" in html
        assert "60%" in html

    def test_script_in_bodies_and_names_is_escaped_in_pages_and_fragments(self):
        Profile.objects.filter(user=self.member).update(display_name=ATTR_XSS)
        comment = comment_post(prediction=self.prediction, author=self.member, body=XSS)
        comment_post(prediction=self.prediction, author=self.owner, body=ATTR_XSS)
        comment_edit(comment=comment, author=self.member, body=XSS + " again")
        self.client.force_login(self.member)
        history_url = reverse("comments:history", args=[self.prediction.pk, comment.pk])
        edit_url = reverse("comments:edit", args=[self.prediction.pk, comment.pk])
        responses = [
            self.client.get(thread_url(self.prediction)),
            self.client.get(thread_url(self.prediction), headers=HTMX),
            self.client.get(edit_url, headers=HTMX),
            self.client.get(history_url),
            self.client.post(thread_url(self.prediction), {"body": XSS}, headers=HTMX),
        ]
        for response in responses:
            html = response.content.decode()
            assert "<script>alert" not in html
            assert "<img src=x" not in html
            assert XSS_ESCAPED in html
        assert ATTR_XSS_ESCAPED in responses[0].content.decode()

    def test_the_thread_reads_in_a_fixed_number_of_queries(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.client.get(thread_url(self.prediction), headers=HTMX)
            return len(queries)

        for author in (self.owner, self.member):
            comment_post(prediction=self.prediction, author=author, body="x")
            ForecastFactory(prediction=self.prediction, author=author)
        few = count()
        for _ in range(10):
            comment_post(prediction=self.prediction, author=self.member, body="y")
            ForecastFactory(prediction=self.prediction, author=self.member)
        assert count() == few


class SharedPageTests(TestCase):
    """/s/<token>/: the thread is read-only for everyone; posting needs readable_by."""

    def setUp(self):
        people(self)
        self.prediction.visibility = Prediction.Visibility.LINK
        self.prediction.share_token = "tok-abc"
        self.prediction.save()
        self.shared_url = reverse("predictions:shared", args=["tok-abc"])
        comment_post(prediction=self.prediction, author=self.member, body=XSS)

    def test_anonymous_visitors_read_the_thread_without_a_form_or_user_names(self):
        html = self.client.get(self.shared_url).content.decode()
        assert XSS_ESCAPED in html
        assert "<script>alert" not in html
        assert "Mina Member" in html
        assert "mina" not in html.lower().replace("mina member", "")
        assert "Post comment" not in html
        assert "Read-only here." in html
        assert "Comment on its page" not in html

    def test_a_reader_is_pointed_to_the_page_where_they_can_comment(self):
        self.client.force_login(self.member)
        html = self.client.get(self.shared_url).content.decode()
        assert "Post comment" not in html
        assert "Comment on its page" in html

    def test_someone_with_only_the_link_cannot_post(self):
        self.client.force_login(self.outsider)
        html = self.client.get(self.shared_url).content.decode()
        assert "Comment on its page" not in html
        response = self.client.post(thread_url(self.prediction), {"body": "Drive-by"})
        assert response.status_code == 404
        assert not Comment.objects.filter(body="Drive-by").exists()

    def test_the_share_page_hides_forecasts_as_for_anyone_with_the_link(self):
        ForecastFactory(prediction=self.prediction, author=self.member, probability=Decimal("0.2"))
        self.client.force_login(self.member)  # sees it in the app, not on the public page
        html = self.client.get(self.shared_url).content.decode()
        assert "20%" not in html[html.index('id="comments"') :]

    def test_a_deleted_comment_is_a_placeholder_there_too(self):
        comment = Comment.objects.get()
        comment_delete(comment=comment, author=self.member)
        html = self.client.get(self.shared_url).content.decode()
        assert "Comment deleted" in html
        assert XSS_ESCAPED not in html
