"""Demo completed sales for the outflow dashboard, for `seed_demo`.

Through the real services, back-dated: the dealer (or the recycler, for black mass) lists an
item, opens a fixed-price sale and a buyer buys it, so every order has its sale, events and,
when it crosses a border, its shipment case. Deterministic and idempotent: each item's
serial or lot number starts with "CIRC-DEMO-<n>-", and an existing one is skipped.

Over the last six months the mix is what the outflow report is about: Fukuoka packs reused
in Kumamoto, exported to Germany, recycled in Kitakyushu, black mass shipped to Korea, and a
Saga sale that the public dashboard suppresses (fewer than three in its month), together
with the Fukuoka cell of that month, which would otherwise give it away.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from tqdm import tqdm

from marketplace.accounts.models import User
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import BlackMassForm, Chemistry, Grade, ListingType, SaleFormat
from marketplace.catalog.models import BatteryPack, BlackMassLot

# (model, chemistry, rated kWh, mass kg, modules)
PACKS = {
    "leaf40": ("Nissan Leaf 40 kWh", Chemistry.NMC532, "40.00", "303.0", 24),
    "leaf62": ("Nissan Leaf e+ 62 kWh", Chemistry.NMC532, "62.00", "410.0", 36),
    "sakura": ("Nissan Sakura 20 kWh", Chemistry.NMC811, "20.00", "180.0", 12),
    "leaf24": ("Nissan Leaf 24 kWh", Chemistry.LMO, "24.00", "294.0", 48),
}


@dataclass(frozen=True)
class DemoSale:
    days_ago: int
    item: str  # a PACKS key, or "black_mass"
    soh_pct: str  # "" for black mass
    region: str
    buyer: str  # demo username
    price_jpy: int


# Packs graded R (SOH below 60 %) go to the recycler: recycling in the country.
DEMO_COMPLETED_SALES = (
    DemoSale(170, "leaf40", "86.0", "Fukuoka", "reuse", 520_000),
    DemoSale(165, "leaf62", "88.5", "Fukuoka", "reuse_de", 980_000),
    DemoSale(160, "leaf24", "55.0", "Fukuoka", "recycler", 60_000),
    DemoSale(150, "black_mass", "", "Fukuoka", "refiner_kr", 4_200_000),
    DemoSale(140, "sakura", "91.0", "Fukuoka", "reuse", 280_000),
    DemoSale(135, "leaf40", "79.5", "Fukuoka", "reuse_de", 430_000),
    DemoSale(131, "leaf40", "82.0", "Fukuoka", "reuse", 470_000),
    DemoSale(128, "leaf24", "52.5", "Saga", "recycler", 55_000),
    DemoSale(110, "leaf62", "90.0", "Fukuoka", "reuse", 1_050_000),
    DemoSale(104, "leaf40", "84.0", "Fukuoka", "reuse_de", 500_000),
    DemoSale(100, "black_mass", "", "Fukuoka", "refiner_kr", 3_900_000),
    DemoSale(96, "leaf24", "57.0", "Fukuoka", "recycler", 58_000),
    DemoSale(80, "leaf40", "87.5", "Fukuoka", "reuse", 540_000),
    DemoSale(75, "sakura", "93.0", "Fukuoka", "reuse", 300_000),
    DemoSale(70, "leaf62", "85.0", "Fukuoka", "reuse_de", 900_000),
    DemoSale(66, "leaf40", "80.0", "Fukuoka", "reuse", 450_000),
    DemoSale(50, "leaf40", "83.0", "Fukuoka", "reuse", 480_000),
    DemoSale(45, "leaf24", "54.0", "Fukuoka", "recycler", 52_000),
    DemoSale(41, "black_mass", "", "Fukuoka", "refiner_kr", 4_500_000),
    DemoSale(38, "leaf62", "89.0", "Fukuoka", "reuse_de", 1_000_000),
    DemoSale(20, "leaf40", "85.5", "Fukuoka", "reuse", 510_000),
    DemoSale(16, "sakura", "90.5", "Fukuoka", "reuse", 290_000),
    DemoSale(12, "leaf62", "87.0", "Fukuoka", "reuse_de", 960_000),
    DemoSale(9, "leaf24", "58.0", "Fukuoka", "recycler", 60_000),
)

# NMC622 black mass at about 80 % of the ideal grades (as marketplace/catalog/demo.py does).
BLACK_MASS_ASSAY = {
    "ni_pct": Decimal("24.00"),
    "co_pct": Decimal("8.00"),
    "mn_pct": Decimal("7.50"),
    "li_pct": Decimal("4.80"),
}
# Exported buyers wait for the domestic-first window (at most 72 h for black mass).
DOMESTIC_BUY_AFTER = timedelta(hours=2)
FOREIGN_BUY_AFTER = timedelta(days=4)
SALE_DAYS = 7


def _key(number: int) -> str:
    return f"CIRC-DEMO-{number:02d}"


def _exists(number: int) -> bool:
    prefix = f"{_key(number)}-"
    return (
        BatteryPack.objects.filter(serial_number__startswith=prefix).exists()
        or BlackMassLot.objects.filter(lot_number__startswith=prefix).exists()
    )


def _grade(soh: Decimal) -> str:
    return Grade.R if soh < 60 else Grade.B2


def _listing_arguments(number: int, spec: DemoSale, opened: datetime) -> dict:
    common = {
        "country": "JP",
        "region": spec.region,
        "sale_format": SaleFormat.FIXED_PRICE,
        "price": Decimal(spec.price_jpy),
    }
    if spec.item == "black_mass":
        wet_kg = Decimal(8000 + 500 * (number % 7))
        return {
            **common,
            "listing_type": ListingType.BLACK_MASS,
            "title": f"NMC622 black mass, {wet_kg / 1000:.1f} t",
            "black_mass_lot": {
                "lot_number": f"{_key(number)}-BM",
                "wet_weight_kg": wet_kg,
                "moisture_pct": Decimal("3.50"),
                "source_chemistry": Chemistry.NMC622,
                "form": BlackMassForm.POWDER,
                "assayed_on": opened.date() - timedelta(days=10),
                **BLACK_MASS_ASSAY,
            },
        }
    model, chemistry, kwh, mass, modules = PACKS[spec.item]
    soh = Decimal(spec.soh_pct)
    return {
        **common,
        "listing_type": ListingType.BATTERY_PACK,
        "title": f"{model} pack, SOH {soh} %",
        "pack": {
            "serial_number": f"{_key(number)}-PACK",
            "manufacturer": "AESC",
            "chemistry": chemistry,
            "rated_capacity_kwh": Decimal(kwh),
            "mass_kg": Decimal(mass),
            "module_count": modules,
            "manufactured_on": date(2019, 4, 1),
            "soh_pct": soh,
            "soh_low_pct": soh - Decimal("3.00"),
            "soh_high_pct": min(soh + Decimal("3.00"), Decimal("100")),
            "grade": _grade(soh),
        },
    }


def seed_completed_sales(*, progress: bool = True, now: datetime | None = None) -> int:
    """Create the demo completed sales that do not exist yet; return how many were created."""
    from marketplace.trading import services as trading_services

    now = now or timezone.now()
    people = {user.username: user for user in User.objects.filter(is_active=True)}
    needed = {"dealer", "recycler"} | {spec.buyer for spec in DEMO_COMPLETED_SALES}
    if not needed <= people.keys():
        return 0
    created = 0
    for number, spec in enumerate(
        tqdm(DEMO_COMPLETED_SALES, desc="completed sales", unit="sale", disable=not progress)
    ):
        if _exists(number):
            continue
        seller = people["recycler" if spec.item == "black_mass" else "dealer"]
        buyer = people[spec.buyer]
        opened = now - timedelta(days=spec.days_ago)
        listing = catalog_services.listing_create(
            actor=seller, **_listing_arguments(number, spec, opened)
        )
        catalog_services.listing_publish(listing=listing, actor=seller)
        sale = trading_services.sale_open(
            listing=listing, actor=seller, ends_at=opened + timedelta(days=SALE_DAYS), now=opened
        )
        foreign = buyer.organisation.country.code != listing.country.code
        bought = opened + (FOREIGN_BUY_AFTER if foreign else DOMESTIC_BUY_AFTER)
        trading_services.sale_buy_now(sale=sale, user=buyer, now=bought)
        created += 1
    return created
