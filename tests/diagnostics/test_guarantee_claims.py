"""A guarantee comes into force on the order that buys the pack, and the buyer claims under it
with a new certificate: a breach produces a payout that staff mark paid.

The pack: AESC NMC532, 40 kWh, certified at 85.0 % (83.0-87.0, full discharge), grade A,
odometer 60,000 km. P_ref for grade A (EV reuse) = 99 USD/kWh * 150 = 14,850 JPY/kWh, so the
pro-rata rate is 40 kWh * 14,850 / 100 = 5,940 JPY per percentage point below the floor.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from diagnostics import services
from diagnostics.models import GuaranteeClaim, ResidualValueGuarantee
from marketplace.accounts.choices import Role
from marketplace.core.exceptions import (
    DomainError,
    InvalidTransition,
    PermissionDeniedError,
)
from marketplace.trading import services as trading
from tests.catalog.factories import BatteryPackFactory
from tests.diagnostics.conftest import issue
from tests.factories import UserFactory

GUARANTEES = "/api/v1/diagnostics/guarantees/"
CLAIMS = "/api/v1/diagnostics/guarantee-claims/"


@pytest.fixture
def certified(provider, full_discharge, pack):
    issue(provider, full_discharge, pack)
    return pack


def offer(seller, pack, kind="capacity_warranty", **terms):
    defaults = {"term_years": 5, "guaranteed_soh_pct": Decimal("80")}
    if kind == "buy_back":
        defaults["guaranteed_value_jpy"] = Decimal("320000")
    if kind == "fixed":
        defaults["fixed_payout_jpy"] = Decimal("200000")
    defaults.update(terms)
    return services.guarantee_offer(actor=seller, pack=pack, guarantee_type=kind, **defaults)


def buy(seller, buyer, listing):
    sale = trading.sale_open(
        listing=listing, actor=seller, ends_at=timezone.now() + datetime.timedelta(days=30)
    )
    return trading.sale_buy_now(sale=sale, user=buyer)


def retest(provider, registration, pack, energy_kwh, **overrides):
    """A new test of the pack today, after the purchase."""
    values = {
        "tested_on": timezone.localdate(),
        "measured_energy_kwh": Decimal(energy_kwh),
        "age_years": Decimal("5.20"),
        "odometer_km": 64000,
    }
    values.update(overrides)
    return issue(provider, registration, pack, **values)


def reload(guarantee):
    return ResidualValueGuarantee.objects.get(pk=guarantee.pk)


# --- Attached to the order on purchase ---------------------------------------------------


def test_buying_the_pack_puts_the_offered_guarantee_in_force(seller, buyer, listing, certified):
    guarantee = offer(seller, certified, term_km=20000)

    order = buy(seller, buyer, listing)

    guarantee = reload(guarantee)
    assert guarantee.status == "active"
    assert guarantee.order == order
    assert guarantee.beneficiary == buyer.organisation
    assert guarantee.coverage_starts_at == order.created_at
    # Five years from the order's day; the last covered day is the day before the anniversary.
    start = timezone.localdate(order.created_at)
    assert guarantee.coverage_ends_on == start.replace(year=start.year + 5) - datetime.timedelta(
        days=1
    )
    # 60,000 km on the certificate at purchase + 20,000 km of cover
    assert (guarantee.coverage_start_odometer_km, guarantee.coverage_end_odometer_km) == (
        60000,
        80000,
    )
    event = guarantee.events.last()
    assert (event.from_status, event.to_status, event.reason) == (
        "offered",
        "active",
        f"order {order.pk}",
    )


def test_a_void_offer_is_not_attached(seller, buyer, listing, certified):
    guarantee = offer(seller, certified)
    services.guarantee_void(actor=seller, guarantee=guarantee, reason="changed my mind")

    order = buy(seller, buyer, listing)

    assert reload(guarantee).order is None
    assert list(order.guarantees.all()) == []


def test_a_platform_guarantee_is_attached_too(seller, buyer, listing, certified, staff):
    guarantee = offer(staff, certified, kind="fixed")
    assert guarantee.guarantor is None  # the platform

    order = buy(seller, buyer, listing)

    assert reload(guarantee).order == order


def test_a_sale_without_a_guarantee_is_unchanged(seller, buyer, listing, certified):
    order = buy(seller, buyer, listing)

    assert order.status == "created"
    assert ResidualValueGuarantee.objects.count() == 0


# --- Claims: the decision and the payout -------------------------------------------------


@pytest.fixture
def sold(seller, buyer, listing, certified):
    """A 5-year pro-rata warranty with an 80 % floor, in force for the buyer."""
    guarantee = offer(seller, certified)
    buy(seller, buyer, listing)
    return reload(guarantee)


def test_pro_rata_claim_with_a_breach_pays_the_shortfall(buyer, provider, full_discharge, sold):
    # Given a full discharge test after the purchase: 30 kWh of 40 = 75.0 % (73.0-77.0)
    certificate = retest(provider, full_discharge, sold.pack, "30.000")

    claim = services.guarantee_claim_file(actor=buyer, guarantee=sold, certificate=certificate)

    # The top of the band, 77.0 %, is below the floor: breach. Shortfall 80 - 77.0 = 3.0 pp
    # * 5,940 JPY/pp = 17,820 JPY.
    assert (claim.is_breach, claim.assessed_soh_pct, claim.soh_floor_pct) == (
        True,
        Decimal("77.0"),
        Decimal("80"),
    )
    assert claim.payout_jpy == Decimal("17820")
    assert claim.status == "payout_due"
    assert claim.decision["payout"]["rate_jpy_per_pp"] == "5940"
    assert claim.decision["payout"]["shortfall_pp"] == "3.00"
    assert reload(sold).status == "claimed"
    assert [event.to_status for event in claim.events.all()] == ["payout_due"]


def test_the_band_is_read_in_the_guarantors_favour(buyer, provider, full_discharge, sold):
    # 31.5 kWh = 78.75 -> 78.8 % (76.8-80.8): the centre is below the 80 % floor, but the
    # measurement cannot tell it from 80.8 %, so no breach is shown.
    certificate = retest(provider, full_discharge, sold.pack, "31.500")

    claim = services.guarantee_claim_file(actor=buyer, guarantee=sold, certificate=certificate)

    assert certificate.soh_pct == Decimal("78.8")
    assert (claim.is_breach, claim.assessed_soh_pct, claim.payout_jpy) == (
        False,
        Decimal("80.8"),
        None,
    )
    assert claim.status == "not_breached"
    # The guarantee stays in force: the buyer may claim again with a later certificate.
    assert reload(sold).status == "active"


def test_a_bms_readout_must_show_a_deeper_fall_than_a_discharge_test(
    buyer, provider, bms_readout, sold
):
    # The same 75.0 % that a full discharge test proves (see above) is 67.0-83.0 from the BMS.
    certificate = retest(provider, bms_readout, sold.pack, "30.000")

    claim = services.guarantee_claim_file(actor=buyer, guarantee=sold, certificate=certificate)

    assert (claim.is_breach, claim.assessed_soh_pct) == (False, Decimal("83.0"))


@pytest.mark.parametrize(
    ("kind", "payout"),
    [("fixed", Decimal("200000")), ("buy_back", Decimal("320000"))],
)
def test_fixed_and_buy_back_pay_their_amount(
    seller, buyer, listing, certified, provider, full_discharge, kind, payout
):
    guarantee = offer(seller, certified, kind=kind)
    buy(seller, buyer, listing)
    certificate = retest(provider, full_discharge, certified, "30.000")

    claim = services.guarantee_claim_file(
        actor=buyer, guarantee=reload(guarantee), certificate=certificate
    )

    assert (claim.is_breach, claim.payout_jpy, claim.status) == (True, payout, "payout_due")


def test_staff_mark_the_payout_paid(buyer, provider, full_discharge, sold, staff):
    claim = services.guarantee_claim_file(
        actor=buyer,
        guarantee=sold,
        certificate=retest(provider, full_discharge, sold.pack, "30.000"),
    )

    paid = services.guarantee_claim_mark_paid(
        actor=staff, claim=claim, payment_reference="MUFG 2026-11-24 0042"
    )

    assert paid.status == "paid"
    assert paid.paid_by == staff
    assert paid.payment_reference == "MUFG 2026-11-24 0042"
    assert [event.to_status for event in paid.events.all()] == ["payout_due", "paid"]
    with pytest.raises(InvalidTransition):
        services.guarantee_claim_mark_paid(actor=staff, claim=paid, payment_reference="again")


def test_only_staff_mark_paid(buyer, seller, provider, full_discharge, sold):
    claim = services.guarantee_claim_file(
        actor=buyer,
        guarantee=sold,
        certificate=retest(provider, full_discharge, sold.pack, "30.000"),
    )

    with pytest.raises(PermissionDeniedError):
        services.guarantee_claim_mark_paid(actor=seller, claim=claim, payment_reference="x")

    claim.refresh_from_db()
    assert (claim.status, claim.paid_at) == ("payout_due", None)


def test_a_guarantee_pays_once(buyer, provider, full_discharge, sold):
    services.guarantee_claim_file(
        actor=buyer,
        guarantee=sold,
        certificate=retest(provider, full_discharge, sold.pack, "30.000"),
    )
    second = retest(provider, full_discharge, sold.pack, "29.000")

    with pytest.raises(InvalidTransition):
        services.guarantee_claim_file(actor=buyer, guarantee=reload(sold), certificate=second)

    assert GuaranteeClaim.objects.count() == 1


# --- Claims that are refused -------------------------------------------------------------


def _refused(actor, guarantee, certificate, error=DomainError) -> DomainError:
    with pytest.raises(error) as raised:
        services.guarantee_claim_file(actor=actor, guarantee=guarantee, certificate=certificate)
    assert GuaranteeClaim.objects.count() == 0
    assert reload(guarantee).status == "active"
    return raised.value


def test_a_certificate_from_before_the_purchase_is_refused(buyer, sold):
    before = sold.pack.soh_certificates.get()  # the one the guarantee was priced from

    error = _refused(buyer, sold, before)

    assert error.status == 400
    assert list(error.fields) == ["certificate"]
    assert "before the purchase" in error.message


def test_a_certificate_of_another_pack_is_refused(buyer, seller, provider, full_discharge, sold):
    other = BatteryPackFactory(owner=seller.organisation)
    certificate = retest(provider, full_discharge, other, "30.000")

    error = _refused(buyer, sold, certificate)

    assert error.status == 400
    assert error.message == "The certificate is for another pack than the guaranteed one."


def test_a_claim_by_someone_other_than_the_buyer_is_refused(
    seller, outsider, provider, full_discharge, sold
):
    certificate = retest(provider, full_discharge, sold.pack, "30.000")

    for actor in (seller, outsider, provider):
        error = _refused(actor, sold, certificate, PermissionDeniedError)
        assert error.status == 403


def test_a_test_after_the_term_is_refused(buyer, provider, full_discharge, sold):
    # Given the purchase was six years ago (a five-year term ended a year ago)
    six_years_ago = timezone.now() - datetime.timedelta(days=6 * 365)
    ResidualValueGuarantee.objects.filter(pk=sold.pk).update(
        coverage_starts_at=six_years_ago,
        coverage_ends_on=timezone.localdate() - datetime.timedelta(days=365),
    )
    certificate = retest(provider, full_discharge, sold.pack, "30.000")

    error = _refused(buyer, reload(sold), certificate)

    assert error.status == 400
    assert "after the cover ended" in error.message


def test_a_test_beyond_the_distance_limit_is_refused(
    seller, buyer, listing, certified, provider, full_discharge
):
    guarantee = offer(seller, certified, term_km=20000)  # to 80,000 km
    buy(seller, buyer, listing)
    certificate = retest(provider, full_discharge, certified, "30.000", odometer_km=85000)

    error = _refused(buyer, reload(guarantee), certificate)

    assert error.message == "The odometer reads 85000 km, beyond the cover's limit of 80000 km."


def test_an_offer_not_yet_sold_cannot_be_claimed(seller, buyer, certified, provider):
    guarantee = offer(seller, certified)
    registration = provider.organisation.registered_methods.get()

    with pytest.raises(PermissionDeniedError):
        services.guarantee_claim_file(
            actor=buyer,
            guarantee=guarantee,
            certificate=retest(provider, registration, certified, "30.000"),
        )


def test_a_revoked_certificate_is_refused(buyer, provider, full_discharge, sold):
    certificate = retest(provider, full_discharge, sold.pack, "30.000")
    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")
    certificate.refresh_from_db()

    error = _refused(buyer, sold, certificate)

    assert error.message == "The certificate is revoked; file the claim with a valid one."


# --- API and pages -----------------------------------------------------------------------


def test_buyer_claims_through_the_api_and_the_guarantor_sees_it(
    api_client, buyer, seller, outsider, provider, full_discharge, sold, staff
):
    certificate = retest(provider, full_discharge, sold.pack, "30.000")
    api_client.force_authenticate(buyer)

    filed = api_client.post(
        f"{GUARANTEES}{sold.pk}/claims/", {"certificate": str(certificate.uuid)}, format="json"
    )

    assert filed.status_code == 201
    body = filed.json()
    assert (body["is_breach"], body["payout_jpy"], body["status"]) == (True, 17820, "payout_due")
    assert body["assessed_soh_pct"] == 77.0
    api_client.force_authenticate(seller)
    assert [item["id"] for item in api_client.get(CLAIMS).json()["results"]] == [body["id"]]
    guarantee = api_client.get(f"{GUARANTEES}{sold.pk}/").json()
    assert (guarantee["status"], guarantee["beneficiary"]["name"]) == (
        "claimed",
        "Kyushu Storage K.K.",
    )
    api_client.force_authenticate(outsider)
    assert api_client.get(CLAIMS).json()["results"] == []
    assert api_client.get(f"{CLAIMS}{body['id']}/").status_code == 404

    api_client.force_authenticate(seller)
    assert (
        api_client.post(
            f"{CLAIMS}{body['id']}/pay/", {"payment_reference": "x"}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(staff)
    paid = api_client.post(
        f"{CLAIMS}{body['id']}/pay/", {"payment_reference": "MUFG 0042"}, format="json"
    )
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")


def test_api_refuses_a_claim_with_an_old_certificate(api_client, buyer, sold):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        f"{GUARANTEES}{sold.pk}/claims/",
        {"certificate": str(sold.pack.soh_certificates.get().uuid)},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["certificate"]
    assert GuaranteeClaim.objects.count() == 0


def test_api_refuses_an_unknown_certificate(api_client, buyer, sold):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        f"{GUARANTEES}{sold.pk}/claims/",
        {"certificate": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"certificate": ["No such certificate."]}


def test_api_offer_of_a_fixed_benefit_with_a_distance_limit(api_client, seller, certified):
    api_client.force_authenticate(seller)

    response = api_client.post(
        GUARANTEES,
        {"pack": certified.pk, "guarantee_type": "fixed", "term_years": 5, "term_km": 20000,
         "guaranteed_soh_pct": "80", "fixed_payout_jpy": "200000"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201
    body = response.json()
    assert (body["premium_jpy"], body["breach_probability"], body["term_km"]) == (
        187500,
        0.75,
        20000,
    )


def test_claim_page_flow(client, buyer, seller, provider, full_discharge, sold, staff):
    certificate = retest(provider, full_discharge, sold.pack, "30.000")
    client.force_login(buyer)

    page = client.get(f"/diagnostics/guarantees/{sold.pk}/")
    response = client.post(
        f"/diagnostics/guarantees/{sold.pk}/", {"certificate": str(certificate.uuid)}
    )

    assert page.status_code == 200
    assert "File a claim" in page.content.decode()
    claim = GuaranteeClaim.objects.get()
    assert response.status_code == 302
    assert response.url == f"/diagnostics/claims/{claim.pk}/"
    detail = client.get(response.url).content.decode()
    assert "¥17,820" in detail
    assert "3.00 pp × ¥5940/pp" in detail

    client.force_login(seller)
    listing_page = client.get("/diagnostics/guarantees/").content.decode()
    assert f"/diagnostics/claims/{claim.pk}/" in listing_page  # claims against the seller
    assert (
        client.post(f"/diagnostics/claims/{claim.pk}/", {"payment_reference": "x"}).status_code
        == 403
    )

    client.force_login(staff)
    paid = client.post(f"/diagnostics/claims/{claim.pk}/", {"payment_reference": "MUFG 0042"})
    assert paid.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "paid"


def test_claim_page_shows_a_refusal_on_the_field(client, buyer, sold):
    client.force_login(buyer)

    # The only certificate on offer is a new one; an old uuid is not a valid choice.
    response = client.post(
        f"/diagnostics/guarantees/{sold.pk}/",
        {"certificate": str(sold.pack.soh_certificates.get().uuid)},
    )

    assert response.status_code == 400
    assert GuaranteeClaim.objects.count() == 0


def test_outsider_cannot_see_or_claim_on_the_page(client, outsider, sold):
    client.force_login(outsider)

    assert client.get(f"/diagnostics/guarantees/{sold.pk}/").status_code == 404


def test_order_panel_shows_the_cover_and_the_way_to_claim(rf, buyer, seller, sold):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = buyer
    html = Template("{% load diagnostics_tags %}{% order_guarantee_panel order %}").render(
        Context({"request": request, "order": sold.order})
    )

    assert 'id="order-guarantees"' in html
    assert "Pro-rata capacity warranty" in html
    assert f"/diagnostics/guarantees/{sold.pk}/" in html
    assert "Claim under this guarantee" in html
    request.user = UserFactory(role=Role.RECYCLER)
    assert "order-guarantees" not in Template(
        "{% load diagnostics_tags %}{% order_guarantee_panel order %}"
    ).render(Context({"request": request, "order": sold.order}))


def test_staff_see_claims_against_the_platform(
    client, seller, buyer, listing, certified, provider, full_discharge, staff
):
    guarantee = offer(staff, certified, kind="fixed")
    buy(seller, buyer, listing)
    claim = services.guarantee_claim_file(
        actor=buyer,
        guarantee=reload(guarantee),
        certificate=retest(provider, full_discharge, certified, "30.000"),
    )
    client.force_login(staff)

    page = client.get("/diagnostics/guarantees/").content.decode()

    assert "Claims against the platform" in page
    assert f"/diagnostics/claims/{claim.pk}/" in page
    assert "¥200,000" in page


def test_claims_list_query_count_does_not_grow_with_claims(
    api_client, seller, buyer, provider, full_discharge, staff, django_assert_max_num_queries
):
    from tests.catalog.factories import ListingFactory

    for _ in range(3):
        listing = ListingFactory(seller=seller.organisation, created_by=seller)
        issue(provider, full_discharge, listing.pack)
        guarantee = offer(seller, listing.pack, kind="fixed")
        buy(seller, buyer, listing)
        services.guarantee_claim_file(
            actor=buyer,
            guarantee=reload(guarantee),
            certificate=retest(provider, full_discharge, listing.pack, "30.000"),
        )
    api_client.force_authenticate(staff)

    with django_assert_max_num_queries(4):
        response = api_client.get(CLAIMS)

    assert response.json()["count"] == 3
