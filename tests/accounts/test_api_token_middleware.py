"""An API call that sends its own token skips the session, user and message middleware; the
answers, the headers and every other kind of request stay as they were."""

import pytest
from django.utils import translation

from marketplace.accounts.services import api_token_create


@pytest.fixture
def seller_key(seller) -> str:
    return api_token_create(user=seller, name="erp")[1]


@pytest.mark.django_db
def test_a_token_call_is_answered_for_the_token_even_with_someone_elses_session(
    client, seller_key, outsider
):
    client.force_login(outsider)

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {seller_key}")

    assert response.json()["username"] == "seller"
    assert not hasattr(response.wsgi_request, "session")  # never loaded
    assert "Set-Cookie" not in response.headers
    assert not response.cookies


@pytest.mark.django_db
def test_a_session_call_to_the_api_still_goes_through_the_session(client, seller):
    client.force_login(seller)

    response = client.get("/api/v1/me/")

    assert response.json()["username"] == "seller"
    assert response.wsgi_request.session.session_key


@pytest.mark.django_db
def test_another_authorization_scheme_falls_back_to_the_session(client, seller):
    client.force_login(seller)

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Basic c2VsbGVyOng=")

    assert response.json()["username"] == "seller"


@pytest.mark.django_db
def test_a_token_header_on_a_page_leaves_the_page_signed_in_by_session(client, seller, seller_key):
    client.force_login(seller)

    page = client.get("/account/tokens/", HTTP_AUTHORIZATION=f"Token {seller_key}")

    assert page.status_code == 200
    assert page.wsgi_request.user == seller


@pytest.mark.django_db
def test_a_token_call_keeps_the_security_headers_and_the_language(client, seller_key):
    response = client.get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Token {seller_key}", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language", "message"),
    [
        ("Token not-a-key", "en", "This API token is unknown or revoked."),
        ("Bearer not-a-key", "ja", "This API token is unknown or revoked."),
        ("Token two parts", "en", "The Authorization header must be 'Token <key>'."),
    ],
)
def test_a_bad_token_is_refused_in_the_callers_language(client, header, language, message):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 401
    assert response.headers["Content-Language"] == language
    with translation.override(language):
        assert response.json()["error"]["message"] == translation.gettext(message)


@pytest.mark.django_db
def test_an_unknown_api_path_with_a_token_is_a_json_404(client, seller_key):
    response = client.get("/api/v1/no-such-thing/", HTTP_AUTHORIZATION=f"Token {seller_key}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_every_api_route_is_a_drf_view_that_reads_the_token_first():
    # The bypass relies on it: a plain Django view under the API prefix would read
    # request.user from the session middleware, which a call with a token now skips, and so
    # would a DRF view that tried the session before the token.
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from marketplace.accounts.authentication import ApiTokenAuthentication
    from marketplace.accounts.middleware import API_PREFIX

    def routes(patterns, prefix="/"):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    api = [(path, view) for path, view in routes(get_resolver().url_patterns)
           if path.startswith(API_PREFIX)]  # fmt: skip
    plain = [path for path, view in api
             if not issubclass(getattr(view, "cls", None) or object, APIView)]  # fmt: skip

    first = {path: list(view.cls.authentication_classes[:1]) for path, view in api
             if path not in plain}  # fmt: skip
    session_first = [path for path, classes in first.items()
                     if classes not in ([], [ApiTokenAuthentication])]  # fmt: skip

    assert len(api) > 20
    assert plain == []
    assert session_first == []
