"""Every comments URL, GET and POST, as owner, member, former member, outsider and
anonymous visitor. The URLs are read from comments.urls, so a new one cannot escape."""

from unittest import mock

from django.core.exceptions import PermissionDenied
from django.template import RequestContext, Template
from django.test import RequestFactory, TestCase
from django.urls import reverse

from comments import urls
from comments.models import Comment, CommentEdit
from comments.services import comment_post
from groups.models import Membership
from tests.comments.helpers import people
from tests.predictions.factories import PredictionFactory


def comment_urls(prediction, comment) -> list[str]:
    found = []
    for pattern in urls.urlpatterns:
        kwargs = {"pk": prediction.pk}
        if "comment_pk" in pattern.pattern.converters:
            kwargs["comment_pk"] = comment.pk
        found.append(reverse(f"comments:{pattern.name}", kwargs=kwargs))
    return found


class AccessTests(TestCase):
    def setUp(self):
        people(self)
        self.comment = comment_post(prediction=self.prediction, author=self.member, body="Mine")
        self.urls = comment_urls(self.prediction, self.comment)

    def assert_unchanged(self):
        self.comment.refresh_from_db()
        assert (self.comment.body, self.comment.deleted_at) == ("Mine", None)
        assert Comment.objects.count() == 1
        assert not CommentEdit.objects.exists()

    def test_every_url_is_listed(self):
        assert len(self.urls) == 4

    def test_another_accounts_prediction_is_404_on_every_url(self):
        self.client.force_login(self.outsider)
        for url in self.urls:
            assert self.client.get(url).status_code == 404, url
            assert self.client.post(url, {"body": "hijack"}).status_code == 404, url
        self.assert_unchanged()

    def test_a_former_member_loses_read_and_post(self):
        self.client.force_login(self.member)
        assert self.client.get(self.urls[0]).status_code == 200
        Membership.objects.filter(user=self.member).delete()
        for url in self.urls:
            assert self.client.get(url).status_code == 404, url
            assert self.client.post(url, {"body": "still here?"}).status_code == 404, url
        self.assert_unchanged()

    def test_anonymous_visitors_are_sent_to_log_in(self):
        login = reverse("login")
        for url in self.urls:
            for response in (self.client.get(url), self.client.post(url, {"body": "x"})):
                assert response.status_code == 302, url
                assert response["Location"].startswith(login), url
        self.assert_unchanged()

    def test_someone_elses_comment_cannot_be_edited_or_deleted_even_by_the_owner(self):
        self.client.force_login(self.owner)
        edit, delete = (
            reverse(f"comments:{name}", args=[self.prediction.pk, self.comment.pk])
            for name in ("edit", "delete")
        )
        assert self.client.get(edit).status_code == 404
        assert self.client.post(edit, {"body": "Owner's words"}).status_code == 404
        assert self.client.post(delete).status_code == 404
        self.assert_unchanged()

    def test_a_comment_is_reached_only_through_its_own_prediction(self):
        other = PredictionFactory(owner=self.member)
        self.client.force_login(self.member)
        for name in ("edit", "delete", "history"):
            url = reverse(f"comments:{name}", args=[other.pk, self.comment.pk])
            assert self.client.post(url, {"body": "moved"}).status_code == 404, url
            assert self.client.get(url).status_code == 404, url
        self.assert_unchanged()

    def test_a_reader_using_the_wrong_method_gets_405_and_nothing_changes(self):
        self.client.force_login(self.member)
        delete, history = (
            reverse(f"comments:{name}", args=[self.prediction.pk, self.comment.pk])
            for name in ("delete", "history")
        )
        assert self.client.get(delete).status_code == 405
        assert self.client.post(history).status_code == 405
        self.assert_unchanged()

    def test_a_nonexistent_id_is_404(self):
        self.client.force_login(self.owner)
        assert self.client.get(reverse("comments:thread", args=[999999])).status_code == 404
        url = reverse("comments:edit", args=[self.prediction.pk, 999999])
        assert self.client.post(url, {"body": "x"}).status_code == 404


class IncludeBackstopTests(TestCase):
    """The include renders nothing for someone who cannot read the prediction, should a
    page ever include it without checking first."""

    def render(self, user, **extra) -> str:
        request = RequestFactory().get("/")
        request.user = user
        template = Template('{% include "comments/thread.html" %}')
        return template.render(RequestContext(request, {"prediction": self.prediction, **extra}))

    def setUp(self):
        people(self)
        comment_post(prediction=self.prediction, author=self.member, body="For members")

    def test_readers_get_the_thread_and_others_nothing(self):
        assert "For members" in self.render(self.member)
        assert self.render(self.outsider).strip() == ""
        Membership.objects.filter(user=self.member).delete()
        assert self.render(self.member).strip() == ""


class LostRightTests(TestCase):
    """A right lost between the view's look-up and the service's check (a member removed
    meanwhile) is a 404 too, never a 500."""

    def setUp(self):
        people(self)
        self.client.force_login(self.member)

    def test_the_service_refusing_answers_404(self):
        url = reverse("comments:thread", args=[self.prediction.pk])
        with mock.patch("comments.views.comment_post", side_effect=PermissionDenied):
            assert self.client.post(url, {"body": "late"}).status_code == 404
        assert not Comment.objects.exists()
