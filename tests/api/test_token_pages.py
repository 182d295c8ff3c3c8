"""The profile's token section: create (secret shown once), list, revoke, another user's token."""

import pytest

from api.models import ApiToken
from api.tokens import authenticate
from tests.predictions.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_create_shows_the_secret_once_and_lists_the_token(client, user):
    response = client.post("/accounts/tokens/create/", {"name": "notebook", "can_write": "1"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = authenticate(secret)
    assert token.user == user
    assert token.can_write
    assert token.name == "notebook"
    profile = client.get("/accounts/profile/").content.decode()
    assert "notebook" in profile
    assert token.prefix in profile
    assert secret not in profile
    assert "/api/v1/docs" in profile


def test_bad_name_is_refused_next_to_the_field(client, user):
    response = client.post("/accounts/tokens/create/", {"name": "", "can_write": "0"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_script_in_the_name_is_escaped(client, user):
    client.post("/accounts/tokens/create/", {"name": "<script>x()</script>", "can_write": "0"})
    profile = client.get("/accounts/profile/").content.decode()
    assert "<script>x()" not in profile
    assert "&lt;script&gt;" in profile


def test_revoke_own_token_and_not_another_users(client, user):
    client.post("/accounts/tokens/create/", {"name": "mine", "can_write": "0"})
    mine = ApiToken.objects.get(user=user)
    other = ApiToken.objects.create(user=UserFactory(), name="theirs", prefix="x", key_hash="h")
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.get(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert "mine" not in client.get("/accounts/profile/").content.decode().split("API tokens")[1]


def test_the_docs_page_loads_swagger_from_our_static_files(client):
    """The site's CSP allows scripts from 'self' only: a CDN or inline script would be
    blocked, so the docs page must use django-ninja's bundled files."""
    client.force_login(UserFactory())
    text = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in text
    assert "/static/ninja/swagger-ui-init.js" in text
    assert "cdn.jsdelivr.net" not in text
