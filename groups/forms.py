from django import forms

from groups.models import Group


class GroupForm(forms.ModelForm):
    """Name and description; the lengths come from the model (80 and 2000)."""

    class Meta:
        model = Group
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": "At most 80 characters. Members see it, and so does anyone with the link.",
            "description": "Optional: what the group forecasts on, and how.",
        }
