"""Outflow and circularity figures of completed sales, by month and region.

A completed sale is a trading Order that is not cancelled. For each one we derive, in one
pass over one query (docs/circularity.md has the formulas and worked numbers):

- where it went: ``export`` when the buyer is in another country than the lot
  (Order.cross_border), else ``recycling`` for a waste lot (market_rules.yaml waste_lots,
  the same test trading uses for permits), else ``reuse``;
- kWh: the rated capacity of the pack (also of a used EV) or module lot; black mass has none;
- contained Li, Ni, Co: chemistry × rated kWh (reference.yaml, BatPaC 5.2) for packs and
  modules, dry weight × assay for black mass;
- their value at the reference price in force on the sale's date (trading reference prices,
  JPY per kg of contained metal), rounded to the yen per sale;
- kWh kept in use and CO2 avoided, for reuse in the country only: rated kWh × SOH / 100 and
  that × the new-pack footprint. Exported packs leave our view, so no reuse is claimed for
  them; a pack without a stated SOH claims nothing.

Region: the listing's region / prefecture, else the seller organisation's region.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.catalog.choices import ListingType
from marketplace.circularity import metrics, reference
from marketplace.circularity.metrics import Outcome
from marketplace.core.exceptions import DomainError
from marketplace.trading.choices import OrderStatus
from marketplace.trading.models import Order
from marketplace.trading.selectors import reference_price_history
from marketplace.trading.services.eligibility import listing_is_waste

METALS = ("Li", "Ni", "Co")
OUTCOMES = (Outcome.REUSE, Outcome.RECYCLING, Outcome.EXPORT)
ZERO = Decimal(0)
GRAM = Decimal("0.001")
HUNDREDTH = Decimal("0.01")
YEN = Decimal(1)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PUBLIC = "public"
STAFF = "staff"


# --- Filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutflowFilters:
    month_from: datetime.date | None = None  # first day of the month
    month_to: datetime.date | None = None
    region: str = ""

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.month_from:
            query["month_from"] = self.month_from.strftime("%Y-%m")
        if self.month_to:
            query["month_to"] = self.month_to.strftime("%Y-%m")
        if self.region:
            query["region"] = self.region
        return query


def _month(raw: str, name: str, errors: dict[str, list[str]]) -> datetime.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    match = MONTH.match(raw)
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 2000:
        return datetime.date(int(match[1]), int(match[2]), 1)
    errors[name] = [_("Give a month as YYYY-MM, e.g. 2026-04.")]
    return None


def outflow_filters(raw: Mapping[str, str]) -> OutflowFilters:
    """Parse ``month_from``, ``month_to`` (YYYY-MM) and ``region``; DomainError per field."""
    errors: dict[str, list[str]] = {}
    month_from = _month(raw.get("month_from", ""), "month_from", errors)
    month_to = _month(raw.get("month_to", ""), "month_to", errors)
    if month_from and month_to and month_to < month_from:
        errors["month_to"] = [_("The last month cannot be before the first.")]
    region = (raw.get("region") or "").strip()
    if len(region) > 100:
        errors["region"] = [_("A region name has at most 100 characters.")]
    if errors:
        first, messages = next(iter(errors.items()))
        raise DomainError(f"{first}: {messages[0]}", fields=errors)
    return OutflowFilters(month_from=month_from, month_to=month_to, region=region)


def _month_start(month: datetime.date) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime(month.year, month.month, 1, tzinfo=tz)


def _next_month(month: datetime.date) -> datetime.date:
    days = calendar.monthrange(month.year, month.month)[1]
    return month + datetime.timedelta(days=days)


def completed_orders(filters: OutflowFilters) -> QuerySet[Order]:
    """Every order that is not cancelled, narrowed by the filters, with what the figures need."""
    orders = (
        Order.objects.exclude(status=OrderStatus.CANCELLED)
        .select_related(
            "listing",
            "listing__pack",
            "listing__module_lot",
            "listing__black_mass_lot",
            "buyer_organisation",
            "seller_organisation",
        )
        .order_by("created_at", "pk")
    )
    if filters.month_from:
        orders = orders.filter(created_at__gte=_month_start(filters.month_from))
    if filters.month_to:
        orders = orders.filter(created_at__lt=_month_start(_next_month(filters.month_to)))
    if filters.region:
        orders = orders.filter(
            Q(listing__region__iexact=filters.region)
            | Q(listing__region="", seller_organisation__region__iexact=filters.region)
        )
    return orders


# --- One sale --------------------------------------------------------------------------


class PriceBook:
    """Reference prices of Li, Ni and Co by date, loaded once (a few rows per month)."""

    def __init__(self, rows: Iterable[tuple[str, datetime.date, Decimal]]) -> None:
        self._dates: dict[str, list[datetime.date]] = {metal: [] for metal in METALS}
        self._prices: dict[str, list[Decimal]] = {metal: [] for metal in METALS}
        for element, on, price in sorted(rows):
            if element in self._dates:
                self._dates[element].append(on)
                self._prices[element].append(price)

    @classmethod
    def load(cls) -> PriceBook:
        return cls(
            (row.element, row.effective_date, row.price_jpy_per_kg)
            for metal in METALS
            for row in reference_price_history(element=metal)
        )

    def price_on(self, element: str, on: datetime.date) -> Decimal | None:
        """The latest price effective on or before ``on``; None before the first one."""
        index = bisect.bisect_right(self._dates[element], on)
        return self._prices[element][index - 1] if index else None


@dataclass(frozen=True)
class SaleFigures:
    order_id: int
    month: datetime.date
    country: str
    region: str
    seller_organisation_id: int
    seller_name: str
    buyer_organisation_id: int
    buyer_name: str
    listing_type: str
    chemistry: str
    outcome: str
    kwh: Decimal
    kwh_in_use: Decimal
    metals_kg: dict[str, Decimal]
    metal_value_jpy: Decimal
    unpriced_metals: tuple[str, ...]
    co2_avoided_kg: Decimal
    score: Decimal


def _capacity(listing) -> tuple[str, Decimal, Decimal | None]:
    """(chemistry, rated kWh, SOH %) of the listed item; black mass has no capacity."""
    if listing.listing_type == ListingType.BLACK_MASS:
        return listing.black_mass_lot.source_chemistry, ZERO, None
    if listing.listing_type == ListingType.MODULE_LOT:
        lot = listing.module_lot
        return lot.chemistry, lot.total_capacity_kwh, lot.soh_pct
    return listing.pack.chemistry, listing.pack.rated_capacity_kwh, listing.pack.soh_pct


def _black_mass_metals_kg(lot) -> dict[str, Decimal]:
    assay = {"Li": lot.li_pct, "Ni": lot.ni_pct, "Co": lot.co_pct}
    return {
        metal: (lot.dry_weight_kg * (assay[metal] or ZERO) / 100).quantize(
            GRAM, rounding=ROUND_HALF_UP
        )
        for metal in METALS
    }


def outcome_of(order: Order) -> str:
    if order.cross_border:
        return Outcome.EXPORT
    return Outcome.RECYCLING if listing_is_waste(order.listing) else Outcome.REUSE


def sale_figures(order: Order, prices: PriceBook) -> SaleFigures:
    """Every figure of one completed sale (the listing and its item must be loaded)."""
    listing = order.listing
    chemistry, kwh, soh_pct = _capacity(listing)
    if listing.listing_type == ListingType.BLACK_MASS:
        metals = _black_mass_metals_kg(listing.black_mass_lot)
    else:
        estimate = metrics.contained_metals_kg(chemistry, kwh)
        metals = {metal: estimate[metal] for metal in METALS if metal in estimate}
    local_date = timezone.localtime(order.created_at).date()
    value = ZERO
    unpriced = []
    for metal, kg in metals.items():
        price = prices.price_on(metal, local_date)
        if price is None:
            unpriced.append(metal)
        else:
            value += kg * price
    outcome = outcome_of(order)
    kwh_in_use = ZERO
    if outcome == Outcome.REUSE and soh_pct is not None:
        kwh_in_use = (kwh * soh_pct / 100).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    ref = reference.reference()
    return SaleFigures(
        order_id=order.pk,
        month=local_date.replace(day=1),
        country=listing.country.code,
        region=listing.region or order.seller_organisation.region,
        seller_organisation_id=order.seller_organisation_id,
        seller_name=order.seller_organisation.legal_name,
        buyer_organisation_id=order.buyer_organisation_id,
        buyer_name=order.buyer_organisation.legal_name,
        listing_type=listing.listing_type,
        chemistry=chemistry,
        outcome=outcome,
        kwh=kwh,
        kwh_in_use=kwh_in_use,
        metals_kg=metals,
        metal_value_jpy=value.quantize(YEN, rounding=ROUND_HALF_UP),
        unpriced_metals=tuple(unpriced),
        co2_avoided_kg=metrics.co2_avoided_by_reuse_kg(kwh_in_use),
        score=(ref.score_per_sale_scale * ref.score_weights[outcome]).quantize(
            HUNDREDTH, rounding=ROUND_HALF_UP
        ),
    )


def figures_of(orders: Iterable[Order]) -> Iterator[SaleFigures]:
    prices = PriceBook.load()
    for order in orders:
        yield sale_figures(order, prices)


# --- Aggregates ------------------------------------------------------------------------


@dataclass
class Cell:
    """Sums over a set of sales. ``suppressed`` cells are shown without numbers."""

    sales: int = 0
    sales_domestic: int = 0
    sales_exported: int = 0
    sales_reuse: int = 0
    sales_recycling: int = 0
    kwh: Decimal = ZERO
    kwh_domestic: Decimal = ZERO
    kwh_exported: Decimal = ZERO
    kwh_reuse: Decimal = ZERO
    kwh_recycling: Decimal = ZERO
    kwh_in_use: Decimal = ZERO
    li_kg: Decimal = ZERO
    ni_kg: Decimal = ZERO
    co_kg: Decimal = ZERO
    metals_exported_kg: Decimal = ZERO
    metal_value_jpy: Decimal = ZERO
    metal_value_exported_jpy: Decimal = ZERO
    co2_avoided_kg: Decimal = ZERO
    score_points: Decimal = ZERO  # Σ weight × kWh, for the kWh-weighted index
    score_sum: Decimal = ZERO  # Σ per-sale score, for the mean
    suppressed: bool = False

    NUMBERS = (
        "sales",
        "sales_domestic",
        "sales_exported",
        "sales_reuse",
        "sales_recycling",
        "kwh",
        "kwh_domestic",
        "kwh_exported",
        "kwh_reuse",
        "kwh_recycling",
        "kwh_in_use",
        "li_kg",
        "ni_kg",
        "co_kg",
        "metals_exported_kg",
        "metal_value_jpy",
        "metal_value_exported_jpy",
        "co2_avoided_kg",
    )

    def add(self, sale: SaleFigures) -> None:
        self.sales += 1
        metals_kg = sum(sale.metals_kg.values(), ZERO)
        if sale.outcome == Outcome.EXPORT:
            self.sales_exported += 1
            self.kwh_exported += sale.kwh
            self.metals_exported_kg += metals_kg
            self.metal_value_exported_jpy += sale.metal_value_jpy
        else:
            self.sales_domestic += 1
            self.kwh_domestic += sale.kwh
        if sale.outcome == Outcome.REUSE:
            self.sales_reuse += 1
            self.kwh_reuse += sale.kwh
        elif sale.outcome == Outcome.RECYCLING:
            self.sales_recycling += 1
            self.kwh_recycling += sale.kwh
        self.kwh += sale.kwh
        self.kwh_in_use += sale.kwh_in_use
        self.li_kg += sale.metals_kg.get("Li", ZERO)
        self.ni_kg += sale.metals_kg.get("Ni", ZERO)
        self.co_kg += sale.metals_kg.get("Co", ZERO)
        self.metal_value_jpy += sale.metal_value_jpy
        self.co2_avoided_kg += sale.co2_avoided_kg
        self.score_points += reference.reference().score_weights[sale.outcome] * sale.kwh
        self.score_sum += sale.score

    @property
    def domestic_share_pct(self) -> Decimal | None:
        """Share of sales that stayed in the country."""
        if not self.sales or self.suppressed:
            return None
        return (Decimal(100) * self.sales_domestic / self.sales).quantize(Decimal("0.1"))

    @property
    def domestic_kwh_share_pct(self) -> Decimal | None:
        if not self.kwh or self.suppressed:
            return None
        return (100 * self.kwh_domestic / self.kwh).quantize(Decimal("0.1"))

    @property
    def circularity_index(self) -> Decimal | None:
        """100 × Σ weight × kWh / Σ kWh (metrics.circularity_index); None without capacity."""
        if not self.kwh or self.suppressed:
            return None
        return (100 * self.score_points / self.kwh).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    @property
    def mean_score(self) -> Decimal | None:
        if not self.sales or self.suppressed:
            return None
        return (self.score_sum / self.sales).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def as_dict(self) -> dict[str, object]:
        """Numbers as strings (exact decimals); all None when suppressed."""
        data: dict[str, object] = {"suppressed": self.suppressed}
        for name in self.NUMBERS:
            value = getattr(self, name)
            data[name] = (
                None if self.suppressed else (str(value) if isinstance(value, Decimal) else value)
            )
        for name in ("domestic_share_pct", "domestic_kwh_share_pct", "circularity_index"):
            value = getattr(self, name)
            data[name] = None if value is None else str(value)
        return data


@dataclass
class RegionRow:
    country: str
    region: str
    cell: Cell = field(default_factory=Cell)


@dataclass
class MonthRow:
    month: datetime.date
    regions: list[RegionRow] = field(default_factory=list)
    total: Cell = field(default_factory=Cell)
    total_shown: bool = True


@dataclass
class OrganisationRow:
    organisation_id: int
    name: str
    as_seller: Cell = field(default_factory=Cell)
    as_buyer: Cell = field(default_factory=Cell)


@dataclass
class OutflowReport:
    audience: str
    filters: OutflowFilters
    months: list[MonthRow]
    total: Cell | None  # staff only: a grand total would undo the public suppression
    organisations: list[OrganisationRow]  # staff only
    unpriced_metals: tuple[str, ...]
    min_sales_per_cell: int
    reference_version: str


def suppress(cells: list[Cell], *, threshold: int) -> None:
    """Hide cells with fewer than ``threshold`` sales, then, while the hidden cells add up to
    fewer than ``threshold`` (their total minus the visible ones would reveal them), also the
    smallest visible cells."""
    for cell in cells:
        if 0 < cell.sales < threshold:
            cell.suppressed = True
    hidden = sum(cell.sales for cell in cells if cell.suppressed)
    visible = sorted((cell for cell in cells if not cell.suppressed), key=lambda c: c.sales)
    while 0 < hidden < threshold and visible:
        cell = visible.pop(0)
        cell.suppressed = True
        hidden += cell.sales


def outflow_report(*, filters: OutflowFilters, audience: str = PUBLIC) -> OutflowReport:
    """The dashboard: months (newest first) × regions, and for staff totals and organisations.

    One query for the orders and one per metal for the prices, whatever the number of sales.
    """
    if audience == PUBLIC and filters.region:
        # Suppress over all regions first, then narrow: suppression computed within the
        # filtered set alone would show a cell the unfiltered page hides as a complement.
        everywhere = outflow_report(filters=replace(filters, region=""), audience=PUBLIC)
        return _narrowed_to_region(everywhere, filters)
    months: dict[datetime.date, MonthRow] = {}
    regions: dict[tuple[datetime.date, str, str], RegionRow] = {}
    organisations: dict[int, OrganisationRow] = {}
    total = Cell()
    unpriced: set[str] = set()
    for sale in figures_of(completed_orders(filters)):
        month = months.setdefault(sale.month, MonthRow(month=sale.month))
        key = (sale.month, sale.country, sale.region)
        if key not in regions:
            regions[key] = RegionRow(country=sale.country, region=sale.region)
            month.regions.append(regions[key])
        regions[key].cell.add(sale)
        month.total.add(sale)
        total.add(sale)
        unpriced.update(sale.unpriced_metals)
        if audience == STAFF:
            seller = organisations.setdefault(
                sale.seller_organisation_id,
                OrganisationRow(sale.seller_organisation_id, sale.seller_name),
            )
            seller.as_seller.add(sale)
            buyer = organisations.setdefault(
                sale.buyer_organisation_id,
                OrganisationRow(sale.buyer_organisation_id, sale.buyer_name),
            )
            buyer.as_buyer.add(sale)
    ordered = sorted(months.values(), key=lambda row: row.month, reverse=True)
    for row in ordered:
        row.regions.sort(key=lambda r: (r.country, r.region.casefold()))
    threshold = reference.reference().public_min_sales_per_cell
    if audience == PUBLIC:
        for row in ordered:
            if row.total.sales < threshold:
                row.total.suppressed = True
            suppress([r.cell for r in row.regions], threshold=threshold)
    return OutflowReport(
        audience=audience,
        filters=filters,
        months=ordered,
        total=total if audience == STAFF else None,
        organisations=sorted(organisations.values(), key=lambda o: o.name.casefold()),
        unpriced_metals=tuple(sorted(unpriced)),
        min_sales_per_cell=threshold,
        reference_version=reference.reference().version,
    )


def _narrowed_to_region(report: OutflowReport, filters: OutflowFilters) -> OutflowReport:
    """The public report of one region: its cells as suppressed on the unfiltered page. A
    month total over several same-named regions (in different countries) is not shown."""
    wanted = filters.region.casefold()
    months = []
    for month in report.months:
        regions = [r for r in month.regions if r.region.casefold() == wanted]
        if not regions:
            continue
        single = len(regions) == 1
        months.append(
            MonthRow(
                month=month.month,
                regions=regions,
                total=regions[0].cell if single else Cell(suppressed=True),
                total_shown=single,
            )
        )
    return replace(report, filters=filters, months=months)
