"""Reads compiled once (core.prepared) give the same objects as the queryset they come from."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import AuthenticationFailed

from marketplace.accounts.authentication import ApiTokenAuthentication
from marketplace.accounts.models import ApiToken
from marketplace.accounts.services import api_token_create, api_token_revoke
from marketplace.core.prepared import PreparedRead, PreparedReadError, PreparedRowsByKey
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
    with pytest.raises(PreparedReadError, match="only int, str and datetime"):
        PreparedRead(lambda when: Sale.objects.filter(ends_at=when), when=object)
    values = PreparedRead(lambda pk: Sale.objects.filter(pk=pk).values("pk"), pk=int)
    with pytest.raises(PreparedReadError, match="plain model querysets"):
        values.first(pk=1)
    unused = PreparedRead(lambda pk: Sale.objects.all(), pk=int)
    with pytest.raises(PreparedReadError, match="pk: expected once"):
        unused.first(pk=1)


def test_a_moment_is_bound_as_the_queryset_would_compare_it(seller):
    sales = [open_auction(seller, start="100000") for _ in range(3)]
    ending = sorted(sale.ends_at for sale in sales)
    ends_by = PreparedRead(
        lambda moment: Sale.objects.filter(ends_at__lte=moment).order_by("ends_at", "pk"),
        moment=datetime.datetime,
    )
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    for moment in (
        ending[0] - datetime.timedelta(microseconds=1),
        ending[0],
        ending[1].astimezone(tokyo),  # another zone, the same moment
        ending[2] + datetime.timedelta(days=1),
    ):
        expected = list(Sale.objects.filter(ends_at__lte=moment).order_by("ends_at", "pk"))
        assert [sale.pk for sale in ends_by.all(moment=moment)] == [sale.pk for sale in expected]
    with pytest.raises(PreparedReadError, match="an aware datetime is needed"):
        ends_by.all(moment=datetime.datetime(2026, 12, 7, 9, 0))  # noqa: DTZ001 - refused


def test_a_revoked_token_stops_working_at_once(rf, buyer):
    token, key = api_token_create(user=buyer, name="script")
    request = rf.get("/api/v1/listings/", HTTP_AUTHORIZATION=f"Token {key}")
    user, found = ApiTokenAuthentication().authenticate(request)
    assert (user, found.pk) == (buyer, token.pk)
    assert user.organisation == buyer.organisation
    api_token_revoke(token=ApiToken.objects.get(pk=token.pk), actor=buyer)
    with pytest.raises(AuthenticationFailed):
        ApiTokenAuthentication().authenticate(request)


def test_rows_by_key_come_in_the_order_asked_whatever_the_count(seller):
    # Given 7 sales, and a read of three of their values by key
    sales = [open_auction(seller, start=str(100_000 * (n + 1))) for n in range(7)]
    rows_by_key = PreparedRowsByKey(Sale, ("id", "start_price", "listing__title", "ends_at"))

    # When keys are asked in a new order, with one unknown key, for several key counts
    wanted = [sales[4].pk, sales[0].pk, -5, sales[6].pk, sales[2].pk, sales[1].pk, sales[3].pk]
    for count in range(1, len(wanted) + 1):
        keys = wanted[:count]
        with CaptureQueriesContext(connection) as queries:
            rows = rows_by_key.rows(keys)

        # Then the rows are values_list()'s, in that order, the unknown key left out,
        # each key count read by one statement
        expected = {
            row[0]: row
            for row in Sale.objects.values_list("id", "start_price", "listing__title", "ends_at")
        }
        assert rows == [expected[key] for key in keys if key in expected]
        assert len(queries) == 1


def test_rows_by_key_read_long_lists_in_chunks(seller):
    sale = open_auction(seller, start="100000")
    rows_by_key = PreparedRowsByKey(Sale, ("id",))

    with CaptureQueriesContext(connection) as queries:
        rows = rows_by_key.rows([sale.pk] * 450)

    assert rows == [(sale.pk,)] * 450
    assert len(queries) == 3  # 200 + 200 + 50 keys


def test_rows_by_key_need_the_primary_key_among_the_paths():
    with pytest.raises(PreparedReadError):
        PreparedRowsByKey(Sale, ("start_price",))
