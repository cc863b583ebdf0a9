"""A repeated search sends the statements kept from the first one, with the user's own
organisation bound, and answers exactly what a search built afresh answers."""

import pytest

from marketplace.catalog import search_statements
from marketplace.catalog.filters import ListingFilter
from marketplace.core.api.pagination import CappedCountPagination
from tests.catalog.factories import ListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def forms_built(monkeypatch):
    """How many times a search built its FilterSet's form."""
    built = []
    original = ListingFilter.get_form_class

    def counting(self):
        built.append(self)
        return original(self)

    monkeypatch.setattr(ListingFilter, "get_form_class", counting)
    return built


@pytest.fixture
def drafts(seller, outsider):
    """A published listing, and a draft of each organisation that only it may see."""
    ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf public")
    ListingFactory(
        seller=seller.organisation, created_by=seller, title="Leaf seller draft", status="draft"
    )
    ListingFactory(
        seller=outsider.organisation,
        created_by=outsider,
        title="Leaf outsider draft",
        status="draft",
    )


def _titles(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 200, response.json()
    return sorted(row["title"] for row in response.json()["results"])


def _fresh_titles(client, query: str) -> list[str]:
    search_statements.forget_all()
    return _titles(client, query)


def test_a_repeated_search_is_not_built_again_and_finds_what_is_new(
    authed, seller, drafts, forms_built
):
    client = authed(seller)
    first = _titles(client, "q=leaf&ordering=-published_at")
    ListingFactory(seller=seller.organisation, created_by=seller, title="Leaf listed since")

    again = _titles(client, "q=leaf&ordering=-published_at")

    assert len(forms_built) == 1
    assert first == ["Leaf public", "Leaf seller draft"]
    assert again == ["Leaf listed since", "Leaf public", "Leaf seller draft"]


def test_each_organisation_sees_its_own_drafts_through_the_kept_statements(
    authed, api_client, seller, outsider, buyer, staff, drafts
):
    query = "q=leaf"
    fresh = {}
    for user in (seller, outsider, buyer, staff):
        fresh[user.username] = _fresh_titles(authed(user), query)
    search_statements.forget_all()

    kept = {
        user.username: _titles(authed(user), query) for user in (seller, outsider, buyer, staff)
    }

    assert kept == fresh
    assert kept["seller"] == ["Leaf public", "Leaf seller draft"]
    assert kept["outsider"] == ["Leaf outsider draft", "Leaf public"]
    assert kept["buyer"] == ["Leaf public"]
    assert len(kept["staff"]) == 3


def test_the_organisation_is_bound_where_the_visibility_reads_it_not_in_a_filter(
    authed, seller, outsider, drafts
):
    # Both filter on the seller's organisation, in either order: the seller sees their own
    # draft, the outsider must not.
    query = f"seller={seller.organisation_id}"
    seen = [
        (user.username, _titles(authed(user), query))
        for user in (seller, outsider, seller, outsider)
    ]

    assert seen == [
        ("seller", ["Leaf public", "Leaf seller draft"]),
        ("outsider", ["Leaf public"]),
        ("seller", ["Leaf public", "Leaf seller draft"]),
        ("outsider", ["Leaf public"]),
    ]


def test_a_search_naming_its_own_organisation_is_not_kept(authed, seller, drafts, forms_built):
    query = f"seller={seller.organisation_id}"
    _titles(authed(seller), query)
    _titles(authed(seller), query)

    assert len(forms_built) == 2  # its organisation is two of the parameters: built each time


def test_a_refused_query_is_refused_every_time(authed, buyer, drafts):
    client = authed(buyer)
    answers = [client.get("/api/v1/listings/?soh_min=lots") for _ in range(2)]

    assert [answer.status_code for answer in answers] == [400, 400]
    assert answers[1].json() == answers[0].json()


def test_the_count_limit_in_force_is_the_one_counted_to(authed, buyer, seller, monkeypatch):
    for number in range(5):
        ListingFactory(seller=seller.organisation, created_by=seller, title=f"Pack {number}")
    client = authed(buyer)
    unlimited = client.get("/api/v1/listings/?page_size=2").json()
    monkeypatch.setattr(CappedCountPagination, "count_limit", 3)

    limited = client.get("/api/v1/listings/?page_size=2").json()

    assert (unlimited["count"], unlimited["count_exact"]) == (5, True)
    assert (limited["count"], limited["count_exact"]) == (3, False)


def test_the_last_page_follows_the_count_as_it_changes(authed, buyer, seller):
    listings = [
        ListingFactory(seller=seller.organisation, created_by=seller, title=f"Pack {number}")
        for number in range(3)
    ]
    client = authed(buyer)
    before = client.get("/api/v1/listings/?page_size=2&page=2").json()
    listings[0].delete()

    after = client.get("/api/v1/listings/?page_size=2&page=2")

    assert before["count"] == 3
    assert len(before["results"]) == 1
    assert after.status_code == 404  # two listings left: one page


def test_only_the_most_recently_used_query_strings_are_kept(
    authed, buyer, seller, monkeypatch, forms_built
):
    ListingFactory(seller=seller.organisation, created_by=seller)
    monkeypatch.setattr(search_statements, "MAX_QUERIES", 2)
    client = authed(buyer)
    for query in ("page=1", "country=JP", "currency=JPY", "page=1"):
        assert client.get(f"/api/v1/listings/?{query}").status_code == 200

    assert len(forms_built) == 4  # page=1 had been dropped for currency=JPY
    assert client.get("/api/v1/listings/?currency=JPY").status_code == 200
    assert len(forms_built) == 4
