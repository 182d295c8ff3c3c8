"""factory_boy factories for predictions. Tests that assert scores pass explicit values."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from predictions.models import Forecast, Prediction, PredictionEdit, Profile, ResolutionEvent, Tag

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    display_name = ""
    timezone = "UTC"
    verified_email = factory.SelfAttribute("user.email")  # confirmed, as most users' are


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class PredictionFactory(factory.django.DjangoModelFactory):
    """An open yes/no prediction; `tags=[...]` attaches tags after saving."""

    class Meta:
        model = Prediction
        skip_postgeneration_save = True

    owner = factory.SubFactory(UserFactory)
    question = factory.Sequence(lambda n: f"Claim number {n} will come true")
    resolve_by = factory.LazyFunction(lambda: timezone.now().date() + dt.timedelta(days=30))
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class ForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forecast

    prediction = factory.SubFactory(PredictionFactory)
    author = factory.LazyAttribute(lambda forecast: forecast.prediction.owner)
    probability = Decimal("0.700")
    created_at = factory.LazyFunction(timezone.now)


class ResolutionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResolutionEvent

    prediction = factory.SubFactory(PredictionFactory)
    action = ResolutionEvent.Action.RESOLVE
    outcome = True
    known_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)


class PredictionEditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PredictionEdit

    prediction = factory.SubFactory(PredictionFactory)
    field = "question"
    old_value = "Old claim"
    new_value = "New claim"
    created_at = factory.LazyFunction(timezone.now)
