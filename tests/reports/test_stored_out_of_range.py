"""The read side never answers 500 on stored data, whatever its dates.

The write side refuses dates outside 1900–2199 (predictions.rules), but rows written
before that rule, by the admin's raw SQL or by a bulk insert bypass it. Here such rows
are written with `QuerySet.update` and `bulk_create` (no validation) at the ends of the
calendar (year 1, 9999) and just outside the bounds (1899, 2200), beside ordinary
predictions, for an owner whose time zone pushes year 1 and 9999 past the calendar
(UTC−11 and UTC+14). Every page, chart and export must answer 200 and the reminders
command run, never raise; the stored date is shown as text.
"""

import datetime as dt
import io
import traceback
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from predictions import services
from predictions.models import (
    DateQuantile,
    Forecast,
    Prediction,
    PredictionEdit,
    ResolutionEvent,
)
from sources.models import EvidenceLink, Source
from sources.services import evidence_link_create
from tests.predictions.factories import ProfileFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
T0 = dt.datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EXTREMES = {
    "year 1": dt.datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    "year 9999": dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    "1899": dt.datetime(1899, 12, 31, 12, 0, tzinfo=UTC),
    "2200": dt.datetime(2200, 1, 1, 12, 0, tzinfo=UTC),
}
# Each extreme with the owner's zone that pushes it past the calendar: year 1 in UTC−11,
# 9999 in UTC+14 (the other pairings convert fine and cost seconds each).
CASES = [
    ("year 1", "Pacific/Niue"),
    ("year 9999", "Pacific/Kiritimati"),
    ("1899", "Pacific/Niue"),
    ("2200", "Pacific/Kiritimati"),
]


def _ordinary(owner) -> None:
    """Enough ordinary resolved predictions for every dashboard section to draw."""
    tags = services.tags_for_names(owner=owner, names=["ordinary"])
    for i in range(12):
        prediction = services.prediction_create(
            owner=owner,
            question=f"Ordinary claim {i}",
            resolve_by=(T0 + dt.timedelta(days=10 + i)).date(),
            probability=Decimal("0.100") + Decimal(i) / 20,
            created_at=T0 + dt.timedelta(days=i),
            tags=tags,
        )
        services.prediction_resolve(
            prediction=prediction,
            outcome="yes" if i % 2 else "no",
            known_at=T0 + dt.timedelta(days=20 + i),
            resolved_at=T0 + dt.timedelta(days=20 + i),
        )


def _poisoned(owner, when: dt.datetime) -> list[Prediction]:
    """One prediction of each kind, resolved and edited, then every date it has moved
    to `when` behind the validation's back."""
    tags = services.tags_for_names(owner=owner, names=["poisoned"])
    binary = services.prediction_create(
        owner=owner,
        question="A yes/no claim dated at the end of time",
        resolve_by=T0.date(),
        probability=Decimal("0.700"),
        created_at=T0,
        tags=tags,
        visibility=Prediction.Visibility.LINK,
    )
    services.forecast_create(
        prediction=binary, author=owner, probability=Decimal("0.600"), created_at=T0
    )
    services.prediction_update(
        prediction=binary, question=binary.question + "!", resolve_by=T0.date()
    )
    link = evidence_link_create(
        prediction=binary, owner=owner, stance="supports", url="https://example.org/old"
    )
    services.prediction_resolve(prediction=binary, outcome="yes", known_at=T0, resolved_at=T0)
    choice = services.prediction_create(
        owner=owner,
        question="Which one, at the end of time?",
        kind=Prediction.Kind.MULTIPLE_CHOICE,
        resolve_by=T0.date(),
        options=["A", "B"],
        option_probabilities=[Decimal("0.600"), Decimal("0.400")],
        created_at=T0,
        visibility=Prediction.Visibility.PUBLIC,
    )
    services.prediction_resolve(
        prediction=choice, outcome=choice.options.first(), known_at=T0, resolved_at=T0
    )
    release = services.prediction_create(
        owner=owner,
        question="When, at the end of time?",
        kind=Prediction.Kind.DATE,
        resolve_by=T0.date(),
        quantiles={
            Decimal("0.1"): T0.date(),
            Decimal("0.5"): (T0 + dt.timedelta(days=1)).date(),
            Decimal("0.9"): (T0 + dt.timedelta(days=2)).date(),
        },
        created_at=T0,
        visibility=Prediction.Visibility.LINK,
    )
    services.prediction_resolve(prediction=release, outcome=T0.date(), known_at=T0, resolved_at=T0)
    poisoned = [binary, choice, release]
    ids = [p.pk for p in poisoned]
    day = when.date()
    Prediction.objects.filter(pk__in=ids).update(
        created_at=when, resolve_by=day, known_at=when, resolved_at=when
    )
    Prediction.objects.filter(pk=release.pk).update(outcome_date=day)
    Forecast.objects.filter(prediction__in=ids).update(created_at=when)
    DateQuantile.objects.filter(forecast__prediction=release).update(value=day)
    ResolutionEvent.objects.filter(prediction__in=ids).update(created_at=when, known_at=when)
    PredictionEdit.objects.filter(prediction__in=ids).update(created_at=when)
    EvidenceLink.objects.filter(pk=link.pk).update(created_at=when)
    Source.objects.filter(pk=link.source_id).update(
        created_at=when, published_date=day, accessed_date=day
    )
    # And one more of each kind of row written by bulk_create, never validated.
    extra = Prediction.objects.bulk_create(
        [
            Prediction(
                owner=owner,
                question="Bulk-inserted at the end of time",
                resolve_by=day,
                created_at=when,
            )
        ]
    )[0]
    Forecast.objects.bulk_create(
        [
            Forecast(
                prediction=extra,
                author_id=extra.owner_id,
                created_at=when,
                probability=Decimal("0.500"),
            )
        ]
    )
    return [*poisoned, extra]


def _urls(predictions: list[Prediction]) -> list[str]:
    urls = [
        reverse("reports:dashboard"),
        reverse("reports:dashboard") + "?period=all",
        reverse("reports:dashboard") + "?kind=date",
        reverse("reports:dashboard") + "?kind=multiple_choice",
        reverse("predictions:list"),
        reverse("predictions:list") + "?status=resolved",
        reverse("predictions:list") + "?status=open",
        reverse("predictions:due"),
        reverse("reports:export_csv"),
        reverse("reports:export_json"),
        reverse("sources:library"),
        *(reverse("reports:chart", args=[name]) for name in ("reliability", "months", "tags")),
    ]
    for prediction in predictions:
        urls += [
            reverse("predictions:detail", args=[prediction.pk]),
            reverse("reports:prediction_chart", args=[prediction.pk]),
            reverse("predictions:resolve", args=[prediction.pk]),
            reverse("predictions:edit", args=[prediction.pk]),
            reverse("sources:prediction_evidence", args=[prediction.pk]),
        ]
    return urls


def _shared_urls(predictions: list[Prediction]) -> list[str]:
    urls = []
    for prediction in predictions:
        if prediction.visibility != Prediction.Visibility.PRIVATE:
            token = prediction.share_token
            urls += [
                reverse("predictions:shared", args=[token]),
                reverse("reports:shared_prediction_chart", args=[token]),
            ]
    return urls


def _where(exc: BaseException) -> str:
    """The project's innermost frame of a traceback: where a fix belongs."""
    frames = [
        f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno}"
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.filename.startswith(str(ROOT))
        and not any(part in frame.filename for part in ("/tests/", "/.venv/"))
    ]
    return frames[-1] if frames else "?"


def _answer(client: Client, url: str) -> str:
    """ "" when the page answers, else what went wrong."""
    try:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    except Exception as exc:
        return f"{url}: {type(exc).__name__}: {exc} (at {_where(exc)})"
    if response.status_code != 200:
        return f"{url}: {response.status_code}"
    return ""


@pytest.mark.django_db
@pytest.mark.parametrize(("extreme", "zone"), CASES)
def test_every_page_answers_on_dates_at_the_ends_of_the_calendar(extreme, zone):
    owner = UserFactory(username="owner")
    ProfileFactory(user=owner, timezone=zone)
    _ordinary(owner)
    predictions = _poisoned(owner, EXTREMES[extreme])
    client = Client()
    client.force_login(owner)
    failures = [_answer(client, url) for url in _urls(predictions)]
    htmx = Client(headers={"HX-Request": "true"})
    htmx.force_login(owner)
    for url in (reverse("reports:dashboard"), reverse("predictions:list")):
        failures.append(_answer(htmx, url + "?period=all"))
    anonymous = Client()
    failures += [_answer(anonymous, url) for url in _shared_urls(predictions)]
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)
    # The stored date is shown as text, in UTC where the owner's zone cannot hold it.
    year = f"{EXTREMES[extreme].year:04d}"
    page = client.get(reverse("predictions:detail", args=[predictions[0].pk])).content.decode()
    assert year in page
    export = b"".join(client.get(reverse("reports:export_csv")).streaming_content).decode()
    assert EXTREMES[extreme].date().isoformat() in export


@pytest.mark.django_db
@pytest.mark.parametrize("extreme", list(EXTREMES))
def test_reminders_and_exports_run_on_dates_at_the_ends_of_the_calendar(extreme):
    owner = UserFactory(username="owner", email="owner@example.org")
    ProfileFactory(user=owner, timezone="Pacific/Kiritimati", verified_email="owner@example.org")
    _ordinary(owner)
    _poisoned(owner, EXTREMES[extreme])
    Prediction.objects.filter(owner=owner).update(status=Prediction.Status.OPEN, known_at=None)
    out = io.StringIO()
    call_command("send_resolution_reminders", stdout=out, stderr=io.StringIO())
    for fmt in ("csv", "json"):
        call_command("export_predictions", user="owner", format=fmt, stdout=out)
    assert len(mail.outbox) <= 1
