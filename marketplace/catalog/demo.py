"""Demo listings for the Japanese market, for `seed_demo --listings N`.

Deterministic: listing number i always gets the same specs, and its pack serial or lot
number starts "DEMO-<i>-", so running the seeder twice creates nothing new. Listings go through
the same services as real ones (events and all), spread over the verified dealer and
recycler organisations already in the database: dealers sell vehicles, packs and
modules, recyclers sell black mass.

Specs are typical published figures (nameplate capacity, module counts, masses) rounded;
black-mass assays are the ideal compositions of diagnostics.md §4.6 diluted by binder,
foils and moisture as real lots are, with Cu/Al/F impurities within the Fastmarkets spec.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tqdm import tqdm

from marketplace.accounts.choices import Role
from marketplace.accounts.models import Organisation, User
from marketplace.catalog import services
from marketplace.catalog.choices import (
    BlackMassForm,
    Chemistry,
    Grade,
    ListingType,
    ModuleCondition,
    ModuleFormat,
    SaleFormat,
)
from marketplace.catalog.models import BatteryPack, BlackMassLot, ModuleLot


@dataclass(frozen=True)
class Model:
    make: str
    name: str
    chassis_prefix: str  # Japanese chassis number (車台番号) prefix; "" → 17-character VIN
    years: tuple[int, int]
    manufacturer: str
    chemistry: str
    capacity_kwh: str
    voltage_v: str
    mass_kg: str
    modules: int
    module_format: str
    soh_range: tuple[int, int]
    car_price_jpy: tuple[int, int]
    pack_price_jpy: tuple[int, int]


MODELS = (
    Model("Nissan", "Leaf 24 kWh", "AZE0", (2013, 2016), "AESC", Chemistry.LMO, "24.00",
          "360.0", "294.0", 48, ModuleFormat.POUCH, (62, 80), (250_000, 550_000),
          (80_000, 200_000)),
    Model("Nissan", "Leaf 40 kWh", "ZE1", (2018, 2021), "AESC", Chemistry.NMC532, "40.00",
          "350.0", "303.0", 24, ModuleFormat.POUCH, (78, 93), (950_000, 1_650_000),
          (300_000, 650_000)),
    Model("Nissan", "Leaf e+ 62 kWh", "ZE1", (2019, 2023), "Envision AESC", Chemistry.NMC622,
          "62.00", "350.0", "410.0", 24, ModuleFormat.POUCH, (82, 96), (1_600_000, 2_600_000),
          (550_000, 1_000_000)),
    Model("Mitsubishi", "i-MiEV", "HA3W", (2010, 2017), "Lithium Energy Japan", Chemistry.LMO,
          "16.00", "330.0", "200.0", 22, ModuleFormat.PRISMATIC, (58, 78), (200_000, 500_000),
          (60_000, 150_000)),
    Model("Mitsubishi", "Outlander PHEV", "GG2W", (2014, 2020), "Lithium Energy Japan",
          Chemistry.LMO, "12.00", "300.0", "186.0", 10, ModuleFormat.PRISMATIC, (66, 88),
          (1_100_000, 2_300_000), (90_000, 220_000)),
    Model("Honda", "Honda e", "ZC7", (2020, 2023), "Panasonic", Chemistry.NMC622, "35.50",
          "355.0", "230.0", 12, ModuleFormat.PRISMATIC, (86, 97), (1_700_000, 2_700_000),
          (400_000, 750_000)),
    Model("Tesla", "Model 3 RWD (LFP)", "", (2021, 2024), "CATL", Chemistry.LFP, "60.00",
          "355.0", "392.0", 4, ModuleFormat.PRISMATIC, (88, 98), (2_900_000, 4_200_000),
          (700_000, 1_200_000)),
)  # fmt: skip

# Ideal black mass (diagnostics.md §4.6, wt%), before dilution.
IDEAL_ASSAYS = {
    Chemistry.NMC111: {"li": "4.8", "ni": "13.4", "co": "13.5", "mn": "12.5", "c": "34.0"},
    Chemistry.NMC622: {"li": "4.5", "ni": "23.0", "co": "7.7", "mn": "7.2", "c": "36.8"},
    Chemistry.NMC811: {"li": "4.3", "ni": "29.1", "co": "3.7", "mn": "3.4", "c": "39.7"},
    Chemistry.LFP: {"li": "3.0", "fe": "24.0", "p": "13.3", "c": "32.3"},
}
LABS = ("Kitakyushu Assay Lab", "JFE Techno-Research", "Nippon Analytical Services")


def _grade(soh: Decimal) -> str:
    """Grade by the diagnostics thresholds (grading.yaml); here only for demo variety."""
    for threshold, grade in ((80, Grade.A), (70, Grade.B1), (60, Grade.B2), (50, Grade.C)):
        if soh >= threshold:
            return grade
    return Grade.R


def _pct(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _yen(rng: random.Random, bounds: tuple[int, int]) -> Decimal:
    return Decimal(rng.randrange(bounds[0], bounds[1] + 1, 10_000))


def _vin(model: Model, number: int) -> str:
    if model.chassis_prefix:
        return f"{model.chassis_prefix}-9{number:05d}"
    return f"LRW3E7EK5NC{number:06d}"


def _pack(model: Model, serial: str, rng: random.Random, year: int) -> dict:
    soh = _pct(rng.uniform(*model.soh_range))
    capacity = Decimal(model.capacity_kwh)
    return {
        "serial_number": serial,
        "manufacturer": model.manufacturer,
        "chemistry": model.chemistry,
        "rated_capacity_kwh": capacity,
        "rated_capacity_ah": (capacity * 1000 / Decimal(model.voltage_v)).quantize(Decimal("0.1")),
        "nominal_voltage_v": Decimal(model.voltage_v),
        "mass_kg": Decimal(model.mass_kg),
        "module_count": model.modules,
        "module_format": model.module_format,
        "manufactured_on": date(year - 1, rng.randint(1, 12), 1),
        "first_used_on": date(year, rng.randint(1, 12), rng.randint(1, 28)),
        "soh_pct": soh,
        "soh_low_pct": soh - Decimal("3.00"),
        "soh_high_pct": min(soh + Decimal("3.00"), Decimal("100")),
        "grade": _grade(soh),
    }


def _dealer_listing(number: int, rng: random.Random, region: str) -> dict:
    """listing_create arguments for a vehicle, pack or module lot."""
    model = rng.choice(MODELS)
    year = rng.randint(*model.years)
    kind = rng.choices(
        (ListingType.USED_EV, ListingType.BATTERY_PACK, ListingType.MODULE_LOT), (5, 3, 2)
    )[0]
    common = {"country": "JP", "region": region}
    if kind == ListingType.USED_EV:
        vin = _vin(model, number)
        pack = _pack(model, f"{_key(number)}-{vin}", rng, year)
        odometer = rng.randrange(8_000, 160_000, 100)
        return {
            **common,
            "listing_type": kind,
            "title": f"{year} {model.make} {model.name}, {odometer:,} km",
            "sale_format": rng.choice((SaleFormat.FIXED_PRICE, SaleFormat.ENGLISH_AUCTION)),
            "price": _yen(rng, model.car_price_jpy),
            "vehicle": {
                "vin": vin,
                "make": model.make,
                "model": model.name,
                "year": year,
                "odometer_km": odometer,
            },
            "pack": pack,
        }
    if kind == ListingType.BATTERY_PACK:
        serial = f"{_key(number)}-PACK"
        return {
            **common,
            "listing_type": kind,
            "title": f"{model.make} {model.name} pack, {model.capacity_kwh} kWh",
            "sale_format": rng.choice((SaleFormat.FIXED_PRICE, SaleFormat.ENGLISH_AUCTION)),
            "price": _yen(rng, model.pack_price_jpy),
            "pack": _pack(model, serial, rng, year),
        }
    lot_number = f"{_key(number)}-ML"
    count = rng.choice((8, 12, 24, 48, 96))
    per_module = (Decimal(model.capacity_kwh) / model.modules).quantize(Decimal("0.001"))
    soh = _pct(rng.uniform(*model.soh_range))
    return {
        **common,
        "listing_type": kind,
        "title": f"{count} × {model.make} {model.name} modules",
        "sale_format": SaleFormat.FIXED_PRICE,
        "price": Decimal(count * rng.randrange(6_000, 30_000, 1_000)),
        "module_lot": {
            "lot_number": lot_number,
            "module_type": f"{model.make} {model.name} module",
            "manufacturer": model.manufacturer,
            "module_count": count,
            "capacity_kwh_per_module": per_module,
            "total_capacity_kwh": (per_module * count).quantize(Decimal("0.01")),
            "chemistry": model.chemistry,
            "condition": rng.choice((ModuleCondition.USED_TESTED, ModuleCondition.USED_UNTESTED)),
            "soh_pct": soh,
            "grade": _grade(soh),
        },
    }


def _black_mass_listing(number: int, rng: random.Random, region: str) -> dict:
    chemistry = rng.choices(list(IDEAL_ASSAYS), (1, 3, 2, 3))[0]
    # Real lots carry binder, foils and fines: metal grades at 70-90 % of the ideal.
    dilution = rng.uniform(0.70, 0.90)
    assay = {
        f"{element}_pct": _pct(float(Decimal(value)) * dilution)
        for element, value in IDEAL_ASSAYS[chemistry].items()
    }
    assay |= {
        "cu_pct": _pct(rng.uniform(0.5, 2.0)),
        "al_pct": _pct(rng.uniform(0.4, 2.0)),
        "f_pct": _pct(rng.uniform(1.0, 4.0)),
    }
    wet_kg = Decimal(rng.randrange(2_000, 24_001, 500))
    lot_number = f"{_key(number)}-BM"
    assayed = date(2026, rng.randint(1, 10), rng.randint(1, 28))
    return {
        "listing_type": ListingType.BLACK_MASS,
        "title": f"{chemistry} black mass, {wet_kg / 1000:.1f} t",
        "sale_format": SaleFormat.SEALED_TENDER,
        "price": None,
        "country": "JP",
        "region": region,
        "black_mass_lot": {
            "lot_number": lot_number,
            "wet_weight_kg": wet_kg,
            "moisture_pct": _pct(rng.uniform(1.5, 5.0)),
            "source_chemistry": chemistry,
            "form": rng.choice(
                (BlackMassForm.POWDER, BlackMassForm.POWDER, BlackMassForm.GRANULES)
            ),
            "sampling_method": "Composite of 20 increments per big bag (JIS M 8100 practice)",
            "sampled_on": assayed.replace(day=1),
            "lab_name": rng.choice(LABS),
            "lab_report_number": f"R-{assayed:%y%m}-{number:05d}",
            "assayed_on": assayed,
            **assay,
        },
    }


def _key(number: int) -> str:
    """Every item of demo listing `number` carries this in its serial or lot number."""
    return f"DEMO-{number:05d}"


def _exists(number: int) -> bool:
    prefix = f"{_key(number)}-"
    return (
        BatteryPack.objects.filter(serial_number__startswith=prefix).exists()
        or ModuleLot.objects.filter(lot_number__startswith=prefix).exists()
        or BlackMassLot.objects.filter(lot_number__startswith=prefix).exists()
    )


def _sellers(role: str) -> list[tuple[Organisation, User]]:
    """Verified organisations with a member in the role, each with one such member."""
    members = (
        User.objects.filter(role=role, is_active=True, organisation__verification_status="verified")
        .select_related("organisation")
        .order_by("organisation_id", "pk")
    )
    seen: dict[int, tuple[Organisation, User]] = {}
    for member in members:
        seen.setdefault(member.organisation_id, (member.organisation, member))
    return list(seen.values())


def _advance(listing, actor: User, rng: random.Random) -> None:
    """Most demo listings are published, some stay drafts.

    Sales are opened by trading's `seed_sales`, so that every listing in a sale has a real
    Sale (with its bids and close) behind it.
    """
    stage = rng.choices(("draft", "published"), (1, 9))[0]
    if stage == "published":
        services.listing_publish(listing=listing, actor=actor)


def seed_listings(*, count: int, progress: bool = True) -> int:
    """Ensure demo listings 0..count-1 exist; return how many were created now."""
    dealers, recyclers = _sellers(Role.DEALER), _sellers(Role.RECYCLER)
    if not dealers and not recyclers:
        return 0
    created = 0
    for number in tqdm(range(count), desc="Listings", unit="listing", disable=not progress):
        rng = random.Random(f"battery-market-demo-{number}")  # noqa: S311 - demo data
        use_recycler = recyclers and (not dealers or number % 5 == 4)
        pool = recyclers if use_recycler else dealers
        organisation, actor = pool[number % len(pool)]
        make = _black_mass_listing if use_recycler else _dealer_listing
        if _exists(number):
            continue
        arguments = make(number, rng, organisation.region)
        listing = services.listing_create(actor=actor, **arguments)
        _advance(listing, actor, rng)
        created += 1
    return created
