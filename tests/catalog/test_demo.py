"""Demo seeding: realistic, spread over dealers and recyclers, idempotent."""

import pytest

from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.catalog.demo import seed_listings
from marketplace.catalog.models import Listing
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_organisations():
    fukuoka = UserFactory(role=Role.DEALER, organisation__region="Fukuoka").organisation
    kitakyushu = UserFactory(role=Role.DEALER, organisation__region="Kitakyushu").organisation
    recycler = UserFactory(role=Role.RECYCLER, organisation__region="Omuta").organisation
    UserFactory(
        role=Role.DEALER,
        organisation=OrganisationFactory(verification_status=VerificationStatus.PENDING),
    )
    return fukuoka, kitakyushu, recycler


def test_seed_creates_listings_once(demo_organisations):
    fukuoka, kitakyushu, recycler = demo_organisations

    first = seed_listings(count=30, progress=False)
    second = seed_listings(count=30, progress=False)
    more = seed_listings(count=35, progress=False)

    assert (first, second, more) == (30, 0, 5)
    assert Listing.objects.count() == 35
    sellers = set(Listing.objects.values_list("seller", flat=True))
    assert sellers == {fukuoka.pk, kitakyushu.pk, recycler.pk}
    assert set(Listing.objects.filter(seller=recycler).values_list("listing_type", flat=True)) == {
        "black_mass"
    }
    assert Listing.objects.filter(status="published").count() > 15


def test_seed_without_sellers_creates_nothing(db):
    assert seed_listings(count=5, progress=False) == 0
    assert Listing.objects.count() == 0
