import pytest
from django.urls import reverse

from marketplace.accounts.models import ApiToken


@pytest.mark.django_db
def test_a_token_created_in_the_ui_authenticates_api_calls_until_revoked(client, seller):
    client.force_login(seller)
    page = client.post(reverse("api-tokens"), {"name": "ERP sync"})
    key = page.context["new_key"]
    token = ApiToken.objects.get(user=seller)

    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    client.post(reverse("api-token-revoke", args=[token.pk]))
    client.logout()
    after = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")

    assert me.json()["username"] == "seller"
    assert after.status_code == 401
    assert after.json()["error"]["message"] == "This API token is unknown or revoked."


@pytest.mark.django_db
def test_only_the_hash_of_a_key_is_stored(api_client, seller):
    api_client.force_authenticate(seller)

    created = api_client.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()

    token = ApiToken.objects.get(pk=created["id"])
    assert created["key"] not in (token.key_sha256, token.prefix)
    assert token.key_sha256 == ApiToken.hash_key(created["key"])
    listed = api_client.get("/api/v1/tokens/").json()["results"]
    assert "key" not in listed[0]


@pytest.mark.django_db
def test_bearer_keyword_is_accepted(api_client, seller):
    from marketplace.accounts.services import api_token_create

    _, key = api_token_create(user=seller, name="bearer")

    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.json()["organisation"]["legal_name"] == "Hakata EV"


@pytest.mark.django_db
def test_a_user_cannot_revoke_someone_elses_token(api_client, seller, outsider):
    from marketplace.accounts.services import api_token_create

    token, key = api_token_create(user=outsider, name="theirs")
    api_client.force_authenticate(seller)

    response = api_client.delete(f"/api/v1/tokens/{token.pk}/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_a_token_needs_a_name(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.post("/api/v1/tokens/", {"name": "  "}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name"]
    assert not ApiToken.objects.exists()
