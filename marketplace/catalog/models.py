"""Things buyers look for (vehicles, packs, module lots, black-mass lots) and listings of them.

Each item belongs to the organisation that owns it; a listing offers exactly one item.
A used-EV listing points at the vehicle and at the vehicle's pack, so that chemistry,
SOH, grade and capacity filters read the same column for EVs and bare packs.
"""

import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from marketplace.accounts.models import Organisation
from marketplace.catalog.choices import (
    ENDED_STATUSES,
    PUBLIC_STATUSES,
    AttachmentKind,
    BlackMassForm,
    Chemistry,
    Grade,
    ListingStatus,
    ListingType,
    ModuleCondition,
    ModuleFormat,
    SaleFormat,
    SohSource,
)

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _pct_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, validators=PERCENT, **kwargs
    )


class SohFields(models.Model):
    """Headline state of health, denormalised so that SOH and grade filters are one column.

    Sellers may declare it (`soh_source=self_declared`); diagnostics overwrites it from a
    certificate (`soh_source=certificate`) with the uncertainty band.
    """

    soh_pct = _pct_field(_("SOH %"), null=True, blank=True)
    soh_low_pct = _pct_field(_("SOH lower bound %"), null=True, blank=True)
    soh_high_pct = _pct_field(_("SOH upper bound %"), null=True, blank=True)
    soh_source = models.CharField(
        _("SOH source"), max_length=20, choices=SohSource.choices, blank=True
    )
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)

    class Meta:
        abstract = True


class BatteryPack(SohFields):
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="battery_packs")
    serial_number = models.CharField(_("serial number / pack ID"), max_length=100)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    chemistry = models.CharField(_("chemistry"), max_length=10, choices=Chemistry.choices)
    rated_capacity_kwh = models.DecimalField(
        _("rated capacity (kWh)"), max_digits=8, decimal_places=2, validators=NON_NEGATIVE
    )
    rated_capacity_ah = models.DecimalField(
        _("rated capacity (Ah)"),
        max_digits=8,
        decimal_places=1,
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
    )
    nominal_voltage_v = models.DecimalField(
        _("nominal voltage (V)"),
        max_digits=6,
        decimal_places=1,
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
    )
    mass_kg = models.DecimalField(
        _("mass (kg)"),
        max_digits=8,
        decimal_places=1,
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
    )
    module_count = models.PositiveIntegerField(_("module count"), null=True, blank=True)
    module_format = models.CharField(
        _("module format"), max_length=20, choices=ModuleFormat.choices, blank=True
    )
    manufactured_on = models.DateField(_("manufacture date"), null=True, blank=True)
    first_used_on = models.DateField(_("first-use date"), null=True, blank=True)
    carbon_footprint_kg_co2e = models.DecimalField(
        _("carbon footprint (kg CO2e)"),
        max_digits=10,
        decimal_places=1,
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("battery pack")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "serial_number"], name="pack_unique_serial_per_maker"
            ),
            models.CheckConstraint(
                condition=Q(rated_capacity_kwh__gte=0), name="pack_capacity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(soh_pct__isnull=True) | Q(soh_pct__gte=0, soh_pct__lte=100),
                name="pack_soh_pct_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.serial_number}"


class UsedVehicle(models.Model):
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vehicles")
    vin = models.CharField(_("VIN / chassis number"), max_length=17, unique=True)
    make = models.CharField(_("make"), max_length=60)
    model = models.CharField(_("model"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("model year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    odometer_km = models.PositiveIntegerField(_("odometer (km)"))
    battery_pack = models.OneToOneField(
        BatteryPack, on_delete=models.PROTECT, related_name="vehicle", verbose_name=_("battery")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("used EV")

    def __str__(self) -> str:
        return f"{self.year} {self.make} {self.model} ({self.vin})"


class ModuleLot(SohFields):
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="module_lots")
    lot_number = models.CharField(_("lot number"), max_length=60)
    module_type = models.CharField(_("module type"), max_length=120)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    module_count = models.PositiveIntegerField(_("module count"))
    capacity_kwh_per_module = models.DecimalField(
        _("capacity per module (kWh)"), max_digits=7, decimal_places=3, validators=NON_NEGATIVE
    )
    total_capacity_kwh = models.DecimalField(
        _("total capacity (kWh)"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    chemistry = models.CharField(_("chemistry"), max_length=10, choices=Chemistry.choices)
    condition = models.CharField(_("condition"), max_length=20, choices=ModuleCondition.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("module lot")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "lot_number"], name="module_lot_unique_number_per_owner"
            ),
            models.CheckConstraint(
                condition=Q(capacity_kwh_per_module__gte=0, total_capacity_kwh__gte=0),
                name="module_lot_capacity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_number}: {self.module_count} × {self.module_type}"


class BlackMassLot(models.Model):
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="black_mass_lots"
    )
    lot_number = models.CharField(_("lot number"), max_length=60)
    wet_weight_kg = models.DecimalField(
        _("wet weight (kg)"), max_digits=10, decimal_places=1, validators=NON_NEGATIVE
    )
    moisture_pct = _pct_field(_("moisture %"))
    ni_pct = _pct_field(_("Ni wt%"), null=True, blank=True)
    co_pct = _pct_field(_("Co wt%"), null=True, blank=True)
    mn_pct = _pct_field(_("Mn wt%"), null=True, blank=True)
    li_pct = _pct_field(_("Li wt%"), null=True, blank=True)
    cu_pct = _pct_field(_("Cu wt%"), null=True, blank=True)
    al_pct = _pct_field(_("Al wt%"), null=True, blank=True)
    fe_pct = _pct_field(_("Fe wt%"), null=True, blank=True)
    p_pct = _pct_field(_("P wt%"), null=True, blank=True)
    f_pct = _pct_field(_("F wt%"), null=True, blank=True)
    c_pct = _pct_field(_("C (graphite) wt%"), null=True, blank=True)
    source_chemistry = models.CharField(
        _("source chemistry"), max_length=10, choices=Chemistry.choices
    )
    form = models.CharField(_("form"), max_length=20, choices=BlackMassForm.choices)
    sampling_method = models.CharField(_("sampling method"), max_length=200, blank=True)
    sampled_on = models.DateField(_("sampling date"), null=True, blank=True)
    lab_name = models.CharField(_("laboratory"), max_length=200, blank=True)
    lab_report_number = models.CharField(_("lab report number"), max_length=100, blank=True)
    assayed_on = models.DateField(_("assay date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("black-mass lot")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "lot_number"], name="black_mass_lot_unique_number_per_owner"
            ),
            models.CheckConstraint(
                condition=Q(wet_weight_kg__gte=0), name="black_mass_lot_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(moisture_pct__gte=0, moisture_pct__lte=100),
                name="black_mass_lot_moisture_pct_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_number}: {self.wet_weight_kg} kg"

    @property
    def dry_weight_kg(self) -> Decimal:
        return (self.wet_weight_kg * (100 - self.moisture_pct) / 100).quantize(Decimal("0.1"))


class Listing(models.Model):
    seller = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="listings",
        verbose_name=_("seller"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    listing_type = models.CharField(
        _("listing type"), max_length=20, choices=ListingType.choices, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ListingStatus.choices,
        default=ListingStatus.DRAFT,
        db_index=True,
    )
    sale_format = models.CharField(
        _("sale format"),
        max_length=20,
        choices=SaleFormat.choices,
        default=SaleFormat.FIXED_PRICE,
    )
    price = models.DecimalField(
        _("price"),
        max_digits=16,
        decimal_places=2,
        validators=NON_NEGATIVE,
        null=True,
        blank=True,
        help_text=_("Fixed price, or the starting price of an auction or tender."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    country = CountryField(_("location country"))
    region = models.CharField(_("location region / prefecture"), max_length=100, blank=True)
    # Foreign keys, not one-to-one: a withdrawn item may be listed again (listing_relist),
    # keeping its identity and, for packs, its SOH certificates. The partial unique
    # constraints below allow one live listing per item at a time.
    vehicle = models.ForeignKey(
        UsedVehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="listings"
    )
    pack = models.ForeignKey(
        BatteryPack, null=True, blank=True, on_delete=models.PROTECT, related_name="listings"
    )
    module_lot = models.ForeignKey(
        ModuleLot, null=True, blank=True, on_delete=models.PROTECT, related_name="listings"
    )
    black_mass_lot = models.ForeignKey(
        BlackMassLot, null=True, blank=True, on_delete=models.PROTECT, related_name="listings"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Search columns: the headline figures of the listing's item (pack, also of an EV, module
    # lot or black mass) copied onto the listing by the catalog services
    # (`catalog.search.listing_search_values`), so that every browse filter and sort is one
    # indexed column of this table instead of COALESCE over three joined item tables.
    item_chemistry = models.CharField(max_length=10, blank=True, editable=False)
    item_soh_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    item_grade = models.CharField(max_length=2, blank=True, editable=False)
    item_soh_source = models.CharField(max_length=20, blank=True, editable=False)
    item_capacity_kwh = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    # Lower-case title, make, model, manufacturer, module type: the text search (`q`) reads
    # this one column (a pg_trgm GIN index on PostgreSQL, created in migration 0003).
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("listing")
        # Indexes for the filters buyers combine most and their sort orders. The orders that
        # put nulls last in a descending sort (publication date, capacity) are PostgreSQL
        # expression indexes in migration 0003: SQLite cannot declare NULLS LAST on an index.
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["listing_type", "price", "-id"], name="listing_type_price"),
            models.Index(
                fields=["listing_type", "item_chemistry", "item_soh_pct"],
                name="listing_type_chemistry_soh",
            ),
            # The default order (Meta.ordering), which a search without `ordering` gets: its
            # page is read in index order and stops after 25 matches instead of sorting them all.
            models.Index(fields=["-created_at", "-id"], name="listing_created"),
        ]
        constraints = [
            # Exactly the item that the listing type names, and nothing else.
            models.CheckConstraint(
                name="listing_item_matches_type",
                condition=(
                    Q(
                        listing_type=ListingType.USED_EV,
                        vehicle__isnull=False,
                        pack__isnull=False,
                        module_lot__isnull=True,
                        black_mass_lot__isnull=True,
                    )
                    | Q(
                        listing_type=ListingType.BATTERY_PACK,
                        vehicle__isnull=True,
                        pack__isnull=False,
                        module_lot__isnull=True,
                        black_mass_lot__isnull=True,
                    )
                    | Q(
                        listing_type=ListingType.MODULE_LOT,
                        vehicle__isnull=True,
                        pack__isnull=True,
                        module_lot__isnull=False,
                        black_mass_lot__isnull=True,
                    )
                    | Q(
                        listing_type=ListingType.BLACK_MASS,
                        vehicle__isnull=True,
                        pack__isnull=True,
                        module_lot__isnull=True,
                        black_mass_lot__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="listing_price_not_negative", condition=Q(price__gte=0) | Q(price__isnull=True)
            ),
            # One live listing per item (a used EV's pack is its pack, so this covers EVs).
            *(
                models.UniqueConstraint(
                    fields=[item],
                    condition=Q(**{f"{item}__isnull": False})
                    & ~Q(status__in=sorted(ENDED_STATUSES)),
                    name=f"listing_one_live_per_{item}",
                )
                for item in ("pack", "module_lot", "black_mass_lot")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def item(self) -> models.Model:
        return {
            ListingType.USED_EV: self.vehicle,
            ListingType.BATTERY_PACK: self.pack,
            ListingType.MODULE_LOT: self.module_lot,
            ListingType.BLACK_MASS: self.black_mass_lot,
        }[self.listing_type]

    @property
    def soh_holder(self) -> BatteryPack | ModuleLot | None:
        """The item that carries SOH and grade: the pack (also of an EV) or the module lot."""
        return self.module_lot if self.listing_type == ListingType.MODULE_LOT else self.pack


class ListingEvent(models.Model):
    """Audit trail of the listing workflow: who moved it, from where to where, and why."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ListingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ListingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.from_status or '-'} → {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language. The services write their own reasons as
        fixed English phrases (kept in the stored row and the API); a person's typed reason
        is shown as typed."""
        for pattern, label in _SYSTEM_REASONS:
            match = pattern.fullmatch(self.reason)
            if match:
                return label(match)
        return self.reason


def _sale_format_label(code: str) -> str:
    return str(dict(SaleFormat.choices).get(code, code))


def _end_reason_label(reason: str) -> str:
    return str(_SALE_END_REASONS.get(reason, reason))


_SALE_END_REASONS = {
    "no acceptable tender": _("no acceptable tender"),
    "fixed-price sale ended": _("fixed-price sale ended"),
    "no bids": _("no bids"),
    "reserve not met": _("reserve not met"),
}

_ORDER_ORIGINS = {
    "auction": _("auction won"),
    "tender": _("tender awarded"),
    "buy_now": _("bought now"),
    "offer": _("offer accepted"),
}

# The reasons catalog and trading services write (services.py, trading/services/sales.py).
_SYSTEM_REASONS = [
    (re.compile(r"created"), lambda m: str(_("Listing created"))),
    (
        re.compile(r"(?P<format>[a-z_]+) sale opened"),
        lambda m: _("%(format)s sale opened") % {"format": _sale_format_label(m["format"])},
    ),
    (re.compile(r"sale cancelled"), lambda m: str(_("Sale cancelled"))),
    (
        re.compile(r"sale (?P<sale>\d+) awarded \((?P<origin>[a-z_]+)\)"),
        lambda m: (
            _("Sale %(sale)s: %(origin)s")
            % {"sale": m["sale"], "origin": _ORDER_ORIGINS.get(m["origin"], m["origin"])}
        ),
    ),
    (
        re.compile(r"relisted from listing (?P<listing>\d+)"),
        lambda m: _("Listed again from listing %(listing)s") % {"listing": m["listing"]},
    ),
    (
        re.compile(r"sale (?P<sale>\d+): (?P<reason>.+)"),
        lambda m: (
            _("Sale %(sale)s: %(origin)s")
            % {"sale": m["sale"], "origin": _end_reason_label(m["reason"])}
        ),
    ),
]


def _attachment_path(instance: "ListingAttachment", filename: str) -> str:
    # Unguessable names: the file is only ever served through the permission-checking view.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"catalog/listings/{instance.listing_id}/{uuid.uuid4().hex}.{extension}"


class ListingAttachment(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at", "pk"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(
        _("filters"), max_length=1000, blank=True, help_text=_("The browse page's query string.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved search")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class WatchlistEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist"
    )
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="watchers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("watchlist entry")
        constraints = [
            models.UniqueConstraint(fields=["user", "listing"], name="watchlist_unique_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.listing_id}"
