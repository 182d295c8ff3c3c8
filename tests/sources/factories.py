"""factory_boy factories for sources and evidence links."""

import factory
from django.utils import timezone

from sources.models import EvidenceLink, Source
from tests.predictions.factories import PredictionFactory, UserFactory


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    owner = factory.SubFactory(UserFactory)
    url = factory.Sequence(lambda n: f"https://news.example.org/article-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "Example News"
    created_at = factory.LazyFunction(timezone.now)


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceLink

    prediction = factory.SubFactory(PredictionFactory)
    source = factory.SubFactory(SourceFactory, owner=factory.SelfAttribute("..prediction.owner"))
    stance = EvidenceLink.Stance.SUPPORTS
    created_at = factory.LazyFunction(timezone.now)
