"""Forms for sources and evidence links. They parse; the services write and re-check."""

from django import forms
from django.core.exceptions import ValidationError

from sources.models import EvidenceLink, Source
from sources.normalise import normalise_url
from sources.services import MSG_URL_OR_SOURCE
from web.forms import DateInput

MSG_URL_AND_SOURCE = "Paste a link or choose a source from your library, not both."


class SourceURLField(forms.CharField):
    """A web address, cleaned to its normalised form; only http and https are accepted.

    A CharField rather than a URLField: URLField would accept ftp:// and guess schemes
    differently from the service, and the message must name the refused scheme.
    """

    widget = forms.URLInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "url", "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return normalise_url(value)


class EvidenceForm(forms.Form):
    """Add evidence to a prediction: a pasted link (or a library source), stance, quote."""

    url = SourceURLField(
        label="Link",
        required=False,
        help_text="Paste the article's address; a source already in your library is reused.",
    )
    title = forms.CharField(label="Title", required=False, max_length=500)
    publisher = forms.CharField(label="Publisher", required=False, max_length=200)
    published_date = forms.DateField(label="Published on", required=False, widget=DateInput)
    source = forms.ModelChoiceField(
        queryset=Source.objects.none(),
        required=False,
        label="Or choose from your library",
        empty_label="— none —",
    )
    stance = forms.ChoiceField(
        choices=EvidenceLink.Stance.choices,
        initial=EvidenceLink.Stance.SUPPORTS,
        widget=forms.RadioSelect,
        help_text="Towards the claim: does it make it more likely, less likely, or settle it?",
    )
    quote = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The passage that matters, word for word.",
    )
    note = forms.CharField(
        label="Your note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How much you trust it, and why.",
    )

    def __init__(self, *args, owner, prediction=None, **kwargs) -> None:
        kwargs.setdefault("prefix", "evidence")
        super().__init__(*args, **kwargs)
        # Only the owner's sources, and not those already on this prediction: another
        # user's source id typed into the POST body is "not one of the choices".
        sources = Source.objects.filter(owner=owner).order_by("title", "url")
        if prediction is not None:
            sources = sources.exclude(links__prediction=prediction)
        source_field = self.fields["source"]
        assert isinstance(source_field, forms.ModelChoiceField)
        source_field.queryset = sources

    def clean(self):
        data = super().clean()
        if self.errors.get("url") or self.errors.get("source"):
            return data
        if data.get("url") and data.get("source"):
            raise ValidationError({"url": MSG_URL_AND_SOURCE})
        if not data.get("url") and not data.get("source"):
            raise ValidationError({"url": MSG_URL_OR_SOURCE})
        return data

    def source_fields(self) -> dict:
        """What the form knows about a new source (blank values are left out)."""
        names = ("title", "publisher", "published_date")
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}


class EvidenceLinkForm(forms.Form):
    """Edit a link's stance, quote and note (the source is edited in the library)."""

    stance = forms.ChoiceField(choices=EvidenceLink.Stance.choices, widget=forms.RadioSelect)
    quote = EvidenceForm.base_fields["quote"]
    note = EvidenceForm.base_fields["note"]


class SourceForm(forms.ModelForm):
    url = SourceURLField(label="Link")
    archive_url = SourceURLField(
        label="Archived copy",
        required=False,
        help_text="e.g. a web.archive.org snapshot, in case the page changes or goes away.",
    )

    class Meta:
        model = Source
        fields = [
            "url",
            "title",
            "publisher",
            "author",
            "published_date",
            "language",
            "accessed_date",
            "archive_url",
            "notes",
        ]
        widgets = {
            "published_date": DateInput,
            "accessed_date": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"language": "e.g. en, de"}


class SourceAdminForm(SourceForm):
    """The admin's form: the same URL checks, so no other scheme enters that way either."""

    class Meta(SourceForm.Meta):
        fields = ["owner", *SourceForm.Meta.fields]
