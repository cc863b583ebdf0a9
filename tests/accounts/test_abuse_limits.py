"""Login lock-out and rate limits: 429 with Retry-After, and nothing done past the limit."""

import pytest
from django.urls import reverse

from marketplace.accounts.models import ApiToken
from tests.conftest import PASSWORD


def _log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, seller, settings):
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        assert _log_in(client, "seller", "wrong").status_code == 200

    locked = _log_in(client, "seller", PASSWORD)

    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 900
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_login_clears_earlier_failures(client, seller):
    for _ in range(4):
        _log_in(client, "seller", "wrong")

    assert _log_in(client, "seller", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _log_in(client, "seller", "wrong")

    assert _log_in(client, "seller", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_another_account_is_not_locked_by_someone_elses_failures(client, seller, buyer):
    for _ in range(5):
        _log_in(client, "seller", "wrong")

    assert _log_in(client, "buyer", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_requests_are_limited_per_address(client, seller, mailoutbox):
    for _ in range(5):
        assert client.post(reverse("password_reset"), {"email": seller.email}).status_code == 302

    sixth = client.post(reverse("password_reset"), {"email": seller.email})

    assert sixth.status_code == 429
    assert sixth.has_header("Retry-After")
    assert len(mailoutbox) == 5


@pytest.mark.django_db
def test_api_token_creation_is_throttled_with_retry_after(api_client, seller, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "tokens": "2/hour",
        },
    }
    api_client.force_authenticate(seller)
    for name in ("one", "two"):
        assert api_client.post("/api/v1/tokens/", {"name": name}).status_code == 201

    third = api_client.post("/api/v1/tokens/", {"name": "three"})

    assert third.status_code == 429
    assert third.json()["error"]["code"] == "throttled"
    assert int(third["Retry-After"]) > 0
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_every_html_form_needs_a_csrf_token(seller):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(seller)

    response = strict.post(reverse("api-tokens"), {"name": "no csrf"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()
