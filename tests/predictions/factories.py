"""factory_boy factories for predictions. Tests that assert scores pass explicit values."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from predictions.models import Forecast, Prediction, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class PredictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prediction

    owner = factory.SubFactory(UserFactory)
    question = factory.Sequence(lambda n: f"Claim number {n} will come true")
    resolve_by = factory.LazyFunction(lambda: timezone.now().date() + dt.timedelta(days=30))
    created_at = factory.LazyFunction(timezone.now)


class ForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forecast

    prediction = factory.SubFactory(PredictionFactory)
    probability = Decimal("0.700")
    created_at = factory.LazyFunction(timezone.now)
