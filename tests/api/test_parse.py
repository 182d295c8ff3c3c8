"""POST /api/v1/parse: the capture line's reading, its messages, and who may call it."""

from datetime import timedelta

import pytest

from api import tokens
from predictions.capture import MSG_NO_PROBABILITY
from predictions.quick_entry import LINE_MAX_LENGTH, MSG_LINE_TOO_LONG
from predictions.services import profile_for
from tests.predictions.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, secret, **body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return client.post("/api/v1/parse", body, content_type="application/json", **headers)


def test_reads_claim_probability_date_and_tags(client):
    user = UserFactory()
    _, secret = tokens.create_token(user, "r", can_write=False)  # reading saves nothing
    response = _post(client, secret, text="Rain tomorrow #Weather 70%")
    assert response.status_code == 200
    data = response.json()
    tomorrow = profile_for(user).today() + timedelta(days=1)
    assert data["claim"] == "Rain tomorrow"
    assert data["probability"] == 0.7
    assert data["resolve_by"] == tomorrow.isoformat()
    assert data["tags"] == ["weather"]
    assert data["problems"] == {}


def test_missing_parts_come_back_with_the_capture_lines_messages(client):
    _, secret = tokens.create_token(UserFactory(), "r", can_write=False)
    data = _post(client, secret, text="Rain tomorrow").json()
    assert data["probability"] is None
    assert data["problems"]["probability"] == [MSG_NO_PROBABILITY]


def test_a_too_long_line_is_refused_not_cut(client):
    _, secret = tokens.create_token(UserFactory(), "r", can_write=False)
    data = _post(client, secret, text="x" * (LINE_MAX_LENGTH + 1) + " 70%").json()
    assert data["problems"]["claim"] == [MSG_LINE_TOO_LONG]


def test_script_in_the_line_comes_back_as_plain_text(client):
    _, secret = tokens.create_token(UserFactory(), "r", can_write=False)
    data = _post(client, secret, text="<script>alert(1)</script> by Friday 5%").json()
    assert data["claim"].startswith("<script>alert(1)</script>")


def test_no_token_is_401(client):
    assert _post(client, None, text="Rain tomorrow 70%").status_code == 401
