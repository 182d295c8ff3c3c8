"""Tokens: hashed storage, shown once, revocation, scope, last use, throttling, auth everywhere."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from tests.predictions.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_secret_is_stored_only_as_its_hash():
    token, secret = tokens.create_token(UserFactory(), "laptop", can_write=False)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert secret.startswith(stored.prefix)
    assert len(stored.prefix) < len(secret) // 4


def test_authenticate_accepts_the_secret_and_refuses_others():
    token, secret = tokens.create_token(UserFactory(), "a", can_write=True)
    assert tokens.authenticate(secret) == token
    assert tokens.authenticate(secret + "x") is None
    assert tokens.authenticate("") is None


def test_revoked_token_gets_401(client):
    token, secret = tokens.create_token(UserFactory(), "a", can_write=True)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    tokens.revoke(token)
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_inactive_user_token_gets_401(client):
    user = UserFactory()
    _, secret = tokens.create_token(user, "a", can_write=True)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_query_string_token_is_not_accepted(client):
    _, secret = tokens.create_token(UserFactory(), "a", can_write=True)
    assert client.get(f"/api/v1/me?token={secret}").status_code == 401
    assert client.get(f"/api/v1/me?access_token={secret}").status_code == 401


def test_read_only_token_is_refused_on_write():
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from api.auth import require_write

    token, _ = tokens.create_token(UserFactory(), "ro", can_write=False)
    request = RequestFactory().post("/")
    request.auth = token
    with pytest.raises(PermissionDenied):
        require_write(request)
    token.can_write = True
    require_write(request)  # no exception


def test_last_used_is_updated_at_most_once_a_minute():
    token, secret = tokens.create_token(UserFactory(), "a", can_write=False)
    assert token.last_used_at is None
    first = tokens.authenticate(secret).last_used_at
    assert first is not None
    assert tokens.authenticate(secret).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert tokens.authenticate(secret).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at >= first


@override_settings(API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=60)
def test_throttle_answers_429_with_retry_after(client):
    _, secret = tokens.create_token(UserFactory(), "a", can_write=False)
    _, other = tokens.create_token(UserFactory(), "b", can_write=False)
    for _ in range(3):
        assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"] == "Too many requests."
    # The limit is per token.
    assert client.get("/api/v1/me", **bearer(other)).status_code == 200


def test_every_operation_needs_a_token(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [(method, path) for path, item in schema["paths"].items() for method in item]
    assert operations
    for method, path in operations:
        url = path.replace("{", "").replace("}", "")  # any value: auth comes first
        response = getattr(client, method)(url)
        assert response.status_code == 401, (method, path)
        assert set(response.json()) == {"detail", "errors"}


def test_secret_does_not_reach_the_logs(client, caplog):
    _, secret = tokens.create_token(UserFactory(), "a", can_write=False)
    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/me", **bearer(secret))
        client.get("/api/v1/nowhere", **bearer(secret))
    assert secret not in caplog.text
