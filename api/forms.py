from django import forms

from api.models import ApiToken


class TokenForm(forms.ModelForm):
    can_write = forms.TypedChoiceField(
        label="Scope",
        choices=[("0", "Read-only"), ("1", "Read-write")],
        coerce=lambda value: value == "1",
        initial="0",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "can_write"]
        labels = {"name": "Token name"}
