"""The domestic-first policy: staff record versions; trading opens sales and checks bids by it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.catalog.choices import ListingType, SaleFormat
from marketplace.circularity.models import DomesticFirstPolicy
from marketplace.circularity.services.policy import domestic_first_for, policy_record
from marketplace.core.exceptions import DomainError
from marketplace.trading import services
from marketplace.trading.models import Bid
from tests.catalog.factories import ListingFactory
from tests.trading.sale_support import T0, bidder, open_auction

D = Decimal


def _version(staff, *, hours, at, partners=(), exempt=(), reason="Kyushu–Korea loop trial"):
    return policy_record(
        actor=staff,
        listing_type=ListingType.BATTERY_PACK,
        window_hours=hours,
        partner_countries=partners,
        exempt_organisations=exempt,
        effective_from=at,
        reason=reason,
    )


def test_without_a_staff_version_the_market_rules_default_applies(db):
    rule = domestic_first_for(ListingType.BLACK_MASS, at=T0)

    assert rule.hours == 72  # market_rules.yaml domestic_first.hours.black_mass
    assert rule.policy_id is None
    assert rule.source.startswith("market_rules.yaml")


def test_a_sale_opens_with_the_window_of_the_version_in_force(seller, staff):
    _version(staff, hours=48, at=T0 - timedelta(hours=1))
    _version(staff, hours=12, at=T0 + timedelta(days=1), reason="Shorter from tomorrow")

    sale = open_auction(seller, hours=72)

    assert sale.domestic_first_until == T0 + timedelta(hours=48)


def test_the_seller_cannot_go_below_the_staff_window(seller, staff):
    _version(staff, hours=48, at=T0 - timedelta(hours=1))
    listing = ListingFactory(
        seller=seller.organisation, created_by=seller, sale_format=SaleFormat.ENGLISH_AUCTION
    )

    with pytest.raises(DomainError) as caught:
        services.sale_open(
            listing=listing,
            actor=seller,
            ends_at=T0 + timedelta(days=3),
            domestic_first_hours=24,
            now=T0,
        )

    assert caught.value.fields["domestic_first_hours"] == [
        "Platform policy keeps this lot for domestic buyers for 48 hours."
    ]


def test_partner_country_buyers_count_as_domestic_during_the_window(seller, staff):
    _version(staff, hours=24, at=T0 - timedelta(hours=1), partners=["kr"])
    sale = open_auction(seller, hours=48)
    korean = bidder("busan", country="KR")
    german = bidder("berlin", country="DE")

    services.bid_place(sale=sale, user=korean, max_amount=D("300000"), now=T0 + timedelta(hours=1))
    with pytest.raises(DomainError) as caught:
        services.bid_place(
            sale=sale, user=german, max_amount=D("400000"), now=T0 + timedelta(hours=2)
        )

    assert caught.value.code == "domestic_first_window"
    assert list(Bid.objects.values_list("bidder_organisation__country", flat=True)) == ["KR"]


def test_a_buyer_in_the_lots_country_bids_in_the_window_without_the_policy_read(seller, staff):
    # Same-country buyers are domestic under every version: their bids skip the policy's
    # statements; a foreign buyer's bid still reads the version the sale was opened under.
    _version(staff, hours=24, at=T0 - timedelta(hours=1), partners=["KR"])
    sale = open_auction(seller, hours=48)
    japanese, korean = bidder("kitakyushu"), bidder("incheon", country="KR")
    at = T0 + timedelta(hours=1)
    services.bid_place(sale=sale, user=japanese, max_amount=D("300000"), now=at)

    with CaptureQueriesContext(connection) as japanese_bid:
        services.bid_place(sale=sale, user=japanese, max_amount=D("400000"), now=at)
    with CaptureQueriesContext(connection) as korean_bid:
        services.bid_place(sale=sale, user=korean, max_amount=D("500000"), now=at)

    policy_table = DomesticFirstPolicy._meta.db_table
    assert not [q for q in japanese_bid.captured_queries if policy_table in q["sql"]]
    assert [q for q in korean_bid.captured_queries if policy_table in q["sql"]]
    assert Bid.objects.filter(sale=sale, is_automatic=False).count() == 3


def test_an_exempt_organisation_may_bid_during_the_window(seller, staff):
    german = bidder("hamburg", country="DE")
    _version(staff, hours=24, at=T0 - timedelta(hours=1), exempt=[german.organisation])
    sale = open_auction(seller, hours=48)

    services.bid_place(sale=sale, user=german, max_amount=D("300000"), now=T0 + timedelta(hours=1))

    assert Bid.objects.filter(bidder_organisation=german.organisation).count() == 1


def test_a_sale_keeps_the_exceptions_it_was_opened_under(seller, staff):
    sale = open_auction(seller, hours=48)  # default: 24 h, no partners
    _version(staff, hours=24, at=T0 + timedelta(minutes=30), partners=["KR"])
    korean = bidder("ulsan", country="KR")

    with pytest.raises(DomainError) as caught:
        services.bid_place(
            sale=sale, user=korean, max_amount=D("300000"), now=T0 + timedelta(hours=1)
        )

    assert caught.value.code == "domestic_first_window"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"window_hours": 24 * 61}, "window_hours"),
        ({"partner_countries": ["KR", "XX"]}, "partner_countries"),
        ({"reason": "  "}, "reason"),
        ({"effective_from": T0 - timedelta(days=30)}, "effective_from"),
    ],
)
def test_a_bad_version_is_refused_per_field_and_records_nothing(staff, changes, field):
    values = {
        "listing_type": ListingType.BATTERY_PACK,
        "window_hours": 24,
        "reason": "Trial",
        "effective_from": T0,
    } | changes

    with pytest.raises(DomainError) as caught:
        policy_record(actor=staff, **values)

    assert field in caught.value.fields
    assert DomesticFirstPolicy.objects.count() == 0


def test_only_staff_may_change_the_policy(seller):
    with pytest.raises(DomainError) as caught:
        policy_record(
            actor=seller, listing_type=ListingType.BLACK_MASS, window_hours=0, reason="Mine"
        )

    assert caught.value.code == "permission_denied"
    assert DomesticFirstPolicy.objects.count() == 0


def test_staff_page_records_a_version_and_shows_the_history(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("circularity:domestic-first-policy"),
        {
            "listing_type": ListingType.BLACK_MASS,
            "window_hours": "96",
            "partner_countries": "KR, TW",
            "reason": "Regional loop with Korea and Taiwan",
        },
        follow=True,
    )

    assert response.status_code == 200
    policy = DomesticFirstPolicy.objects.get()
    assert (policy.window_hours, policy.partner_countries, policy.changed_by) == (
        96,
        ["KR", "TW"],
        staff,
    )
    assert "Regional loop with Korea and Taiwan" in response.content.decode()


def test_staff_page_shows_field_errors(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("circularity:domestic-first-policy"),
        {"listing_type": ListingType.BLACK_MASS, "window_hours": "24", "partner_countries": "ZZ"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert DomesticFirstPolicy.objects.count() == 0


def test_members_cannot_open_the_staff_page(client, seller):
    client.force_login(seller)

    response = client.get(reverse("circularity:domestic-first-policy"))

    assert response.status_code == 403


def test_sale_page_shows_the_window_and_the_policy(client, seller, staff, buyer):
    _version(staff, hours=30, at=T0 - timedelta(hours=1), partners=["KR"])
    sale = open_auction(seller, hours=48)
    client.force_login(buyer)

    page = client.get(reverse("trading:sale", args=[sale.pk])).content.decode()

    assert 'id="domestic-first-policy"' in page
    assert "Platform policy for Battery pack: 30 hours." in page
    assert "count as domestic (regional partnership): KR." in page


def test_api_lists_the_rules_in_force_and_staff_record_a_version(api_client, staff):
    api_client.force_authenticate(staff)

    created = api_client.post(
        "/api/v1/circularity/domestic-first/",
        {"listing_type": "module_lot", "window_hours": 6, "reason": "Modules move faster"},
        format="json",
    )
    current = api_client.get("/api/v1/circularity/domestic-first/").json()

    assert created.status_code == 201
    assert {r["listing_type"]: r["hours"] for r in current} == {
        "used_ev": 0,
        "battery_pack": 24,
        "module_lot": 6,
        "black_mass": 72,
    }


def test_api_refuses_a_member_recording_a_version(api_client, seller):
    api_client.force_authenticate(seller)

    response = api_client.post(
        "/api/v1/circularity/domestic-first/",
        {"listing_type": "module_lot", "window_hours": 0, "reason": "x"},
        format="json",
    )

    assert response.status_code == 403
    assert DomesticFirstPolicy.objects.count() == 0


def test_django_admin_adds_a_version_through_the_service(client, staff, seller):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)

    response = client.post(
        reverse("admin:circularity_domesticfirstpolicy_add"),
        {
            "listing_type": ListingType.USED_EV,
            "window_hours": "12",
            "partner_countries": '["kr"]',
            "exempt_organisations": [seller.organisation_id],
            "effective_from_0": (T0 + timedelta(hours=2)).strftime("%Y-%m-%d"),
            "effective_from_1": (T0 + timedelta(hours=2)).strftime("%H:%M:%S"),
            "reason": "EV trial with Korea",
        },
    )

    assert response.status_code == 302
    policy = DomesticFirstPolicy.objects.get()
    assert (policy.window_hours, policy.partner_countries, policy.changed_by) == (12, ["KR"], staff)
    assert list(policy.exempt_organisations.all()) == [seller.organisation]
    rule = domestic_first_for(ListingType.USED_EV, at=T0 + timedelta(hours=3))
    assert rule.hours == 12
    assert rule.exempt_organisation_ids == {seller.organisation_id}
