"""Fast, deterministic seed of the bench database: organisations, bidders with API tokens,
100,000 listings with their items, and the auctions the bid, pgbench and storm phases use.

Everything goes through bulk_create (the services would take tens of minutes for 100,000
listings); the rows are what the services would have written: listings in a sale are IN_SALE,
each auction is an OPEN english-auction Sale with the market rules' soft close and
domestic-first window, and a storm auction with a bid has its leading Bid row and price.
Listing specs come from the demo generator (marketplace/catalog/demo.py), so the
distributions (models, SOH, prices, assays) are the demo's realistic ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from marketplace.accounts.choices import PermitKind, Role, VerificationStatus
from marketplace.accounts.models import Organisation, Permit, User
from marketplace.accounts.services import api_token_create
from marketplace.catalog import demo
from marketplace.catalog.choices import ListingStatus, ListingType, SaleFormat
from marketplace.catalog.models import BatteryPack, BlackMassLot, Listing, ModuleLot, UsedVehicle
from marketplace.trading.choices import SaleStatus
from marketplace.trading.models import Bid, Sale
from marketplace.trading.rules import get_rules

BATCH = 5_000
SELLER_ORGANISATIONS = 60  # dealers; every fifth one a recycler selling black mass
BIDDER_ORGANISATIONS = 256
REGIONS = ("Fukuoka", "Osaka", "Aichi", "Tokyo", "Kanagawa", "Hokkaido", "Miyagi", "Hiroshima")
# Where the lots are: mostly Japan, some Korean, German, Chinese and US sellers' stock.
FOREIGN_COUNTRIES = (("KR", 4), ("DE", 2), ("CN", 2), ("US", 1))
# Listing workflow stages outside the bench's own auctions (demo._advance's weights, plus
# the withdrawn and closed ones a live market accumulates).
STAGES = (
    (ListingStatus.DRAFT, 6),
    (ListingStatus.PUBLISHED, 70),
    (ListingStatus.IN_SALE, 8),
    (ListingStatus.SOLD, 10),
    (ListingStatus.WITHDRAWN, 4),
    (ListingStatus.CLOSED, 2),
)


@dataclass
class Seeded:
    """Ids the later phases need."""

    bidder_user_ids: list[int] = field(default_factory=list)
    bidder_tokens: list[str] = field(default_factory=list)
    bidder_organisation_ids: list[int] = field(default_factory=list)
    search_token: str = ""
    hot_sale_id: int = 0
    spread_sale_ids: list[int] = field(default_factory=list)
    pgbench_hot_sale_id: int = 0
    pgbench_spread_sale_ids: list[int] = field(default_factory=list)
    pgbench_user_id: int = 0
    pgbench_organisation_id: int = 0
    storm_sale_ids: list[int] = field(default_factory=list)
    storm_expected_orders: int = 0
    listings: int = 0

    def as_dict(self) -> dict:
        return {
            "hot_sale_id": self.hot_sale_id,
            "spread_sales": len(self.spread_sale_ids),
            "pgbench_hot_sale_id": self.pgbench_hot_sale_id,
            "pgbench_spread_sales": len(self.pgbench_spread_sale_ids),
            "storm_sales": len(self.storm_sale_ids),
            "storm_expected_orders": self.storm_expected_orders,
            "listings": self.listings,
            "bidders": len(self.bidder_user_ids),
        }


def _organisation(number: int, *, kind: str, country: str, region: str) -> Organisation:
    now = timezone.now()
    return Organisation(
        legal_name=f"Bench {kind} {number:04d} K.K.",
        country=country,
        region=region,
        address=f"{number}-1 Bench-cho, {region}",
        business_registration_number=f"BENCH-{kind[:3].upper()}-{number:06d}",
        verification_status=VerificationStatus.VERIFIED,
        verified_at=now,
    )


def _user(username: str, organisation: Organisation, role: str) -> User:
    return User(
        username=username,
        password="!bench-unusable",  # noqa: S106 - an unusable hash: bench users log in by token
        organisation=organisation,
        role=role,
        is_active=True,
    )


def seed_people(seeded: Seeded) -> tuple[list[tuple[Organisation, User]], list[tuple]]:
    """Seller organisations (dealers, recyclers) and bidder organisations, one user each."""
    rng = random.Random("bench-people")
    sellers = []
    for number in range(SELLER_ORGANISATIONS):
        kind = "Recycler" if number % 5 == 4 else "Dealer"
        sellers.append(_organisation(number, kind=kind, country="JP", region=rng.choice(REGIONS)))
    bidders = [
        _organisation(number, kind="Buyer", country="JP", region=rng.choice(REGIONS))
        for number in range(BIDDER_ORGANISATIONS)
    ]
    pgbench_organisation = _organisation(0, kind="Pgbench", country="JP", region="Tokyo")
    Organisation.objects.bulk_create([*sellers, *bidders, pgbench_organisation])
    seller_users = [
        _user(
            f"bench-seller-{index:03d}",
            organisation,
            Role.RECYCLER if index % 5 == 4 else Role.DEALER,
        )
        for index, organisation in enumerate(sellers)
    ]
    bidder_users = [
        _user(
            f"bench-bidder-{index:03d}",
            organisation,
            Role.REUSE_MAKER if index % 2 else Role.DEALER,
        )
        for index, organisation in enumerate(bidders)
    ]
    pgbench_user = _user("bench-pgbench", pgbench_organisation, Role.DEALER)
    User.objects.bulk_create([*seller_users, *bidder_users, pgbench_user])
    today = timezone.localdate()
    # Bidders hold a waste-handling permit, as the recyclers of the market do.
    Permit.objects.bulk_create(
        Permit(
            organisation=organisation,
            kind=PermitKind.WASTE_HANDLING,
            number=f"BENCH-WH-{index:04d}",
            issuing_authority="Bench Prefecture",
            valid_from=today - timedelta(days=365),
            expires_on=today + timedelta(days=365),
        )
        for index, organisation in enumerate(bidders)
    )
    for user in bidder_users:
        _, key = api_token_create(user=user, name="bench load generator")
        seeded.bidder_tokens.append(key)
        seeded.bidder_user_ids.append(user.pk)
        seeded.bidder_organisation_ids.append(user.organisation_id)
    _, seeded.search_token = api_token_create(user=bidder_users[0], name="bench search")
    seeded.pgbench_user_id = pgbench_user.pk
    seeded.pgbench_organisation_id = pgbench_organisation.pk
    return list(zip(sellers, seller_users, strict=True)), bidders


def _country(rng: random.Random) -> str:
    if rng.random() < 0.85:
        return "JP"
    codes, weights = zip(*FOREIGN_COUNTRIES, strict=True)
    return rng.choices(codes, weights)[0]


def _listing_specs(count: int, sellers: list[tuple[Organisation, User]]) -> list[tuple]:
    """(number, organisation, user, demo arguments, stage, published offset) per listing."""
    dealers = [pair for index, pair in enumerate(sellers) if index % 5 != 4]
    recyclers = [pair for index, pair in enumerate(sellers) if index % 5 == 4]
    stages, weights = zip(*STAGES, strict=True)
    specs = []
    for number in range(count):
        rng = random.Random(f"bench-listing-{number}")
        use_recycler = number % 5 == 4
        pool = recyclers if use_recycler else dealers
        organisation, user = pool[number % len(pool)]
        make = demo._black_mass_listing if use_recycler else demo._dealer_listing
        arguments = make(number, rng, organisation.region)
        arguments["country"] = _country(rng)
        stage = rng.choices(stages, weights)[0]
        specs.append((number, organisation, user, arguments, stage, rng.uniform(0, 365)))
    return specs


def seed_listings(count: int, sellers: list[tuple[Organisation, User]]) -> list[Listing]:
    """Items and listings in bulk; returns the listings (with ids)."""
    specs = _listing_specs(count, sellers)
    packs: dict[int, BatteryPack] = {}
    modules: dict[int, ModuleLot] = {}
    masses: dict[int, BlackMassLot] = {}
    for number, organisation, _user, arguments, _stage, _offset in specs:
        if "pack" in arguments:
            packs[number] = BatteryPack(owner=organisation, **arguments["pack"])
        if "module_lot" in arguments:
            modules[number] = ModuleLot(owner=organisation, **arguments["module_lot"])
        if "black_mass_lot" in arguments:
            masses[number] = BlackMassLot(owner=organisation, **arguments["black_mass_lot"])
    BatteryPack.objects.bulk_create(packs.values(), batch_size=BATCH)
    ModuleLot.objects.bulk_create(modules.values(), batch_size=BATCH)
    BlackMassLot.objects.bulk_create(masses.values(), batch_size=BATCH)
    vehicles = {
        number: UsedVehicle(owner=organisation, battery_pack=packs[number], **arguments["vehicle"])
        for number, organisation, _user, arguments, _stage, _offset in specs
        if "vehicle" in arguments
    }
    UsedVehicle.objects.bulk_create(vehicles.values(), batch_size=BATCH)
    now = timezone.now()
    listings = []
    for number, organisation, user, arguments, stage, offset in specs:
        published = stage != ListingStatus.DRAFT
        listings.append(
            Listing(
                seller=organisation,
                created_by=user,
                listing_type=arguments["listing_type"],
                title=arguments["title"],
                description="",
                status=stage,
                sale_format=arguments["sale_format"],
                price=arguments["price"],
                currency="JPY",
                country=arguments["country"],
                region=arguments["region"],
                vehicle=vehicles.get(number),
                pack=packs.get(number),
                module_lot=modules.get(number),
                black_mass_lot=masses.get(number),
                published_at=now - timedelta(days=offset) if published else None,
            )
        )
    Listing.objects.bulk_create(listings, batch_size=BATCH)
    return listings


def _auction_listings(listings: list[Listing], needed: int) -> list[Listing]:
    """Published EV and pack listings turned into running auctions (IN_SALE, a start price)."""
    chosen = [
        listing
        for listing in listings
        if listing.listing_type in (ListingType.USED_EV, ListingType.BATTERY_PACK)
        and listing.status == ListingStatus.PUBLISHED
        and listing.country == "JP"
    ][:needed]
    if len(chosen) < needed:
        raise RuntimeError(f"only {len(chosen)} listings can become auctions, {needed} needed")
    ids = [listing.pk for listing in chosen]
    Listing.objects.filter(pk__in=ids).update(
        status=ListingStatus.IN_SALE, sale_format=SaleFormat.ENGLISH_AUCTION
    )
    return chosen


def _sale(listing: Listing, *, now, ends_at, seller_users: dict[int, User]) -> Sale:
    rules = get_rules()
    starts_at = now - timedelta(hours=2)
    hours = rules.domestic_first_hours.get(listing.listing_type, 0)
    return Sale(
        listing=listing,
        seller_organisation_id=listing.seller_id,
        format=SaleFormat.ENGLISH_AUCTION,
        status=SaleStatus.OPEN,
        currency=listing.currency,
        start_price=listing.price,
        starts_at=starts_at,
        ends_at=ends_at,
        original_ends_at=ends_at,
        soft_close_window_minutes=rules.soft_close_window_minutes,
        soft_close_max_extension_minutes=rules.soft_close_max_extension_minutes,
        domestic_first_until=starts_at + timedelta(hours=hours) if hours else None,
        rules_version=rules.version,
        created_by=seller_users[listing.seller_id],
        created_at=starts_at,
    )


def seed_auctions(
    seeded: Seeded,
    listings: list[Listing],
    sellers: list[tuple[Organisation, User]],
    *,
    spread: int,
    storm: int,
) -> None:
    """1 hot + ``spread`` auctions for the API, the same again for pgbench, ``storm`` more for
    the closing storm (open until the storm phase moves their end into the past)."""
    seller_users = {organisation.pk: user for organisation, user in sellers}
    chosen = _auction_listings(listings, 2 * (1 + spread) + storm)
    now = timezone.now()
    running_until = now + timedelta(hours=6)
    sales = [
        _sale(listing, now=now, ends_at=running_until, seller_users=seller_users)
        for listing in chosen
    ]
    # A third of the storm auctions carry a hidden reserve; the bid below meets it or not.
    rng = random.Random("bench-storm")
    storm_sales = sales[2 * (1 + spread) :]
    for sale in storm_sales:
        if rng.random() < 0.3:
            sale.reserve_price = sale.start_price * Decimal("1.10")
    Sale.objects.bulk_create(sales, batch_size=BATCH)
    seeded.hot_sale_id = sales[0].pk
    seeded.spread_sale_ids = [sale.pk for sale in sales[1 : 1 + spread]]
    seeded.pgbench_hot_sale_id = sales[1 + spread].pk
    seeded.pgbench_spread_sale_ids = [sale.pk for sale in sales[2 + spread : 2 * (1 + spread)]]
    seeded.storm_sale_ids = [sale.pk for sale in storm_sales]
    _storm_bids(seeded, storm_sales, rng)


def _storm_bids(seeded: Seeded, storm_sales: list[Sale], rng: random.Random) -> None:
    """Four in five storm auctions have a leading bid; the close awards those that meet the
    reserve and ends the rest without a sale."""
    bids: list[Bid] = []
    led: list[Sale] = []
    for sale in storm_sales:
        if rng.random() >= 0.8:
            continue
        # Either well above the start (meets a 10 % reserve) or just at it (does not).
        factor = Decimal("1.20") if rng.random() < 0.7 else Decimal("1.00")
        maximum = (sale.start_price * factor).quantize(Decimal("1"))
        bids.append(
            Bid(
                sale=sale,
                bidder_organisation_id=rng.choice(seeded.bidder_organisation_ids),
                placed_by_id=None,
                amount=sale.start_price,
                max_amount=maximum,
                created_at=sale.starts_at + timedelta(minutes=5),
            )
        )
        led.append(sale)
    Bid.objects.bulk_create(bids, batch_size=BATCH)
    for sale, bid in zip(led, bids, strict=True):
        sale.leading_bid = bid
        sale.current_price = sale.start_price
        sale.bid_count = 1
        sale.version = 1
    Sale.objects.bulk_update(
        led, ["leading_bid", "current_price", "bid_count", "version"], batch_size=BATCH
    )
    # A single bidder pays the start price (auction.auction_state); the reserve, when the
    # maximum reaches it, lifts the price to the reserve, as bidding would have.
    lifted = [
        sale
        for sale, bid in zip(led, bids, strict=True)
        if sale.reserve_price is not None and bid.max_amount >= sale.reserve_price
    ]
    for sale in lifted:
        sale.current_price = sale.reserve_price
    Sale.objects.bulk_update(lifted, ["current_price"], batch_size=BATCH)
    seeded.storm_expected_orders = sum(
        1 for sale in led if sale.reserve_price is None or sale.current_price >= sale.reserve_price
    )


def seed(*, listings: int, spread: int, storm: int) -> Seeded:
    seeded = Seeded()
    with transaction.atomic():
        sellers, _bidders = seed_people(seeded)
        rows = seed_listings(listings, sellers)
        seed_auctions(seeded, rows, sellers, spread=spread, storm=storm)
    seeded.listings = len(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
    return seeded
