"""One small marketplace with every kind of object, and one user per role, for the access tests.

The dealer owns the listings; the reuse maker (in Korea) bought one pack across the border and
bids on an auction; the recycler holds a sealed tender bid; the diagnostics provider certified
the dealer's pack; another dealer of another organisation owns nothing here.
"""

import datetime
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance.services.cases import case_open
from diagnostics import services as diagnostics_services
from diagnostics.models import RegisteredMethod
from marketplace.accounts.choices import Role, VerificationStatus
from marketplace.accounts.services import api_token_create
from marketplace.catalog.choices import ListingStatus, SaleFormat
from marketplace.catalog.models import ListingAttachment, SavedSearch, WatchlistEntry
from marketplace.trading import services as trading
from marketplace.trading.models import ReferencePrice
from tests.catalog.factories import ListingFactory
from tests.factories import OrganisationFactory, PermitFactory, StaffFactory, UserFactory

D = Decimal
# A sealed bid figure that must never appear in anybody else's response.
SEALED_BID_JPY = "734519"
PRIVATE_DOCUMENT_NAME = "draft-teardown-report-7731.pdf"

ROLES = (
    "anonymous",
    "dealer",
    "reuse_maker",
    "recycler",
    "diagnostics_provider",
    "officer",
    "staff",
    "unverified_dealer",
    "other_dealer",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def _user(username: str, role: str, *, country: str = "JP", **organisation):
    return UserFactory(
        username=username,
        role=role,
        organisation=OrganisationFactory(
            legal_name=f"{username.replace('_', ' ').title()} K.K.", country=country, **organisation
        ),
    )


def build_world() -> World:
    world = World()
    users = world.users
    users["dealer"] = dealer = _user("dealer", Role.DEALER)
    users["reuse_maker"] = buyer = _user("reuse_maker", Role.REUSE_MAKER, country="KR")
    users["recycler"] = recycler = _user("recycler", Role.RECYCLER)
    users["diagnostics_provider"] = provider = _user("provider", Role.DIAGNOSTICS_PROVIDER)
    users["officer"] = _user("officer", Role.COMPLIANCE_OFFICER)
    users["staff"] = StaffFactory(username="staff")
    users["unverified_dealer"] = _user(
        "newcomer",
        Role.DEALER,
        verification_status=VerificationStatus.PENDING,
        verified_at=None,
    )
    users["other_dealer"] = _user("other_dealer", Role.DEALER)
    for user in (buyer, recycler, dealer):
        PermitFactory(organisation=user.organisation)

    long_ago = timezone.now() - timedelta(hours=25)  # past any domestic-first window
    ends = timezone.now() + timedelta(days=3)

    def listing(**kwargs):
        return ListingFactory(seller=dealer.organisation, created_by=dealer, **kwargs)

    draft = listing(status=ListingStatus.DRAFT, title="Draft pack")
    attachment = ListingAttachment.objects.create(
        listing=draft,
        kind="other",
        file=SimpleUploadedFile(PRIVATE_DOCUMENT_NAME, b"%PDF-1.4 private"),
        original_name=PRIVATE_DOCUMENT_NAME,
        content_type="application/pdf",
        size_bytes=16,
        uploaded_by=dealer,
    )

    auction = trading.sale_open(
        listing=listing(sale_format=SaleFormat.ENGLISH_AUCTION, price=D("100000")),
        actor=dealer,
        ends_at=ends,
        now=long_ago,
    )
    trading.bid_place(sale=auction, user=buyer, max_amount=D("180000"))

    fixed = trading.sale_open(
        listing=listing(sale_format=SaleFormat.FIXED_PRICE, price=D("500000")),
        actor=dealer,
        ends_at=ends,
        now=long_ago,
    )
    offer = trading.offer_make(sale=fixed, user=buyer, amount=D("450000"))

    bought = trading.sale_open(
        listing=listing(sale_format=SaleFormat.ENGLISH_AUCTION, price=D("100000")),
        actor=dealer,
        ends_at=ends,
        buy_now_price=D("300000"),
        now=long_ago,
    )
    order = trading.sale_buy_now(sale=bought, user=buyer)
    case = case_open(
        listing=order.listing,
        buyer_organisation=buyer.organisation,
        destination="KR",
        order_reference=f"order {order.pk}",
    )

    for element, price in (("Ni", "2000"), ("Co", "5000")):
        ReferencePrice.objects.create(
            element=element,
            price_jpy_per_kg=D(price),
            effective_date=timezone.localdate() - timedelta(days=1),
            source="test",
        )
    tender = trading.sale_open(
        listing=listing(black_mass_listing=True, sale_format=SaleFormat.SEALED_TENDER),
        actor=dealer,
        ends_at=ends,
        now=long_ago,
    )
    tender_bid = trading.tender_bid_submit(
        sale=tender, user=recycler, fixed_jpy_per_dry_tonne=D(SEALED_BID_JPY)
    )

    method = RegisteredMethod.objects.create(
        organisation=provider.organisation,
        method_code="full_discharge",
        instrument_make="Hioki",
        instrument_model="BT4560",
        registered_by=provider,
    )
    pack = auction.listing.pack
    certificate = diagnostics_services.certificate_issue(
        actor=provider,
        registered_method_id=method.pk,
        subject=pack,
        values=diagnostics_services.CertificateValues(
            tested_on=datetime.date(2026, 10, 1),
            measured_energy_kwh=D("34.000"),
            age_years=D("5.00"),
            odometer_km=60000,
            resistance_increase_pct=D("20.00"),
            test_temperature_c=D("25.0"),
            safety_flags=(),
        ),
    )
    token, _ = api_token_create(user=dealer, name="ERP")
    saved = SavedSearch.objects.create(user=dealer, name="NMC packs", query="chemistry=nmc")
    WatchlistEntry.objects.create(user=buyer, listing=auction.listing)

    world.ids = {
        "listing": auction.listing.pk,
        "draft": draft.pk,
        "attachment": attachment.pk,
        "sale": auction.pk,
        "fixed_sale": fixed.pk,
        "tender": tender.pk,
        "tender_bid": tender_bid.pk,
        "offer": offer.pk,
        "order": order.pk,
        "case": case.pk,
        "consent": case.consents.first().pk if case.consents.exists() else 999999,
        "pack": pack.pk,
        "certificate": str(certificate.uuid),
        "method": method.pk,
        "token": token.pk,
        "permit": dealer.organisation.permits.first().pk,
        "organisation": dealer.organisation.pk,
        "saved_search": saved.pk,
        "watched_listing": auction.listing.pk,
    }
    return world
