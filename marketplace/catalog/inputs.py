"""Field-level validation of listing input, shared by the API and the bulk importer.

These serializers only check types, ranges and choices, and say which field is wrong;
rules across fields and rows are in services (price_errors, soh_errors, ...), which
`ListingInput.validate` calls so that a bad row is reported before anything is written.
"""

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.catalog import services
from marketplace.catalog.choices import Chemistry, ListingType, SaleFormat
from marketplace.catalog.models import BatteryPack, BlackMassLot, ModuleLot, UsedVehicle
from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer

# Japanese domestic-market cars carry a chassis number (車台番号, e.g. "ZE1-012345") rather
# than a 17-character VIN, so both shapes are accepted.
VIN_PATTERN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$|^[A-Z0-9]{2,8}-[0-9]{4,8}$")


class LooseChoiceField(serializers.ChoiceField):
    """Accepts "nmc811" as well as "NMC811": spreadsheets are typed by people."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            by_folded_case = {str(key).casefold(): key for key in self.choices}
            data = by_folded_case.get(data.strip().casefold(), data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": Chemistry.values})
class ChemistryField(LooseChoiceField):
    """One chemistry vocabulary, shown inline in the schema under every field name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Chemistry.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "description": "Chemistry code, one of: " + ", ".join(Chemistry.values)}
)
class SourceChemistryField(ChemistryField):
    """Same vocabulary; described rather than enumerated so the schema names one enum."""


class VehicleInput(StrictModelSerializer):
    class Meta:
        model = UsedVehicle
        fields = list(services.VEHICLE_FIELDS)
        # Uniqueness is checked by the service, which knows the listing being edited.
        extra_kwargs = {"vin": {"validators": []}}

    def validate_vin(self, value: str) -> str:
        value = value.strip().upper()
        if not VIN_PATTERN.match(value):
            raise serializers.ValidationError(
                _("Enter a 17-character VIN or a Japanese chassis number such as ZE1-012345.")
            )
        return value


class PackInput(StrictModelSerializer):
    chemistry = ChemistryField(label=_("chemistry"))

    class Meta:
        model = BatteryPack
        fields = list(services.PACK_FIELDS)
        validators: list = []


class ModuleLotInput(StrictModelSerializer):
    chemistry = ChemistryField(label=_("chemistry"))

    class Meta:
        model = ModuleLot
        fields = list(services.MODULE_LOT_FIELDS)
        validators: list = []


class BlackMassLotInput(StrictModelSerializer):
    source_chemistry = SourceChemistryField(label=_("source chemistry"))

    class Meta:
        model = BlackMassLot
        fields = list(services.BLACK_MASS_FIELDS)
        validators: list = []


class ListingUpdateInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False)
    sale_format = serializers.ChoiceField(choices=SaleFormat.choices, required=False)
    price = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    currency = serializers.CharField(max_length=3, required=False)
    country = CountryField()
    region = serializers.CharField(max_length=100, allow_blank=True, required=False)
    vehicle = VehicleInput(required=False)
    pack = PackInput(required=False)
    module_lot = ModuleLotInput(required=False)
    black_mass_lot = BlackMassLotInput(required=False)

    def validate_currency(self, value: str) -> str:
        value = value.strip().upper()
        if value not in settings.SUPPORTED_CURRENCIES:
            raise serializers.ValidationError(
                _("Choose one of: %(currencies)s.")
                % {"currencies": ", ".join(settings.SUPPORTED_CURRENCIES)}
            )
        return value

    def validate(self, data: dict) -> dict:
        errors: dict[str, list[str]] = {}
        if "price" in data or "currency" in data:
            currency = data.get("currency") or getattr(
                self.instance, "currency", settings.DEFAULT_CURRENCY
            )
            errors.update(services.price_errors(price=data.get("price"), currency=currency))
        for key in ("pack", "module_lot"):
            errors.update(
                {f"{key}.{k}": v for k, v in services.soh_errors(data.get(key, {})).items()}
            )
        module_errors = services.module_lot_errors(data.get("module_lot", {}))
        errors.update({f"module_lot.{k}": v for k, v in module_errors.items()})
        black_mass = services.black_mass_errors(data.get("black_mass_lot", {}))
        if black_mass:
            errors["black_mass_lot"] = black_mass["__all__"]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ListingInput(ListingUpdateInput):
    listing_type = serializers.ChoiceField(choices=ListingType.choices)
    sale_format = serializers.ChoiceField(
        choices=SaleFormat.choices, default=SaleFormat.FIXED_PRICE
    )

    def validate(self, data: dict) -> dict:
        data = super().validate(data)
        needed = services.ITEMS_BY_TYPE[data["listing_type"]]
        errors = {}
        for key in ("vehicle", "pack", "module_lot", "black_mass_lot"):
            if key in needed and key not in data:
                errors[key] = [
                    _("A %(type)s listing needs these details.")
                    % {"type": ListingType(data["listing_type"]).label}
                ]
            elif key not in needed and key in data:
                errors[key] = [_("Not used for this listing type; leave it out.")]
        if errors:
            raise serializers.ValidationError(errors)
        return data
