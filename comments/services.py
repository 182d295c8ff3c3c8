"""Every write to comments: post, edit, delete, each in one transaction.

Who may do what is checked here as well as in the views (which answer 404 first): only
someone who reads the prediction inside the app posts on it, and only a comment's
author edits or deletes it, and never once it is deleted.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from comments.models import Comment, CommentEdit
from predictions.models import Prediction

MSG_CANNOT_COMMENT = "Only people who can read this prediction can comment on it."
MSG_NOT_AUTHOR = "Only its author can change a comment."


def can_comment(prediction: Prediction, user) -> bool:
    """Whoever reads the prediction inside the app (its owner without a query)."""
    if user.is_authenticated and user.pk == prediction.owner_id:
        return True
    return Prediction.objects.readable_by(user).filter(pk=prediction.pk).exists()


def _check_author(comment: Comment, author) -> None:
    if comment.author_id != author.pk or comment.is_deleted:
        raise PermissionDenied(MSG_NOT_AUTHOR)


@transaction.atomic
def comment_post(*, prediction: Prediction, author, body: str) -> Comment:
    if not can_comment(prediction, author):
        raise PermissionDenied(MSG_CANNOT_COMMENT)
    comment = Comment(prediction=prediction, author=author, body=body)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, author, body: str) -> Comment:
    """Replaces the text and records the old one; the same text again changes nothing."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _check_author(comment, author)
    if body == comment.body:
        return comment
    old_body, now = comment.body, timezone.now()
    comment.body, comment.edited_at = body, now
    comment.full_clean()
    CommentEdit.objects.create(comment=comment, old_body=old_body, created_at=now)
    comment.save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, author) -> Comment:
    """A soft delete: the row stays, so the thread shows when it went; nothing shows its
    text or its earlier versions again."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    _check_author(comment, author)
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    return comment
