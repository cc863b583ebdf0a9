"""Reads compiled once (core.prepared) give the same objects as the queryset they come from."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import AuthenticationFailed

from marketplace.accounts.authentication import ApiTokenAuthentication
from marketplace.accounts.models import ApiToken
from marketplace.accounts.services import api_token_create, api_token_revoke
from marketplace.core.prepared import PreparedRead, PreparedReadError
from marketplace.trading.models import Sale
from marketplace.trading.selectors import sale_get_for_user, sales_visible_to
from tests.trading.sale_support import bidder, open_auction

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_a_prepared_read_gives_the_querysets_objects_with_their_related_rows(seller):
    sales = [open_auction(seller, start=start) for start in ("100000", "200000", "300000")]
    by_listing = PreparedRead(
        lambda listing: Sale.objects.filter(listing_id=listing).select_related("listing"),
        listing=int,
    )
    for sale in sales:
        expected = Sale.objects.select_related("listing").get(listing_id=sale.listing_id)
        with CaptureQueriesContext(connection) as queries:
            found = by_listing.first(listing=sale.listing_id)
            title = found.listing.title  # loaded with it: no second query
        assert len(queries) == 1
        assert _fields(found) == _fields(expected)
        assert _fields(found.listing) == _fields(expected.listing)
        assert title == expected.listing.title
    assert by_listing.first(listing=-1) is None


def test_a_members_sale_read_follows_the_visibility_rule(seller):
    public = open_auction(seller, start="100000")
    draft = open_auction(seller, start="100000")
    draft.listing.status = "draft"
    draft.listing.save(update_fields=["status"])
    alice = bidder("alice")
    for user in (alice, seller):
        assert _fields(sale_get_for_user(user=user, pk=public.pk)) == _fields(
            sales_visible_to(user=user).get(pk=public.pk)
        )
    assert sale_get_for_user(user=seller, pk=draft.pk).pk == draft.pk  # its own lot
    with pytest.raises(Http404):
        sale_get_for_user(user=alice, pk=draft.pk)


def test_keys_beyond_a_bigint_find_nothing_instead_of_failing(seller):
    alice = bidder("alice")
    with pytest.raises(Http404):
        sale_get_for_user(user=alice, pk=2**70)


def test_shapes_that_cannot_be_prepared_are_refused_at_first_use():
    with pytest.raises(PreparedReadError, match="only int and str"):
        PreparedRead(lambda when: Sale.objects.filter(ends_at=when), when=object)
    values = PreparedRead(lambda pk: Sale.objects.filter(pk=pk).values("pk"), pk=int)
    with pytest.raises(PreparedReadError, match="plain model querysets"):
        values.first(pk=1)
    unused = PreparedRead(lambda pk: Sale.objects.all(), pk=int)
    with pytest.raises(PreparedReadError, match="pk: expected once"):
        unused.first(pk=1)


def test_a_revoked_token_stops_working_at_once(rf, buyer):
    token, key = api_token_create(user=buyer, name="script")
    request = rf.get("/api/v1/listings/", HTTP_AUTHORIZATION=f"Token {key}")
    user, found = ApiTokenAuthentication().authenticate(request)
    assert (user, found.pk) == (buyer, token.pk)
    assert user.organisation == buyer.organisation
    api_token_revoke(token=ApiToken.objects.get(pk=token.pk), actor=buyer)
    with pytest.raises(AuthenticationFailed):
        ApiTokenAuthentication().authenticate(request)
