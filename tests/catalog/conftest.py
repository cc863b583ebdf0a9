import pytest

from tests.catalog.factories import ListingFactory


@pytest.fixture
def authed(api_client):
    """An API client logged in as whoever is passed."""

    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def seller_draft(seller):
    return ListingFactory(
        seller=seller.organisation, created_by=seller, status="draft", published_at=None
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password per user; the real hasher makes this suite crawl.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
