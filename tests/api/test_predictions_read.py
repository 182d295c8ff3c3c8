"""GET /api/v1/predictions and /api/v1/predictions/{id}: the list page's filters, cursor
pagination, isolation (another user, a former member, no token) and hidden forecasts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api import tokens
from api.routers.predictions import MSG_CURSOR
from groups import services as group_services
from groups.models import Group, Membership
from predictions.list_filters import MSG_GROUP
from predictions.models import Prediction
from sources.models import EvidenceLink, Source
from tests.predictions.factories import (
    ForecastFactory,
    PredictionFactory,
    ResolutionEventFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _get(client, secret, path, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return client.get(f"/api/v1{path}", params, **headers)


def _secret(user, can_write=False):
    return tokens.create_token(user, "t", can_write=can_write)[1]


@pytest.fixture
def shared():
    """A question shared with a group, hidden until one forecasts; the owner and a
    second member have forecast, a third member has not."""
    owner, member, newcomer = UserFactory(), UserFactory(), UserFactory()
    group = Group.objects.create(name="Forecasters")
    for user in (owner, member, newcomer):
        Membership.objects.create(group=group, user=user)
    prediction = PredictionFactory(owner=owner, hide_until_forecast=True)
    prediction.shared_with.add(group)
    ForecastFactory(prediction=prediction, author=owner, probability=Decimal("0.900"))
    ForecastFactory(prediction=prediction, author=member, probability=Decimal("0.100"))
    return prediction, owner, member, newcomer


# The list


def test_list_shows_own_questions_with_the_readers_latest_forecast(client):
    user = UserFactory()
    prediction = PredictionFactory(owner=user)
    ForecastFactory(prediction=prediction, probability=Decimal("0.300"))
    ForecastFactory(prediction=prediction, probability=Decimal("0.650"))
    PredictionFactory()  # another user's
    data = _get(client, _secret(user), "/predictions").json()
    assert [item["id"] for item in data["items"]] == [prediction.pk]
    item = data["items"][0]
    assert item["latest_forecast"]["probability"] == 0.65
    assert item["latest_forecast"]["summary"] == "65%"
    assert item["owner"] == user.username
    assert data["next_cursor"] is None


def test_list_filters_are_the_list_pages(client):
    user = UserFactory()
    work = TagFactory(owner=user, name="work")
    tagged = PredictionFactory(owner=user, question="Ship the beta", tags=[work])
    PredictionFactory(owner=user, question="Ship the alpha")
    resolved = PredictionFactory(
        owner=user,
        status=Prediction.Status.RESOLVED,
        outcome=True,
        known_at=timezone.now(),
        resolved_at=timezone.now(),
    )
    secret = _secret(user)

    def ids(**params):
        return [i["id"] for i in _get(client, secret, "/predictions", **params).json()["items"]]

    assert ids(tag=[work.pk]) == [tagged.pk]
    assert ids(q="beta") == [tagged.pk]
    assert ids(status="resolved") == [resolved.pk]
    assert len(ids(status="open")) == 2


def test_cursor_pages_through_every_row_once(client):
    user = UserFactory()
    made = [PredictionFactory(owner=user, created_at=timezone.now()).pk for _ in range(5)]
    secret = _secret(user)
    seen, cursor = [], ""
    while True:
        data = _get(client, secret, "/predictions", limit=2, cursor=cursor).json()
        seen += [item["id"] for item in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)


def test_bad_cursor_limit_and_filter_are_field_errors_not_500(client):
    user = UserFactory()
    secret = _secret(user)
    response = _get(client, secret, "/predictions", cursor="not-ours!")
    assert response.status_code == 400
    assert response.json()["errors"] == {"cursor": [MSG_CURSOR]}
    assert _get(client, secret, "/predictions", limit=10_000).status_code == 422
    other_group = Group.objects.create(name="Not mine")
    response = _get(client, secret, "/predictions", group=other_group.pk)
    assert response.status_code == 400
    assert response.json()["errors"]["group"] == [MSG_GROUP]


def test_list_needs_a_token(client):
    assert _get(client, None, "/predictions").status_code == 401
    assert _get(client, "fal_wrong", "/predictions").status_code == 401


# One prediction


def test_detail_gives_forecasts_evidence_resolution_and_score(client):
    user = UserFactory()
    prediction = PredictionFactory(owner=user, question="<script>alert(1)</script>")
    ForecastFactory(prediction=prediction, probability=Decimal("0.800"))
    source = Source.objects.create(owner=user, url="https://example.org/a", title="A")
    link = EvidenceLink.objects.create(prediction=prediction, source=source, stance="supports")
    ResolutionEventFactory(prediction=prediction, outcome=True, evidence=link)
    Prediction.objects.filter(pk=prediction.pk).update(
        status=Prediction.Status.RESOLVED,
        outcome=True,
        known_at=timezone.now(),
        resolved_at=timezone.now(),
    )
    response = _get(client, _secret(user), f"/predictions/{prediction.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["question"] == "<script>alert(1)</script>"  # JSON, as stored
    assert [f["probability"] for f in data["forecasts"]] == [0.8]
    assert data["evidence"][0]["url"] == "https://example.org/a"
    assert data["resolution_history"][0]["evidence_id"] == link.pk
    assert data["score"]["scored"] is True
    assert data["score"]["brier"] == pytest.approx(0.04)
    assert data["community"] is None  # not shared


def test_another_users_prediction_is_404(client):
    prediction = PredictionFactory()
    response = _get(client, _secret(UserFactory()), f"/predictions/{prediction.pk}")
    assert response.status_code == 404
    assert _get(client, None, f"/predictions/{prediction.pk}").status_code == 401
    assert _get(client, _secret(UserFactory()), "/predictions/999999").status_code == 404


def test_a_former_member_gets_404_and_no_longer_lists_it(client, shared):
    prediction, _, member, _ = shared
    secret = _secret(member)
    assert _get(client, secret, f"/predictions/{prediction.pk}").status_code == 200
    assert [i["id"] for i in _get(client, secret, "/predictions").json()["items"]] == [
        prediction.pk
    ]
    group_services.leave(membership=Membership.objects.get(user=member))
    assert _get(client, secret, f"/predictions/{prediction.pk}").status_code == 404
    assert _get(client, secret, "/predictions").json()["items"] == []


def test_a_member_who_has_not_forecast_sees_no_others_and_no_community(client, shared):
    prediction, _, _, newcomer = shared
    data = _get(client, _secret(newcomer), f"/predictions/{prediction.pk}").json()
    assert data["forecasts"] == []
    assert data["others_hidden"] is True
    assert data["community"] is None


def test_hidden_until_a_date_hides_others_even_after_forecasting(client, shared):
    prediction, _, member, _ = shared
    Prediction.objects.filter(pk=prediction.pk).update(
        hidden_until=timezone.now().date() + timedelta(days=5)
    )
    data = _get(client, _secret(member), f"/predictions/{prediction.pk}").json()
    assert [f["probability"] for f in data["forecasts"]] == [0.1]
    assert data["community"] is None


def test_a_member_who_forecast_sees_everyones_and_the_community(client, shared):
    prediction, _, member, _ = shared
    data = _get(client, _secret(member), f"/predictions/{prediction.pk}").json()
    assert sorted(f["probability"] for f in data["forecasts"]) == [0.1, 0.9]
    assert [f["mine"] for f in data["forecasts"] if f["probability"] == 0.1] == [True]
    assert data["community"]["forecasters"] == 2
    assert data["community"]["probability"] == pytest.approx(0.5)


def test_reads_take_a_read_only_token_and_refuse_writes_by_method(client):
    user = UserFactory()
    prediction = PredictionFactory(owner=user)
    secret = _secret(user, can_write=False)
    assert _get(client, secret, f"/predictions/{prediction.pk}").status_code == 200
    response = client.delete(
        f"/api/v1/predictions/{prediction.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code in (403, 405)
    assert Prediction.objects.filter(pk=prediction.pk).exists()
