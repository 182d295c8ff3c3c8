from django import forms

from notifications.kinds import MailKind


class MailPreferencesForm(forms.Form):
    """The profile page's mail choices: a box per kind of mail, ticked = sent."""

    kinds = forms.MultipleChoiceField(
        choices=MailKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Email me",
    )

    def wanted(self) -> list[MailKind]:
        return [MailKind(value) for value in self.cleaned_data["kinds"]]
