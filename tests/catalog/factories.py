"""Catalog items and listings, owned by the organisation of the listing's seller."""

from decimal import Decimal

import factory
from django.utils import timezone

from marketplace.catalog.choices import (
    BlackMassForm,
    Chemistry,
    ListingStatus,
    ListingType,
    ModuleCondition,
    SaleFormat,
)
from marketplace.catalog.models import (
    BatteryPack,
    BlackMassLot,
    Listing,
    ListingEvent,
    ModuleLot,
    UsedVehicle,
)
from marketplace.catalog.search import listings_search_refresh
from tests.factories import OrganisationFactory, UserFactory


class BatteryPackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BatteryPack

    owner = factory.SubFactory(OrganisationFactory)
    serial_number = factory.Sequence(lambda n: f"AZE0-{n:06d}")
    manufacturer = "AESC"
    chemistry = Chemistry.NMC532
    rated_capacity_kwh = Decimal("40.00")
    rated_capacity_ah = Decimal("56.3")
    nominal_voltage_v = Decimal("350.0")
    mass_kg = Decimal("303.0")
    module_count = 24


class UsedVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsedVehicle

    owner = factory.SubFactory(OrganisationFactory)
    vin = factory.Sequence(lambda n: f"ZE1-{n:06d}")
    make = "Nissan"
    model = "Leaf"
    year = 2019
    odometer_km = 62000
    battery_pack = factory.SubFactory(BatteryPackFactory, owner=factory.SelfAttribute("..owner"))


class ModuleLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModuleLot

    owner = factory.SubFactory(OrganisationFactory)
    lot_number = factory.Sequence(lambda n: f"ML-{n:05d}")
    module_type = "Leaf AZE0 4-cell module"
    module_count = 48
    capacity_kwh_per_module = Decimal("0.500")
    total_capacity_kwh = Decimal("24.00")
    chemistry = Chemistry.LMO
    condition = ModuleCondition.USED_TESTED


class BlackMassLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlackMassLot

    owner = factory.SubFactory(OrganisationFactory)
    lot_number = factory.Sequence(lambda n: f"BM-{n:05d}")
    wet_weight_kg = Decimal("10000.0")
    moisture_pct = Decimal("4.00")
    ni_pct = Decimal("20.00")
    co_pct = Decimal("6.50")
    mn_pct = Decimal("6.00")
    li_pct = Decimal("3.80")
    source_chemistry = Chemistry.NMC622
    form = BlackMassForm.POWDER


class ListingFactory(factory.django.DjangoModelFactory):
    """A pack listing by default; pass listing_type and the matching item for others."""

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    seller = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..seller"))
    listing_type = ListingType.BATTERY_PACK
    title = factory.Sequence(lambda n: f"Listing {n}")
    status = ListingStatus.PUBLISHED
    sale_format = SaleFormat.FIXED_PRICE
    price = Decimal("300000")
    currency = "JPY"
    country = "JP"
    region = "Fukuoka"
    pack = factory.SubFactory(BatteryPackFactory, owner=factory.SelfAttribute("..seller"))
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        vehicle_listing = factory.Trait(
            listing_type=ListingType.USED_EV,
            vehicle=factory.SubFactory(UsedVehicleFactory, owner=factory.SelfAttribute("..seller")),
            pack=factory.SelfAttribute("vehicle.battery_pack"),
        )
        module_listing = factory.Trait(
            listing_type=ListingType.MODULE_LOT,
            pack=None,
            module_lot=factory.SubFactory(
                ModuleLotFactory, owner=factory.SelfAttribute("..seller")
            ),
        )
        black_mass_listing = factory.Trait(
            listing_type=ListingType.BLACK_MASS,
            pack=None,
            black_mass_lot=factory.SubFactory(
                BlackMassLotFactory, owner=factory.SelfAttribute("..seller")
            ),
        )

    @factory.post_generation
    def search_columns(self, create, extracted, **kwargs):
        if create:  # as the catalog services write them (catalog.search)
            listings_search_refresh([self])

    @factory.post_generation
    def with_event(self, create, extracted, **kwargs):
        if create:
            ListingEvent.objects.create(listing=self, to_status=self.status, reason="factory")
