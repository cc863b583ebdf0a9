"""Demo data: reference prices (24 monthly prices per element, labelled as demo data) and a
few open sales on published demo listings.

The shared domain notes hold exactly one metal-price snapshot: Fastmarkets lithium carbonate
99.5 % exw China on 13 Nov 2025, 85,000–87,900 yuan/t (diagnostics.md 4.3, source
fastmarkets_nov2025_lfp). Lithium is anchored on it. The notes have no nickel, cobalt, manganese
or copper price, so those anchors are illustrative levels chosen by the platform team and say so
in their source text. Nothing here is market data; staff replace it with real prices.

Method: anchors in the market's own unit, converted at fixed demo rates (150 JPY/USD,
21 JPY/CNY; lithium carbonate → contained Li × 5.323), linearly interpolated by day to the first of
each month, held flat outside the anchors, rounded half up to 0.01 JPY/kg.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from marketplace.catalog.choices import ListingStatus, ListingType, SaleFormat
from marketplace.catalog.models import Listing
from marketplace.trading.choices import Element
from marketplace.trading.models import ReferencePrice, Sale

JPY_PER_USD = Decimal("150")
JPY_PER_CNY = Decimal("21")
LCE_KG_PER_KG_LI = Decimal("5.323")  # diagnostics.md 4.1 (stoichiometry)
MONTHS = 24
CENT = Decimal("0.01")


def _usd_per_tonne(usd: str) -> Decimal:
    return Decimal(usd) * JPY_PER_USD / 1000


def _li_from_carbonate_cny_per_tonne(cny: str) -> Decimal:
    return Decimal(cny) / 1000 * LCE_KG_PER_KG_LI * JPY_PER_CNY


@dataclass(frozen=True)
class DemoSeries:
    element: str
    anchors: tuple[tuple[date, Decimal], ...]  # (date, JPY per kg of contained metal), ascending
    source: str
    source_url: str = ""

    def price_on(self, on: date) -> Decimal:
        first_date, first_price = self.anchors[0]
        if on <= first_date:
            return first_price.quantize(CENT, ROUND_HALF_UP)
        for (start, start_price), (end, end_price) in zip(
            self.anchors, self.anchors[1:], strict=False
        ):
            if start <= on <= end:
                share = Decimal((on - start).days) / Decimal((end - start).days)
                return (start_price + (end_price - start_price) * share).quantize(
                    CENT, ROUND_HALF_UP
                )
        return self.anchors[-1][1].quantize(CENT, ROUND_HALF_UP)


_ASSUMED = (
    "Demo data, not a market price: {what} is an illustrative level assumed for the demo "
    "(the domain notes hold no {element} price snapshot), {unit} converted at 150 JPY/USD, "
    "interpolated monthly between 2024-12-01 and 2025-11-13 and held flat afterwards."
)
START = date(2024, 12, 1)
LI_SNAPSHOT = date(2025, 11, 13)

DEMO_SERIES: tuple[DemoSeries, ...] = (
    DemoSeries(
        Element.NICKEL,
        ((START, _usd_per_tonne("15800")), (LI_SNAPSHOT, _usd_per_tonne("14900"))),
        _ASSUMED.format(
            what="an LME-nickel-like level", element="nickel", unit="15,800→14,900 USD/t"
        ),
    ),
    DemoSeries(
        Element.COBALT,
        ((START, _usd_per_tonne("24000")), (LI_SNAPSHOT, _usd_per_tonne("48000"))),
        _ASSUMED.format(
            what="a standard-grade-cobalt-like level", element="cobalt", unit="24,000→48,000 USD/t"
        ),
    ),
    DemoSeries(
        Element.LITHIUM,
        (
            (START, _li_from_carbonate_cny_per_tonne("75000")),
            (LI_SNAPSHOT, _li_from_carbonate_cny_per_tonne("86450")),
        ),
        "Demo data derived from a dated snapshot, not a live price: Fastmarkets Li2CO3 99.5 % "
        "exw China 13 Nov 2025, 85,000–87,900 yuan/t (midpoint 86,450; diagnostics.md 4.3), "
        "× 5.323 kg LCE per kg Li at 21 JPY/CNY = 9,663.64 JPY/kg Li; the 2024-12-01 level "
        "(75,000 yuan/t) is a demo assumption; interpolated monthly, held flat afterwards.",
        "https://www.fastmarkets.com/insights/lfp-black-mass-and-battery-scrap-prices-surge-in-china",
    ),
    DemoSeries(
        Element.MANGANESE,
        ((START, _usd_per_tonne("2000")), (LI_SNAPSHOT, _usd_per_tonne("1900"))),
        _ASSUMED.format(
            what="an electrolytic-manganese-like level",
            element="manganese",
            unit="2,000→1,900 USD/t",
        ),
    ),
    DemoSeries(
        Element.COPPER,
        ((START, _usd_per_tonne("9000")), (LI_SNAPSHOT, _usd_per_tonne("10800"))),
        _ASSUMED.format(
            what="an LME-copper-like level", element="copper", unit="9,000→10,800 USD/t"
        ),
    ),
)


def demo_months(today: date, count: int = MONTHS) -> list[date]:
    """The first day of each of the ``count`` months ending with ``today``'s month, ascending."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def seed_reference_prices(*, progress: bool = True, today: date | None = None) -> int:
    """Record the demo series; idempotent by (element, effective date). Returns rows created.

    Existing rows (demo or typed by staff) are never overwritten. ``created_by`` is left empty:
    these rows come from an import, not from a person.
    """
    months = demo_months(today or timezone.localdate())
    created = 0
    with transaction.atomic():
        existing = set(ReferencePrice.objects.values_list("element", "effective_date"))
        for series in tqdm(
            DEMO_SERIES, desc="reference prices", unit="element", disable=not progress
        ):
            rows = [
                ReferencePrice(
                    element=series.element,
                    price_jpy_per_kg=series.price_on(month),
                    effective_date=month,
                    source=series.source,
                    source_url=series.source_url,
                )
                for month in months
                if (series.element, month) not in existing
            ]
            # ignore_conflicts: a concurrent seed or a staff entry for the same date wins.
            ReferencePrice.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
    return created


# --- Demo sales -------------------------------------------------------------------------

# (listing type, sale format, days open): an auction on a pack, a sealed tender on black mass,
# a fixed-price EV. Reserve of the demo auction: 20 % above the start, rounded to 1,000 JPY.
DEMO_SALES: tuple[tuple[str, str, int], ...] = (
    (ListingType.BATTERY_PACK, SaleFormat.ENGLISH_AUCTION, 3),
    (ListingType.BLACK_MASS, SaleFormat.SEALED_TENDER, 5),
    (ListingType.USED_EV, SaleFormat.FIXED_PRICE, 14),
)


def seed_sales(*, progress: bool = True, now: datetime | None = None) -> int:
    """Open one demo sale of each kind on a published demo listing; idempotent (a kind that
    already has a sale is skipped). Returns how many sales were opened now."""
    from marketplace.trading import services as trading_services

    now = now or timezone.now()
    created = 0
    for listing_type, sale_format, days in tqdm(
        DEMO_SALES, desc="sales", unit="sale", disable=not progress
    ):
        if Sale.objects.filter(listing__listing_type=listing_type, format=sale_format).exists():
            continue
        listing = (
            Listing.objects.filter(
                listing_type=listing_type,
                sale_format=sale_format,
                status=ListingStatus.PUBLISHED,
                currency="JPY",
            )
            .select_related("seller", "created_by", "pack")
            .order_by("pk")
            .first()
        )
        if listing is None:
            continue
        reserve = None
        if sale_format == SaleFormat.ENGLISH_AUCTION and listing.price:
            reserve = (listing.price * Decimal("1.2") / 1000).quantize(Decimal(1)) * 1000
        trading_services.sale_open(
            listing=listing,
            actor=listing.created_by,
            ends_at=now + timedelta(days=days),
            reserve_price=reserve,
            now=now,
        )
        created += 1
    return created
