"""Battery passports: export a pack as Battery Pass JSON, read one back into a listing.

The mapping between our fields and the Battery Pass attribute paths is data
(data/passport_mapping.yaml); this module walks it in both directions, so a new mapped
attribute is one YAML entry plus, for a computed one, one getter below.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.selectors import certificate_history
from marketplace.accounts.models import User
from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog import services as catalog_services
from marketplace.catalog.choices import AttachmentKind, ListingType, SohSource
from marketplace.catalog.inputs import PackInput
from marketplace.catalog.models import BatteryPack, Listing, ListingAttachment
from marketplace.circularity import metrics, reference
from marketplace.circularity.models import PassportRecord
from marketplace.circularity.reference import ACCESS_LEVELS, PUBLIC, Attribute
from marketplace.core.exceptions import DomainError

BATTERY_CATEGORIES = ("lmt", "ev", "industrial", "stationary")
EXPORTED_CATEGORY = "ev"
PREFILL_LISTING_TYPE = ListingType.BATTERY_PACK


class PassportInvalid(DomainError):
    code = "invalid_passport"

    def __init__(self, fields: dict[str, list[str]]) -> None:
        path, messages = next(iter(fields.items()))
        message = messages[0] if path == "__all__" else f"{path}: {messages[0]}"
        super().__init__(message, fields=fields)


# --- Records --------------------------------------------------------------------------


def passport_record_ensure(*, pack: BatteryPack) -> PassportRecord:
    """The pack's passport record, created on first use; safe to call concurrently."""
    record = PassportRecord.objects.filter(pack=pack).first()
    if record is not None:
        return record
    try:
        with transaction.atomic():
            return PassportRecord.objects.create(pack=pack)
    except IntegrityError:
        # Two first views of the same pack at once: the other request created it.
        return PassportRecord.objects.get(pack=pack)


# --- Export ---------------------------------------------------------------------------


def _number(value: Decimal) -> int | float:
    """A JSON number: 40 for 40.00, 56.3 for 56.30 (the model's xsd:float)."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _date_time(value: datetime.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = document
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


class _Exporter:
    """Getters for the computed attributes of one pack's passport."""

    def __init__(self, *, pack: BatteryPack, record: PassportRecord, url_prefix: str) -> None:
        self.pack = pack
        self.record = record
        self.url_prefix = url_prefix

    def value(self, attribute: Attribute) -> Any:
        if attribute.computed:
            getter: Callable[[], Any] = getattr(self, attribute.computed)
            return getter()
        value = getattr(self.pack, attribute.field)
        if value in (None, ""):
            return None
        if isinstance(value, Decimal):
            return _number(value)
        if isinstance(value, datetime.date):
            return _date_time(value)
        return value

    def passport_identifier(self) -> str:
        return self.record.urn

    def battery_category(self) -> str:
        return EXPORTED_CATEGORY

    def chemistry_clear_name(self) -> str | None:
        chemistry = reference.mapping().chemistries.get(self.pack.chemistry)
        return chemistry.clear_name if chemistry else None

    def estimated_materials(self) -> dict[str, Any] | None:
        kilograms = metrics.contained_metals_kg(self.pack.chemistry, self.pack.rated_capacity_kwh)
        materials = reference.mapping().materials
        data = reference.reference()
        entries = [
            {
                "batteryMaterialName": materials[symbol].name,
                "batteryMaterialIdentifier": materials[symbol].cas,
                "batteryMaterialMass": _number(kg * 1000),
                "isCriticalRawMaterial": materials[symbol].critical_raw_material,
            }
            for symbol, kg in kilograms.items()
            if kg > 0
        ]
        if not entries:
            return None
        per_kwh = data.metal_content_kg_per_kwh[self.pack.chemistry]
        source_keys = sorted({per_kwh[symbol].source for symbol in kilograms})
        return {
            "isEstimate": True,
            "basis": (
                f"{self.pack.chemistry} × {_number(self.pack.rated_capacity_kwh)} kWh × "
                "kg per kWh of the reference design; not an assay"
            ),
            "unit": "g",
            "referenceVersion": data.version,
            "sources": [
                {"title": data.sources[key]["title"], "url": data.sources[key].get("url")}
                for key in source_keys
            ],
            "batteryMaterials": entries,
        }

    def safety_instructions(self) -> str | None:
        sheet = (
            ListingAttachment.objects.filter(listing__pack=self.pack, kind=AttachmentKind.SDS)
            .order_by("-created_at", "-pk")
            .first()
        )
        if sheet is None:
            return None
        return self.url_prefix + reverse("catalog:attachment-download", args=[sheet.pk])

    def soh_certificates(self) -> list[dict[str, Any]] | None:
        certificates = [
            {
                "certificateId": str(certificate.uuid),
                "provider": certificate.provider.legal_name,
                "testedOn": certificate.tested_on.isoformat(),
                "method": certificate.method_code,
                "measurand": certificate.measurand,
                "sohPct": _number(certificate.soh_pct),
                "sohLowPct": _number(certificate.soh_low_pct),
                "sohHighPct": _number(certificate.soh_high_pct),
                "status": certificate.status,
            }
            for certificate in certificate_history(self.pack)
        ]
        return certificates or None

    def last_update(self) -> str:
        """When the headline SOH was last established: the newest valid test, else the edit."""
        if self.pack.soh_source == SohSource.CERTIFICATE:
            tested = [c.tested_on for c in certificate_history(self.pack) if c.is_valid]
            if tested:
                return _date_time(max(tested))
        return _timestamp(self.pack.updated_at)


def passport_export(*, pack: BatteryPack, audience: str, url_prefix: str = "") -> dict[str, Any]:
    """The pack's passport as Battery Pass JSON for an audience (public or legitimate_interest).

    The public passport leaves out every attribute the mapping marks legitimate_interest
    (SOH/SOCE, its band and grade, certificates, date into service, safety documents).
    Attributes without a value are left out, never guessed. `url_prefix` ("https://host")
    makes document links absolute.
    """
    if audience not in ACCESS_LEVELS:
        raise ValueError(f"Unknown audience {audience!r}")
    mapping = reference.mapping()
    record = passport_record_ensure(pack=pack)
    exporter = _Exporter(pack=pack, record=record, url_prefix=url_prefix)
    document: dict[str, Any] = {
        "schemaVersion": mapping.schema_version,
        "mappingVersion": mapping.version,
        "dataModel": (
            f"{mapping.data_model['name']} {mapping.data_model['version']} "
            f"({mapping.data_model['standard']})"
        ),
        "passportId": str(record.passport_id),
        "generatedAt": _timestamp(timezone.now()),
        "audience": audience,
        **{group: {} for group in mapping.groups},
    }
    for attribute in mapping.attributes:
        if audience == PUBLIC and not attribute.is_public:
            continue
        value = exporter.value(attribute)
        if value is None:
            continue
        _set(document, attribute.path, value)
        if attribute.dynamic:
            parent = attribute.path.rsplit(".", 1)[0]
            _set(document, f"{parent}.lastUpdate", exporter.last_update())
    return document


# --- Import ---------------------------------------------------------------------------

_MISSING = object()


def _lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _places(field: str) -> int:
    return BatteryPack._meta.get_field(field).decimal_places


def _to_decimal(raw: Any) -> Decimal | None:
    """A finite Decimal from a JSON number or numeric text; None for anything else."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    # NaN and Infinity parse (Python's json reads them too) but are not quantities.
    return value if value.is_finite() else None


def _quantity(attribute: Attribute, raw: Any) -> Decimal:
    """A number in the attribute's unit, or {"value", "unit"} in an accepted unit.

    Raises ValueError with the message for the field.
    """
    units = dict(attribute.accepted_units)
    names = ", ".join(units)
    if isinstance(raw, dict):
        unit = raw.get("unit")
        value = _to_decimal(raw.get("value"))
        if unit not in units:
            raise ValueError(
                _('Unit "%(unit)s" is not accepted here; use one of: %(units)s.')
                % {"unit": unit, "units": names}
            )
        if value is None:
            raise ValueError(_("Enter a number as the value."))
        value = value * units[unit]
    else:
        value = _to_decimal(raw)
        if value is None:
            raise ValueError(
                _('Enter a number in %(unit)s, or {"value": …, "unit": …} in one of: %(units)s.')
                % {"unit": attribute.unit, "units": names}
            )
        ceiling = attribute.plain_number_max
        if ceiling is not None and value > ceiling:
            raise ValueError(
                _(
                    "%(value)s %(unit)s is not plausible for a battery pack; it looks like "
                    '%(hint)s. Send %(unit)s, or {"value": %(value)s, "unit": "%(hint)s"}.'
                )
                % {"value": value, "unit": attribute.unit, "hint": attribute.plain_number_hint}
            )
    try:
        return value.quantize(Decimal(1).scaleb(-_places(attribute.field)), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        # More digits than Decimal's context holds (1e999): far beyond any field anyway.
        raise ValueError(_("Enter a smaller number.")) from None


def _date(raw: Any) -> datetime.date:
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if len(text) == 10:
                return datetime.date.fromisoformat(text)
            # The calendar date as written, in the offset it was written in.
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise ValueError(_("Enter an ISO 8601 date or date-time, e.g. 2019-04-01T00:00:00Z."))


def chemistry_code(short_name: Any, clear_name: Any = None) -> str:
    """Our chemistry code for a Battery Pass shortName (or clearName); ValueError if none."""
    mapping = reference.mapping()
    names = [name for name in (short_name, clear_name) if isinstance(name, str) and name.strip()]
    if not names:
        raise ValueError(_("This attribute is required."))
    for name in names:
        folded = reference.fold_name(name)
        for chemistry in mapping.chemistries.values():
            candidates = (chemistry.code, chemistry.clear_name, *chemistry.aliases)
            if folded in {reference.fold_name(candidate) for candidate in candidates}:
                return chemistry.code
    ambiguous = {reference.fold_name(name) for name in mapping.ambiguous_chemistries}
    if any(reference.fold_name(name) in ambiguous for name in names):
        raise ValueError(_("NMC without its ratio: give one of NMC111, NMC532, NMC622 or NMC811."))
    raise ValueError(
        _('Unknown chemistry "%(name)s"; use one of: %(codes)s.')
        % {"name": names[0], "codes": ", ".join(mapping.chemistries)}
    )


def _read(attribute: Attribute, data: dict[str, Any]) -> Any:
    raw = _lookup(data, attribute.path)
    if attribute.type == "chemistry":
        clear_path = attribute.path.rsplit(".", 1)[0] + ".clearName"
        clear = _lookup(data, clear_path)
        short = None if raw is _MISSING else raw
        if short is None and clear is _MISSING:
            return _MISSING
        return chemistry_code(short, None if clear is _MISSING else clear)
    if raw is _MISSING or raw is None:
        return _MISSING
    if attribute.type == "decimal":
        return _quantity(attribute, raw)
    if attribute.type == "date":
        return _date(raw)
    if attribute.type == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != int(raw):
            raise ValueError(_("Enter a whole number."))
        return int(raw)
    if not isinstance(raw, str | int):
        raise ValueError(_("Enter text."))
    return str(raw).strip()


def _category(data: dict[str, Any], attribute: Attribute) -> None:
    raw = _lookup(data, attribute.path)
    if raw is _MISSING or raw in (None, ""):
        raise ValueError(_("This attribute is required."))
    if not isinstance(raw, str) or raw.strip().casefold() not in BATTERY_CATEGORIES:
        raise ValueError(
            _('"%(value)s" is not a Battery Pass battery category; use one of: %(categories)s.')
            % {"value": raw, "categories": ", ".join(BATTERY_CATEGORIES)}
        )


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _paths_for_fields(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Catalog field errors ("rated_capacity_kwh", "pack.serial_number") keyed by path."""
    by_field = reference.mapping().by_field()
    keyed: dict[str, list[str]] = {}
    for name, detail in errors.items():
        field = name.removeprefix("pack.")
        path = by_field[field].path if field in by_field else name
        keyed.setdefault(path, []).extend(_flatten(detail))
    return keyed


def passport_import(*, data: Any, actor: User) -> dict[str, Any]:
    """Validate a Battery Pass JSON and return the listing-create input it pre-fills.

    The result has the shape of catalog.services.listing_create's keyword arguments:
    {"listing_type", "title", "country", "pack": {...}}. Errors are keyed by the Battery
    Pass attribute path ("performanceAndDurability.batteryTechicalProperties.ratedEnergy");
    attributes the platform does not map are ignored. Raises PassportInvalid.
    """
    if not isinstance(data, dict):
        raise PassportInvalid({"__all__": [_("Expected a JSON object: one battery passport.")]})
    errors: dict[str, list[str]] = {}
    pack: dict[str, Any] = {}
    for attribute in reference.mapping().attributes:
        if not attribute.imported:
            continue
        try:
            if attribute.field_on_import == "listing_type":
                _category(data, attribute)
                continue
            value = _read(attribute, data)
        except ValueError as error:
            errors[attribute.path] = [str(error)]
            continue
        if value is not _MISSING:
            pack[attribute.field] = value
    body = PackInput(data=pack)
    if not body.is_valid():
        for path, messages in _paths_for_fields(body.errors).items():
            errors.setdefault(path, messages)
    else:
        pack = dict(body.validated_data)
        for path, messages in _paths_for_fields(catalog_services.soh_errors(pack)).items():
            errors.setdefault(path, messages)
    if errors:
        raise PassportInvalid(errors)
    organisation = actor.organisation if actor.is_authenticated else None
    return {
        "listing_type": PREFILL_LISTING_TYPE,
        "title": _("%(manufacturer)s %(chemistry)s %(kwh)s kWh battery pack")
        % {
            "manufacturer": pack["manufacturer"],
            "chemistry": pack["chemistry"],
            "kwh": _number(pack["rated_capacity_kwh"]),
        },
        "country": organisation.country.code if organisation else "JP",
        "pack": pack,
    }


def passport_listing_create(*, data: Any, actor: User) -> Listing:
    """A draft pack listing from a passport, through the catalog's own create service.

    Only a trading member of a verified organisation may do this; the gate is checked
    before the passport is read, so a refused request learns nothing and creates nothing.
    """
    ensure_can_trade(user=actor)
    prefill = passport_import(data=data, actor=actor)
    try:
        return catalog_services.listing_create(actor=actor, **prefill)
    except DomainError as error:
        if error.status != 400 or not error.fields:
            raise
        raise PassportInvalid(_paths_for_fields(error.fields)) from error
