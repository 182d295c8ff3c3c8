"""The one comment form, for posting and editing.

The length limit comes from the model (predictions.models.bounded_text); Django's
CharField refuses NUL characters and an empty or blank-only text, as the other forms do.
"""

from django import forms

from comments.models import Comment

MSG_EMPTY = "Write something before posting."


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ("body",)
        labels = {"body": "Your comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"body": {"required": MSG_EMPTY}}
