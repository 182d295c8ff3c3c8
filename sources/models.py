"""Sources (documents a user cites) and the evidence links tying them to predictions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from predictions.models import Prediction, bounded_text


class Source(models.Model):
    """A document: article, post or paper. The URL is normalised and unique per owner."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sources"
    )
    url = models.URLField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    accessed_date = models.DateField(null=True, blank=True)
    archive_url = models.URLField(max_length=2000, blank=True)
    notes = bounded_text(5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "url"], name="source_unique_url_per_owner"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class EvidenceLink(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        OPPOSES = "opposes", "Opposes"
        CONTEXT = "context", "Context"
        RESOLVES = "resolves", "Resolves"

    prediction = models.ForeignKey(
        Prediction, on_delete=models.CASCADE, related_name="evidence_links"
    )
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="links")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    quote = bounded_text(5000, blank=True)
    note = bounded_text(5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["prediction", "source"], name="evidence_unique_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source}"
