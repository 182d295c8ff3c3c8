"""comments.services: who may post, edit and delete, what each records, and limits."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from comments.models import BODY_MAX_LENGTH, Comment, CommentEdit
from comments.services import comment_delete, comment_edit, comment_post
from groups.models import Membership
from tests.comments.helpers import people
from tests.predictions.factories import PredictionFactory


class CommentServiceTests(TestCase):
    def setUp(self):
        people(self)

    def test_owner_and_member_post_outsider_and_former_member_cannot(self):
        comment_post(prediction=self.prediction, author=self.owner, body="Mine")
        comment_post(prediction=self.prediction, author=self.member, body="Yours")
        with pytest.raises(PermissionDenied):
            comment_post(prediction=self.prediction, author=self.outsider, body="Nope")
        Membership.objects.filter(user=self.member).delete()
        with pytest.raises(PermissionDenied):
            comment_post(prediction=self.prediction, author=self.member, body="Not now")
        assert [c.body for c in Comment.objects.all()] == ["Mine", "Yours"]

    def test_a_private_prediction_takes_comments_from_its_owner_only(self):
        private = PredictionFactory(owner=self.owner)
        with pytest.raises(PermissionDenied):
            comment_post(prediction=private, author=self.member, body="Hi")
        assert not Comment.objects.exists()

    def test_an_edit_records_the_old_text_and_the_same_text_records_nothing(self):
        comment = comment_post(prediction=self.prediction, author=self.member, body="First")
        comment_edit(comment=comment, author=self.member, body="Second")
        comment_edit(comment=comment, author=self.member, body="Second")
        comment_edit(comment=comment, author=self.member, body="Third")
        comment.refresh_from_db()
        assert comment.body == "Third"
        assert comment.edited_at is not None
        edits = list(CommentEdit.objects.filter(comment=comment))
        assert [e.old_body for e in edits] == ["First", "Second"]
        assert edits[-1].created_at == comment.edited_at

    def test_only_the_author_edits_or_deletes_and_nothing_changes_otherwise(self):
        comment = comment_post(prediction=self.prediction, author=self.member, body="Mine")
        for other in (self.owner, self.outsider):
            with pytest.raises(PermissionDenied):
                comment_edit(comment=comment, author=other, body="Changed")
            with pytest.raises(PermissionDenied):
                comment_delete(comment=comment, author=other)
        comment.refresh_from_db()
        assert (comment.body, comment.edited_at, comment.deleted_at) == ("Mine", None, None)
        assert not CommentEdit.objects.exists()

    def test_a_deleted_comment_is_kept_marked_and_cannot_be_edited(self):
        comment = comment_post(prediction=self.prediction, author=self.member, body="Oops")
        comment_delete(comment=comment, author=self.member)
        comment.refresh_from_db()
        assert comment.deleted_at is not None
        with pytest.raises(PermissionDenied):
            comment_edit(comment=comment, author=self.member, body="Back")
        with pytest.raises(PermissionDenied):
            comment_delete(comment=comment, author=self.member)
        assert list(Comment.objects.live()) == []

    def test_the_length_limit_holds_in_the_service_too(self):
        comment_post(prediction=self.prediction, author=self.owner, body="x" * BODY_MAX_LENGTH)
        with pytest.raises(ValidationError) as caught:
            comment_post(
                prediction=self.prediction, author=self.owner, body="x" * (BODY_MAX_LENGTH + 1)
            )
        assert "body" in caught.value.error_dict
        comment = Comment.objects.get()
        with pytest.raises(ValidationError):
            comment_edit(comment=comment, author=self.owner, body="y" * (BODY_MAX_LENGTH + 1))
        comment.refresh_from_db()
        assert comment.body == "x" * BODY_MAX_LENGTH
        assert not CommentEdit.objects.exists()  # the transaction took the record back

    def test_deleting_the_prediction_deletes_its_comments(self):
        comment = comment_post(prediction=self.prediction, author=self.member, body="a")
        comment_edit(comment=comment, author=self.member, body="b")
        self.prediction.delete()
        assert not Comment.objects.exists()
        assert not CommentEdit.objects.exists()
