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
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from marketplace.accounts.choices import PermitKind, Role, VerificationStatus
from marketplace.accounts.models import Organisation, Permit, User
from marketplace.accounts.services import api_token_create
from marketplace.catalog import demo
from marketplace.catalog.choices import ListingStatus, ListingType, SaleFormat
from marketplace.catalog.models import BatteryPack, BlackMassLot, Listing, ModuleLot, UsedVehicle
from marketplace.catalog.search import listing_search_values
from marketplace.payments.choices import PaymentPurpose, PaymentStatus
from marketplace.payments.models import Payment
from marketplace.payments.rules import get_fee_rules
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


def copy_rows(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (attname → value) with COPY and return their new primary keys.

    bulk_create of 250,000 rows costs minutes of SQL compilation on a 2-core machine; COPY
    writes the same values (each model field's default where a row leaves it out, the time
    for auto_now fields) in seconds. Keys are taken from the table's own sequence, so later
    inserts through the ORM carry on after them.
    """
    if not rows:
        return []
    table = model._meta.db_table
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    now = timezone.now()
    defaults = {
        field.attname: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    pk_column = model._meta.pk.column
    columns = ", ".join(f'"{field.column}"' for field in [model._meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, len(rows)],
        )
        keys = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:  # noqa: S608
            for key, row in zip(keys, rows, strict=True):
                copy.write_row(
                    [key, *(row.get(field.attname, defaults[field.attname]) for field in fields)]
                )
    return keys


def copy_objects(model: type[Model], objects: list[Model]) -> None:
    """copy_rows for unsaved model instances; sets their primary keys."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = [{field.attname: getattr(obj, field.attname) for field in fields} for obj in objects]
    for obj, key in zip(objects, copy_rows(model, rows), strict=True):
        obj.pk = key


def _item_row(organisation: Organisation, values: dict[str, Any]) -> dict[str, Any]:
    return {"owner_id": organisation.pk, **values}


def seed_listings(count: int, sellers: list[tuple[Organisation, User]]) -> list[SimpleNamespace]:
    """Items and listings; returns the listings' key figures (pk, type, status, price, …)."""
    specs = _listing_specs(count, sellers)
    items: dict[type[Model], dict[int, dict[str, Any]]] = {
        BatteryPack: {},
        ModuleLot: {},
        BlackMassLot: {},
    }
    for number, organisation, _user, arguments, _stage, _offset in specs:
        for key, model in (
            ("pack", BatteryPack),
            ("module_lot", ModuleLot),
            ("black_mass_lot", BlackMassLot),
        ):
            if key in arguments:
                items[model][number] = _item_row(organisation, arguments[key])
    keys: dict[type[Model], dict[int, int]] = {}
    for model, rows in items.items():
        numbers = list(rows)
        keys[model] = dict(zip(numbers, copy_rows(model, list(rows.values())), strict=True))
    vehicles = {
        number: {
            **_item_row(organisation, arguments["vehicle"]),
            "battery_pack_id": keys[BatteryPack][number],
        }
        for number, organisation, _user, arguments, _stage, _offset in specs
        if "vehicle" in arguments
    }
    keys[UsedVehicle] = dict(
        zip(vehicles, copy_rows(UsedVehicle, list(vehicles.values())), strict=True)
    )
    now = timezone.now()
    rows = []
    for number, organisation, user, arguments, stage, offset in specs:
        published = stage != ListingStatus.DRAFT
        rows.append(
            {
                "seller_id": organisation.pk,
                "created_by_id": user.pk,
                "listing_type": arguments["listing_type"],
                "title": arguments["title"],
                "description": "",
                "status": stage,
                "sale_format": arguments["sale_format"],
                "price": arguments["price"],
                "currency": "JPY",
                "country": arguments["country"],
                "region": arguments["region"],
                "vehicle_id": keys[UsedVehicle].get(number),
                "pack_id": keys[BatteryPack].get(number),
                "module_lot_id": keys[ModuleLot].get(number),
                "black_mass_lot_id": keys[BlackMassLot].get(number),
                "published_at": now - timedelta(days=offset) if published else None,
                **_search_values(arguments, number, items, vehicles),
            }
        )
    listing_keys = copy_rows(Listing, rows)
    return [
        SimpleNamespace(
            pk=key,
            seller_id=row["seller_id"],
            listing_type=row["listing_type"],
            status=row["status"],
            country=row["country"],
            price=row["price"],
            currency=row["currency"],
        )
        for key, row in zip(listing_keys, rows, strict=True)
    ]


def _search_values(arguments, number, items, vehicles) -> dict[str, Any]:
    """The listing's search columns, as the catalog services write them (catalog.search), from
    unsaved instances of the item rows just copied (each field's default where a row has none)."""
    listing = Listing(
        listing_type=arguments["listing_type"],
        title=arguments["title"],
        vehicle=UsedVehicle(**vehicles[number]) if number in vehicles else None,
        pack=BatteryPack(**items[BatteryPack][number]) if number in items[BatteryPack] else None,
        module_lot=ModuleLot(**items[ModuleLot][number]) if number in items[ModuleLot] else None,
        black_mass_lot=(
            BlackMassLot(**items[BlackMassLot][number]) if number in items[BlackMassLot] else None
        ),
    )
    return listing_search_values(listing)


def _auction_listings(listings: list[SimpleNamespace], needed: int) -> list[SimpleNamespace]:
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


def _sale(listing: SimpleNamespace, *, now, ends_at, seller_users: dict[int, User]) -> Sale:
    rules = get_rules()
    starts_at = now - timedelta(hours=2)
    hours = rules.domestic_first_hours.get(listing.listing_type, 0)
    return Sale(
        listing_id=listing.pk,
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
    listings: list[SimpleNamespace],
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
    copy_objects(Sale, sales)
    seeded.hot_sale_id = sales[0].pk
    seeded.spread_sale_ids = [sale.pk for sale in sales[1 : 1 + spread]]
    seeded.pgbench_hot_sale_id = sales[1 + spread].pk
    seeded.pgbench_spread_sale_ids = [sale.pk for sale in sales[2 + spread : 2 * (1 + spread)]]
    seeded.storm_sale_ids = [sale.pk for sale in storm_sales]
    _storm_bids(seeded, storm_sales, rng)
    api_sales = {seeded.hot_sale_id, *seeded.spread_sale_ids}
    lots = zip(sales, chosen, strict=True)
    _deposits(seeded, [(sale, lot) for sale, lot in lots if sale.pk in api_sales])


# The load generators use the first 32 bidders (bench/run.py).
DEPOSIT_HOLDERS = 32


def _deposits(seeded: Seeded, sales: list[tuple[Sale, SimpleNamespace]]) -> None:
    """Lots above the deposit threshold take bids only from holders of an authorised deposit
    (payments/data/fees.yaml): the API bidders get theirs, as if authorised by card earlier."""
    rules = get_fee_rules()
    now = timezone.now()
    organisations = seeded.bidder_organisation_ids[:DEPOSIT_HOLDERS]
    users = seeded.bidder_user_ids[:DEPOSIT_HOLDERS]
    rows = []
    for sale, lot in sales:
        amount = rules.deposit_for(
            value=sale.start_price, listing_type=lot.listing_type, currency=sale.currency
        )
        if not amount:
            continue
        for organisation_id, user_id in zip(organisations, users, strict=True):
            rows.append(
                {
                    "purpose": PaymentPurpose.DEPOSIT,
                    "reference": f"sale:{sale.pk}",
                    "payer_id": user_id,
                    "amount": amount,
                    "currency": sale.currency,
                    "manual_capture": True,
                    "stripe_intent_id": f"pi_bench_{sale.pk}_{organisation_id}",
                    "status": PaymentStatus.REQUIRES_CAPTURE,
                    "sale_id": sale.pk,
                    "organisation_id": organisation_id,
                    "authorised_at": now,
                    "deposit_outcome": "",
                }
            )
    copy_rows(Payment, rows)


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
                sale_id=sale.pk,
                bidder_organisation_id=rng.choice(seeded.bidder_organisation_ids),
                placed_by_id=None,
                amount=sale.start_price,
                max_amount=maximum,
                created_at=sale.starts_at + timedelta(minutes=5),
            )
        )
        led.append(sale)
    copy_objects(Bid, bids)
    # The leader and its price as bid_place leaves them: a single bidder pays the start price
    # (auction.auction_state), lifted to the reserve when the maximum reaches it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE trading_sale AS s SET leading_bid_id = b.id, bid_count = 1, version = 1, "
            "current_price = CASE WHEN s.reserve_price IS NOT NULL "
            "AND b.max_amount >= s.reserve_price THEN s.reserve_price ELSE s.start_price END "
            "FROM trading_bid AS b WHERE b.sale_id = s.id AND s.id = ANY(%s)",
            [[sale.pk for sale in led]],
        )
    seeded.storm_expected_orders = sum(
        1
        for sale, bid in zip(led, bids, strict=True)
        if sale.reserve_price is None or bid.max_amount >= sale.reserve_price
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
