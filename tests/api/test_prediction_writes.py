"""POST /api/v1/predictions, …/forecasts, …/resolve, …/undo, …/extend: the pages' forms
and services, their messages, and who may call them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api import tokens
from predictions import sharing
from predictions.models import Forecast, Prediction
from predictions.services.edit import MSG_EXTEND_LATER
from tests.groups.helpers import Cast
from tests.predictions.factories import PredictionFactory, UserFactory
from tests.sources.factories import EvidenceLinkFactory

pytestmark = pytest.mark.django_db


def _post(client, user, path, can_write=True, **body):
    headers = {}
    if user is not None:
        _, secret = tokens.create_token(user, "t", can_write=can_write)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client.post(f"/api/v1{path}", body, content_type="application/json", **headers)


def _later(days=10):
    return (timezone.now().date() + timedelta(days=days)).isoformat()


def test_create_saves_the_question_and_its_first_forecast(client):
    user = UserFactory()
    response = _post(
        client,
        user,
        "/predictions",
        question="<script>x</script> rains",
        probability=0.7,
        resolve_by=_later(),
        tags="weather",
    )
    assert response.status_code == 201, response.json()
    prediction = Prediction.objects.get(pk=response.json()["id"])
    assert prediction.owner == user
    assert prediction.question == "<script>x</script> rains"
    assert [t.name for t in prediction.tags.all()] == ["weather"]
    assert prediction.forecasts.get().probability == Decimal("0.700")


def test_create_reads_probability_in_words(client):
    response = _post(
        client,
        UserFactory(),
        "/predictions",
        question="It rains",
        probability="likely",
        resolve_by=_later(),
    )
    assert response.status_code == 201
    forecast = Forecast.objects.get(prediction_id=response.json()["id"])
    assert forecast.phrase == "likely"


def test_create_refuses_bad_input_with_the_forms_messages(client):
    user = UserFactory()
    response = _post(client, user, "/predictions", question="", probability=1.5, resolve_by="x")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"question", "probability"} <= set(errors)
    assert not Prediction.objects.exists()


def test_create_a_past_date_needs_confirming(client):
    user = UserFactory()
    past = (timezone.now().date() - timedelta(days=3)).isoformat()
    body = {"question": "It rained", "probability": "70%", "resolve_by": past}
    assert _post(client, user, "/predictions", **body).status_code == 400
    assert not Prediction.objects.exists()
    assert _post(client, user, "/predictions", confirm_past=True, **body).status_code == 201


def test_a_huge_claim_is_refused_not_saved(client):
    response = _post(
        client,
        UserFactory(),
        "/predictions",
        question="x" * 9000,
        probability=0.5,
        resolve_by=_later(),
    )
    assert response.status_code == 400
    assert "question" in response.json()["errors"]


def test_writes_need_a_token_and_a_read_write_one(client):
    user = UserFactory()
    body = {"question": "It rains", "probability": 0.5, "resolve_by": _later()}
    assert _post(client, None, "/predictions", **body).status_code == 401
    assert _post(client, user, "/predictions", can_write=False, **body).status_code == 403
    prediction = PredictionFactory(owner=user)
    for path, data in [
        (f"/predictions/{prediction.pk}/forecasts", {"probability": 0.5}),
        (f"/predictions/{prediction.pk}/resolve", {"outcome": "yes"}),
        (f"/predictions/{prediction.pk}/undo", {}),
        (f"/predictions/{prediction.pk}/extend", {"resolve_by": _later(60)}),
    ]:
        assert _post(client, None, path, **data).status_code == 401
        assert _post(client, user, path, can_write=False, **data).status_code == 403
    assert not Prediction.objects.exclude(pk=prediction.pk).exists()
    assert not prediction.forecasts.exists()


def test_forecast_by_owner_and_group_member(client):
    cast = Cast()
    prediction = PredictionFactory(owner=cast.owner)
    prediction.shared_with.add(cast.group)
    response = _post(
        client,
        cast.member,
        f"/predictions/{prediction.pk}/forecasts",
        probability="1 in 4",
        rationale="base rate",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["probability"] == 0.25
    forecast = prediction.forecasts.get()
    assert forecast.author == cast.member
    assert forecast.rationale == "base rate"


def test_forecast_isolation_other_user_and_former_member_get_404(client):
    cast = Cast()
    prediction = PredictionFactory(owner=cast.owner)
    prediction.shared_with.add(cast.group)
    for user in (cast.outsider, cast.former):
        path = f"/predictions/{prediction.pk}/forecasts"
        assert _post(client, user, path, probability=0.5).status_code == 404
    assert not prediction.forecasts.exists()


def test_forecast_bad_probability_is_400_with_the_fields_message(client):
    prediction = PredictionFactory()
    response = _post(
        client, prediction.owner, f"/predictions/{prediction.pk}/forecasts", probability="0.05"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["probability"]
    assert not prediction.forecasts.exists()


def test_forecast_on_a_resolved_question_is_409(client):
    prediction = PredictionFactory()
    owner = prediction.owner
    assert (
        _post(client, owner, f"/predictions/{prediction.pk}/resolve", outcome="no").status_code
        == 200
    )
    response = _post(client, owner, f"/predictions/{prediction.pk}/forecasts", probability=0.5)
    assert response.status_code == 409


def test_resolve_undo_and_their_states(client):
    prediction = PredictionFactory()
    owner, base = prediction.owner, f"/predictions/{prediction.pk}"
    assert _post(client, owner, f"{base}/undo").status_code == 409  # open: nothing to undo
    response = _post(client, owner, f"{base}/resolve", outcome="yes", note="<b>seen</b>")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    prediction.refresh_from_db()
    assert prediction.outcome is True
    assert _post(client, owner, f"{base}/extend", resolve_by=_later(90)).status_code == 409
    assert _post(client, owner, f"{base}/undo").json()["status"] == "open"
    assert _post(client, owner, f"{base}/resolve", outcome="maybe").status_code == 400


def test_extend_moves_the_date_later_only(client):
    prediction = PredictionFactory()
    owner, path = prediction.owner, f"/predictions/{prediction.pk}/extend"
    earlier = (prediction.resolve_by - timedelta(days=1)).isoformat()
    response = _post(client, owner, path, resolve_by=earlier)
    assert response.status_code == 400
    assert response.json()["errors"]["resolve_by"] == [MSG_EXTEND_LATER]
    assert _post(client, owner, path, resolve_by=_later(90)).status_code == 200
    prediction.refresh_from_db()
    assert prediction.resolve_by.isoformat() == _later(90)


def test_owner_only_actions_are_404_for_others_and_group_members(client):
    cast = Cast()
    prediction = PredictionFactory(owner=cast.owner)
    prediction.shared_with.add(cast.group)
    base = f"/predictions/{prediction.pk}"
    for user in (cast.member, cast.outsider, cast.former):
        assert _post(client, user, f"{base}/resolve", outcome="yes").status_code == 404
        assert _post(client, user, f"{base}/undo").status_code == 404
        assert _post(client, user, f"{base}/extend", resolve_by=_later(90)).status_code == 404
    prediction.refresh_from_db()
    assert prediction.status == Prediction.Status.OPEN
    assert sharing.can_forecast(prediction, cast.member)


@pytest.mark.parametrize("mine_has_evidence", [True, False])
def test_evidence_of_another_users_question_is_refused(client, mine_has_evidence):
    mine, theirs = PredictionFactory(), PredictionFactory()
    if mine_has_evidence:
        EvidenceLinkFactory(prediction=mine)
    elsewhere = EvidenceLinkFactory(prediction=theirs)
    base = f"/predictions/{mine.pk}"
    body = {"probability": 0.4, "evidence": elsewhere.pk}
    response = _post(client, mine.owner, f"{base}/forecasts", **body)
    assert response.status_code == 400
    assert "evidence" in response.json()["errors"]
    response = _post(client, mine.owner, f"{base}/resolve", outcome="yes", evidence=elsewhere.pk)
    assert response.status_code == 400
    assert not mine.forecasts.exists()
    mine.refresh_from_db()
    assert mine.status == Prediction.Status.OPEN


@pytest.mark.parametrize("probability", [1e308, -0.5, "x" * 5000, "NaN", 0.123456])
def test_odd_probabilities_are_400_never_500(client, probability):
    prediction = PredictionFactory()
    path = f"/predictions/{prediction.pk}/forecasts"
    response = _post(client, prediction.owner, path, probability=probability)
    assert response.status_code == 400
    assert response.json()["errors"]["probability"]
    assert not prediction.forecasts.exists()
