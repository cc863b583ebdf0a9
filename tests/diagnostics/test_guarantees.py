"""Residual-value guarantees: offered by the dealer on its own pack, priced by the platform."""

from decimal import Decimal

import pytest

from diagnostics import services
from diagnostics.models import GuaranteeEvent, ResidualValueGuarantee
from marketplace.accounts.choices import Role
from marketplace.core.exceptions import DomainError, PermissionDeniedError
from tests.catalog.factories import BatteryPackFactory
from tests.diagnostics.conftest import issue
from tests.factories import UserFactory

URL = "/api/v1/diagnostics/guarantees/"


@pytest.fixture
def certified(provider, full_discharge, pack):
    """SOH 85.0 % (83.0-87.0), grade A, NMC532 40 kWh, 5 years, 60,000 km."""
    issue(provider, full_discharge, pack)
    return pack


def _warranty(seller, pack, **overrides):
    terms = {"guarantee_type": "capacity_warranty", "term_years": 5, "guaranteed_soh_pct": 80}
    terms.update(overrides)
    if terms.get("guaranteed_soh_pct") is not None:
        terms["guaranteed_soh_pct"] = Decimal(terms["guaranteed_soh_pct"])
    return services.guarantee_offer(actor=seller, pack=pack, **terms)


def test_capacity_warranty_premium_exact(seller, certified):
    guarantee = _warranty(seller, certified)

    # P_ref = 99 USD/kWh * 150 = 14,850 JPY/kWh (grade A: EV reuse); payout per scenario =
    # 40 kWh * 14,850 * max(0, 80 - SOH after 5 years) / 100, e.g. 594,000 * 2.7 / 100 = 16,038.
    scenarios = guarantee.pricing["scenarios"]
    assert [(item["soh_at_term_pct"], item["payout_jpy"]) for item in scenarios] == [
        ("77.3", "16038"),
        ("79.3", "4158"),
        ("81.3", "0"),
        ("76.6", "20196"),
        ("78.6", "8316"),
        ("80.6", "0"),
        ("76.0", "23760"),
        ("78.0", "11880"),
        ("80.0", "0"),
    ]
    assert [item["weight"] for item in scenarios] == [
        "0.0625", "0.125", "0.0625", "0.125", "0.25", "0.125", "0.0625", "0.125", "0.0625"
    ]  # fmt: skip
    # E = 9,095.625 -> 9,096; premium = 1.25 * 9,095.625 = 11,369.53 -> 11,370
    assert guarantee.pricing["expected_payout_jpy"] == "9095.63"
    assert guarantee.expected_payout_jpy == Decimal("9096")
    assert guarantee.premium_jpy == Decimal("11370")
    assert guarantee.pricing["price_jpy_per_kwh"] == "14850"
    assert guarantee.status == "offered"
    assert guarantee.guarantor == seller.organisation
    event = GuaranteeEvent.objects.get(guarantee=guarantee)
    assert (event.to_status, event.actor) == ("offered", seller)


def test_buy_back_premium_exact(seller, certified):
    guarantee = services.guarantee_offer(
        actor=seller,
        pack=certified,
        guarantee_type="buy_back",
        term_years=3,
        guaranteed_soh_pct=Decimal("80"),
        guaranteed_value_jpy=Decimal("320000"),
    )

    # The buy-back can be exercised only where the SOH after 3 years is below the 80 % floor:
    # three of nine scenarios (P(breach) = 0.0625 + 0.125 + 0.0625 = 0.25). Where it is, the
    # guarantor pays 320,000 and gets back a pack worth V_T (graded afresh).
    scenarios = guarantee.pricing["scenarios"]
    assert [
        (
            item["soh_at_term_pct"],
            item["breached"],
            item.get("value_at_term_jpy"),
            item["payout_jpy"],
        )
        for item in scenarios
    ] == [
        ("79.4", True, "338486", "0"),
        ("81.4", False, None, "0"),
        ("83.4", False, None, "0"),
        ("79.0", True, "336730", "0"),
        ("81.0", False, None, "0"),
        ("83.0", False, None, "0"),
        ("78.6", True, "291025", "28975"),
        ("80.6", False, None, "0"),
        ("82.6", False, None, "0"),
    ]
    assert guarantee.pricing["breach_probability"] == "0.2500"
    # E = 0.0625 * 28,975 = 1,810.94 -> 1,811; premium = 1.25 * 1,810.9375 = 2,263.67 -> 2,264
    assert guarantee.pricing["expected_payout_jpy"] == "1810.94"
    assert guarantee.expected_payout_jpy == Decimal("1811")
    assert guarantee.premium_jpy == Decimal("2264")


def test_fixed_benefit_is_priced_from_the_probability_of_a_breach(seller, certified):
    guarantee = services.guarantee_offer(
        actor=seller,
        pack=certified,
        guarantee_type="fixed",
        term_years=5,
        guaranteed_soh_pct=Decimal("80"),
        fixed_payout_jpy=Decimal("200000"),
    )

    # Same nine scenarios as the 5-year warranty above: SOH after 5 years is below 80 % in
    # six of them, weights 0.0625 + 0.125 + 0.125 + 0.25 + 0.0625 + 0.125 = 0.75.
    assert [item["breached"] for item in guarantee.pricing["scenarios"]] == [
        True, True, False, True, True, False, True, True, False
    ]  # fmt: skip
    assert guarantee.pricing["breach_probability"] == "0.7500"
    # E = 0.75 * 200,000 = 150,000; premium = 1.25 * 150,000 = 187,500
    assert guarantee.expected_payout_jpy == Decimal("150000")
    assert guarantee.premium_jpy == Decimal("187500")
    assert guarantee.pricing["formula"] == (
        "premium = (1 + loading) * sum(weight * payout); payout = B * 1[SOH_T < SOH_floor]"
    )


def test_a_wider_band_costs_more(seller, provider, bms_readout):
    narrow_pack = BatteryPackFactory(owner=seller.organisation)
    wide_pack = BatteryPackFactory(owner=seller.organisation)
    full = provider.organisation.registered_methods.create(
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
        registered_by=provider,
    )
    issue(provider, full, narrow_pack, measured_energy_kwh=Decimal("30.000"))
    issue(provider, bms_readout, wide_pack, measured_energy_kwh=Decimal("30.000"))

    narrow = _warranty(seller, narrow_pack, guaranteed_soh_pct=70)
    wide = _warranty(seller, wide_pack, guaranteed_soh_pct=70)

    assert wide.premium_jpy > narrow.premium_jpy


def test_only_the_owning_dealer_offers(seller, certified, buyer):
    other_dealer = UserFactory(role=Role.DEALER)

    with pytest.raises(PermissionDeniedError):
        _warranty(other_dealer, certified)
    with pytest.raises(PermissionDeniedError):
        _warranty(buyer, certified)

    assert ResidualValueGuarantee.objects.count() == 0


def test_reuse_maker_owner_cannot_offer(provider, full_discharge):
    maker = UserFactory(role=Role.REUSE_MAKER)
    pack = BatteryPackFactory(owner=maker.organisation)
    issue(provider, full_discharge, pack)

    with pytest.raises(PermissionDeniedError):
        _warranty(maker, pack)


def test_an_uncertified_pack_cannot_be_guaranteed(seller, pack):
    with pytest.raises(DomainError) as raised:
        _warranty(seller, pack)

    assert "certificate" in raised.value.message
    assert ResidualValueGuarantee.objects.count() == 0


def test_a_recycling_grade_pack_cannot_be_guaranteed(seller, provider, full_discharge, pack):
    issue(provider, full_discharge, pack, safety_flags=("swelling",))

    with pytest.raises(DomainError):
        _warranty(seller, pack)

    assert ResidualValueGuarantee.objects.count() == 0


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"term_years": 11}, "term_years"),
        ({"term_years": 0}, "term_years"),
        ({"guaranteed_soh_pct": None}, "guaranteed_soh_pct"),
        ({"guaranteed_soh_pct": 101}, "guaranteed_soh_pct"),
        ({"guaranteed_value_jpy": Decimal("1")}, "guaranteed_value_jpy"),
        ({"guarantee_type": "buy_back"}, "guaranteed_value_jpy"),
        (
            {
                "guarantee_type": "buy_back",
                "guaranteed_value_jpy": Decimal("300000"),
                "guaranteed_soh_pct": None,
            },
            "guaranteed_soh_pct",
        ),
        ({"guarantee_type": "fixed"}, "fixed_payout_jpy"),
        ({"guarantee_type": "fixed", "fixed_payout_jpy": Decimal("0")}, "fixed_payout_jpy"),
        ({"fixed_payout_jpy": Decimal("100000")}, "fixed_payout_jpy"),
        ({"term_km": 0}, "term_km"),
        ({"guarantee_type": "lease"}, "guarantee_type"),
    ],
)
def test_terms_are_checked(seller, certified, terms, field):
    with pytest.raises(DomainError) as raised:
        _warranty(seller, certified, **terms)

    assert list(raised.value.fields) == [field]


def test_void_needs_a_reason(seller, certified):
    guarantee = _warranty(seller, certified)

    with pytest.raises(DomainError):
        services.guarantee_void(actor=seller, guarantee=guarantee, reason=" ")
    services.guarantee_void(actor=seller, guarantee=guarantee, reason="pack sold elsewhere")

    guarantee.refresh_from_db()
    assert guarantee.status == "void"
    assert guarantee.events.last().reason == "pack sold elsewhere"


def test_dealer_offers_through_the_api_and_buyers_see_it(api_client, seller, certified, buyer):
    api_client.force_authenticate(seller)

    created = api_client.post(
        URL,
        {
            "pack": certified.pk,
            "guarantee_type": "capacity_warranty",
            "term_years": 5,
            "guaranteed_soh_pct": "80",
        },
        format="json",
    )
    api_client.force_authenticate(buyer)
    listed = api_client.get(URL)

    assert created.status_code == 201
    assert created.json()["premium_jpy"] == 11370
    assert created.json()["guarantor"]["name"] == "Hakata EV"
    assert [item["id"] for item in listed.json()["results"]] == [created.json()["id"]]
    assert api_client.get(f"{URL}{created.json()['id']}/").json()["premium_jpy"] == 11370


def test_buyer_cannot_offer_through_the_api(api_client, certified, buyer):
    api_client.force_authenticate(buyer)

    response = api_client.post(
        URL,
        {"pack": certified.pk, "guarantee_type": "buy_back", "term_years": 3,
         "guaranteed_value_jpy": "300000"},
        format="json",
    )  # fmt: skip

    assert response.status_code == 403
    assert ResidualValueGuarantee.objects.count() == 0


def test_anonymous_sees_no_guarantees(api_client, seller, certified):
    _warranty(seller, certified)

    assert api_client.get(URL).status_code in (401, 403)


def test_a_certificate_change_voids_offers_priced_from_the_old_one(
    seller, provider, certified, full_discharge
):
    guarantee = _warranty(seller, certified)
    certificate = certified.soh_certificates.get()

    services.certificate_revoke(actor=provider, certificate=certificate, reason="wrong pack")

    guarantee.refresh_from_db()
    assert guarantee.status == "void"
    event = guarantee.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("offered", "void", provider)
