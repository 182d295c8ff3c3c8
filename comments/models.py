"""Comments on predictions (issue "Forecast together", docs/design.md "Comments").

Everyone who can read a prediction inside the app (`PredictionQuerySet.readable_by`)
may comment on it. A comment is edited and deleted only by its author; every edit keeps
the text it replaced (CommentEdit), and deleting keeps the row with `deleted_at` set, so
the thread shows where a comment was and when it went (docs/decisions/0025-comments.md).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from predictions.models import Prediction, bounded_text

BODY_MAX_LENGTH = 5000


class CommentQuerySet(models.QuerySet):
    def live(self) -> "CommentQuerySet":
        return self.filter(deleted_at__isnull=True)


class Comment(models.Model):
    prediction = models.ForeignKey(Prediction, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = bounded_text(BODY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set by a delete; the page then shows "comment deleted" and none of the text.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["prediction", "created_at"], name="comment_pred_time")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.prediction_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class CommentEdit(models.Model):
    """The text a comment had before one edit."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="edits")
    old_body = bounded_text(BODY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Edit of comment {self.comment_id} at {self.created_at:%Y-%m-%d %H:%M}"
