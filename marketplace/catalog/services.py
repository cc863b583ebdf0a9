"""Every write to the catalog: items, listings and their workflow, attachments, watchlists.

Item data arrive as dicts of field values already type-checked by a form or serializer;
the rules that span fields or rows (identity uniqueness, currency minor units, SOH band,
who may change what and when) live here, so both front doors and the importer share them.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import Organisation, User
from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog import uploads
from marketplace.catalog.choices import (
    ASSAY_ELEMENTS,
    EDITABLE_STATUSES,
    LISTING_TRANSITIONS,
    ListingStatus,
    ListingType,
    SaleFormat,
    SohSource,
)
from marketplace.catalog.models import (
    BatteryPack,
    BlackMassLot,
    Listing,
    ListingAttachment,
    ListingEvent,
    ModuleLot,
    SavedSearch,
    UsedVehicle,
    WatchlistEntry,
)
from marketplace.catalog.search import (
    listing_search_values,
    listings_of_item_search_refresh,
)
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    PermissionDeniedError,
)

LISTING_FIELDS = (
    "title",
    "description",
    "sale_format",
    "price",
    "currency",
    "country",
    "region",
)
SOH_FIELDS = ("soh_pct", "soh_low_pct", "soh_high_pct", "grade")
VEHICLE_FIELDS = ("vin", "make", "model", "year", "odometer_km")
PACK_FIELDS = (
    "serial_number",
    "manufacturer",
    "chemistry",
    "rated_capacity_kwh",
    "rated_capacity_ah",
    "nominal_voltage_v",
    "mass_kg",
    "module_count",
    "module_format",
    "manufactured_on",
    "first_used_on",
    "carbon_footprint_kg_co2e",
    *SOH_FIELDS,
)
MODULE_LOT_FIELDS = (
    "lot_number",
    "module_type",
    "manufacturer",
    "module_count",
    "capacity_kwh_per_module",
    "total_capacity_kwh",
    "chemistry",
    "condition",
    *SOH_FIELDS,
)
BLACK_MASS_FIELDS = (
    "lot_number",
    "wet_weight_kg",
    "moisture_pct",
    "ni_pct",
    "co_pct",
    "mn_pct",
    "li_pct",
    "cu_pct",
    "al_pct",
    "fe_pct",
    "p_pct",
    "f_pct",
    "c_pct",
    "source_chemistry",
    "form",
    "sampling_method",
    "sampled_on",
    "lab_name",
    "lab_report_number",
    "assayed_on",
)
ASSAY_FIELDS = tuple(f"{element}_pct" for element in ASSAY_ELEMENTS)

# Currencies without a minor unit (ISO 4217 exponent 0): a price in them is whole.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})

# Which nested item dicts each listing type needs, by argument name.
ITEMS_BY_TYPE: dict[str, tuple[str, ...]] = {
    ListingType.USED_EV: ("vehicle", "pack"),
    ListingType.BATTERY_PACK: ("pack",),
    ListingType.MODULE_LOT: ("module_lot",),
    ListingType.BLACK_MASS: ("black_mass_lot",),
}
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "vehicle": VEHICLE_FIELDS,
    "pack": PACK_FIELDS,
    "module_lot": MODULE_LOT_FIELDS,
    "black_mass_lot": BLACK_MASS_FIELDS,
}


# --- Rules shared by the front doors ----------------------------------------------------


def price_errors(*, price: Decimal | None, currency: str) -> dict[str, list[str]]:
    """Field errors for a price in a currency; empty when both are acceptable."""
    errors: dict[str, list[str]] = {}
    if currency not in settings.SUPPORTED_CURRENCIES:
        errors["currency"] = [
            _("Choose one of: %(currencies)s.")
            % {"currencies": ", ".join(settings.SUPPORTED_CURRENCIES)}
        ]
    if price is not None:
        if price < 0:
            errors["price"] = [_("A price cannot be negative.")]
        elif currency in ZERO_DECIMAL_CURRENCIES and price != price.to_integral_value():
            errors["price"] = [
                _("Prices in %(currency)s are whole numbers.") % {"currency": currency}
            ]
    return errors


def soh_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """The uncertainty band must contain the headline figure."""
    soh, low, high = (values.get(name) for name in ("soh_pct", "soh_low_pct", "soh_high_pct"))
    errors: dict[str, list[str]] = {}
    if (low is not None or high is not None) and soh is None:
        errors["soh_pct"] = [_("Give the headline SOH with its bounds.")]
    if soh is not None and low is not None and low > soh:
        errors["soh_low_pct"] = [_("The lower bound cannot exceed the SOH.")]
    if soh is not None and high is not None and high < soh:
        errors["soh_high_pct"] = [_("The upper bound cannot be below the SOH.")]
    return errors


def module_lot_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    count, per_module = values.get("module_count"), values.get("capacity_kwh_per_module")
    total = values.get("total_capacity_kwh")
    if count is None or per_module is None or total is None:
        return {}
    expected = (count * per_module).quantize(Decimal("0.01"))
    # Per-module figures are rounded on data sheets; allow 1 % either way.
    if abs(total - expected) > expected * Decimal("0.01"):
        return {
            "total_capacity_kwh": [
                _("Module count × capacity per module is %(expected)s kWh.")
                % {"expected": expected}
            ]
        }
    return {}


def black_mass_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    total = sum((values.get(name) or Decimal("0")) for name in ASSAY_FIELDS)
    if total > 100:
        return {
            "__all__": [_("The assay adds up to %(total)s %%, above 100 %%.") % {"total": total}]
        }
    return {}


def _prefixed(prefix: str, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        (prefix if name == "__all__" else f"{prefix}.{name}"): messages
        for name, messages in errors.items()
    }


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        first_field, messages = next(iter(errors.items()))
        raise DomainError(
            messages[0] if first_field == "__all__" else f"{first_field}: {messages[0]}",
            fields=errors,
        )


# --- Policies -------------------------------------------------------------------------


def ensure_seller(*, user: User, listing: Listing) -> Organisation:
    """Only a trading member of the seller organisation changes a listing."""
    organisation = ensure_can_trade(user=user)
    if listing.seller_id != organisation.pk:
        raise PermissionDeniedError(_("Only the seller organisation can change this listing."))
    return organisation


# --- Items ----------------------------------------------------------------------------


def _check_identity(*, item_key: str, values: dict[str, Any], owner: Organisation, exclude_pk):
    """Identity clashes as field errors, before the database says it less kindly."""
    errors: dict[str, list[str]] = {}
    if item_key == "vehicle" and "vin" in values:
        clash = UsedVehicle.objects.filter(vin=values["vin"]).exclude(pk=exclude_pk)
        if clash.exists():
            errors["vehicle.vin"] = [_("A vehicle with this VIN is already listed.")]
    elif item_key == "pack" and "serial_number" in values:
        clash = BatteryPack.objects.filter(
            serial_number=values["serial_number"], manufacturer=values.get("manufacturer", "")
        ).exclude(pk=exclude_pk)
        if clash.exists():
            errors["pack.serial_number"] = [
                _("A pack with this serial number from this manufacturer already exists.")
            ]
    elif item_key in ("module_lot", "black_mass_lot") and "lot_number" in values:
        model = ModuleLot if item_key == "module_lot" else BlackMassLot
        clash = model.objects.filter(owner=owner, lot_number=values["lot_number"])
        if clash.exclude(pk=exclude_pk).exists():
            errors[f"{item_key}.lot_number"] = [_("Your organisation already has this lot number.")]
    return errors


def _item_errors(item_key: str, values: dict[str, Any]) -> dict[str, list[str]]:
    unknown = set(values) - set(ITEM_FIELDS[item_key])
    if unknown:
        return {f"{item_key}.{name}": [_("Unknown field.")] for name in sorted(unknown)}
    errors = {}
    if item_key in ("pack", "module_lot"):
        errors.update(soh_errors(values))
    if item_key == "module_lot":
        errors.update(module_lot_errors(values))
    if item_key == "black_mass_lot":
        errors.update(black_mass_errors(values))
    return _prefixed(item_key, errors)


def _with_soh_source(values: dict[str, Any]) -> dict[str, Any]:
    """A SOH typed in by the seller is marked as theirs; only diagnostics certifies."""
    if any(values.get(name) not in (None, "") for name in SOH_FIELDS):
        return {**values, "soh_source": SohSource.SELF_DECLARED}
    return values


# --- Listings -------------------------------------------------------------------------


def _set_search_values(listing: Listing) -> None:
    for name, value in listing_search_values(listing).items():
        setattr(listing, name, value)


def listing_create(
    *,
    actor: User,
    listing_type: str,
    title: str,
    country: str,
    sale_format: str = SaleFormat.FIXED_PRICE,
    price: Decimal | None = None,
    currency: str | None = None,
    region: str = "",
    description: str = "",
    vehicle: dict[str, Any] | None = None,
    pack: dict[str, Any] | None = None,
    module_lot: dict[str, Any] | None = None,
    black_mass_lot: dict[str, Any] | None = None,
) -> Listing:
    """Create a draft listing and its item(s), owned by the actor's organisation."""
    organisation = ensure_can_trade(user=actor)
    currency = currency or settings.DEFAULT_CURRENCY
    if listing_type not in ListingType.values:
        _raise_if({"listing_type": [_("Choose a valid listing type.")]})
    items = {
        "vehicle": vehicle,
        "pack": pack,
        "module_lot": module_lot,
        "black_mass_lot": black_mass_lot,
    }
    needed = ITEMS_BY_TYPE[listing_type]
    errors = price_errors(price=price, currency=currency)
    for key, values in items.items():
        if key in needed and not values:
            errors[key] = [_("This listing type needs these details.")]
        elif key not in needed and values:
            errors[key] = [_("Not used for this listing type; leave it out.")]
        elif values:
            errors.update(_item_errors(key, values))
            errors.update(
                _check_identity(item_key=key, values=values, owner=organisation, exclude_pk=None)
            )
    _raise_if(errors)

    try:
        with transaction.atomic():
            created: dict[str, models.Model] = {}
            if pack:
                created["pack"] = BatteryPack.objects.create(
                    owner=organisation, **_with_soh_source(pack)
                )
            if vehicle:
                created["vehicle"] = UsedVehicle.objects.create(
                    owner=organisation, battery_pack=created["pack"], **vehicle
                )
            if module_lot:
                created["module_lot"] = ModuleLot.objects.create(
                    owner=organisation, **_with_soh_source(module_lot)
                )
            if black_mass_lot:
                created["black_mass_lot"] = BlackMassLot.objects.create(
                    owner=organisation, **black_mass_lot
                )
            listing = Listing(
                seller=organisation,
                created_by=actor,
                listing_type=listing_type,
                title=title,
                description=description,
                sale_format=sale_format,
                price=price,
                currency=currency,
                country=country,
                region=region,
                **created,
            )
            _set_search_values(listing)
            listing.save(force_insert=True)
            ListingEvent.objects.create(
                listing=listing, to_status=ListingStatus.DRAFT, actor=actor, reason="created"
            )
    except IntegrityError:
        # Another request registered the same VIN, serial or lot number a moment ago.
        raise ConflictError(
            _("This vehicle, pack or lot was just registered by someone else.")
        ) from None
    return listing


def listing_update(
    *,
    listing: Listing,
    actor: User,
    vehicle: dict[str, Any] | None = None,
    pack: dict[str, Any] | None = None,
    module_lot: dict[str, Any] | None = None,
    black_mass_lot: dict[str, Any] | None = None,
    **changes: Any,
) -> Listing:
    """Change a draft or published listing and its item; only the given fields change."""
    organisation = ensure_seller(user=actor, listing=listing)
    unknown = set(changes) - set(LISTING_FIELDS)
    if unknown:
        _raise_if({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    item_changes = {
        key: values
        for key, values in {
            "vehicle": vehicle,
            "pack": pack,
            "module_lot": module_lot,
            "black_mass_lot": black_mass_lot,
        }.items()
        if values
    }
    with transaction.atomic():
        # A sale may start while the seller edits; the lock makes one of them wait.
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        if current.status not in EDITABLE_STATUSES:
            raise InvalidTransition(
                _("A listing that is %(status)s can no longer be edited.")
                % {"status": ListingStatus(current.status).label}
            )
        errors = price_errors(
            price=changes.get("price", current.price),
            currency=changes.get("currency", current.currency),
        )
        for key, values in item_changes.items():
            if key not in ITEMS_BY_TYPE[current.listing_type]:
                errors[key] = [_("Not used for this listing type; leave it out.")]
                continue
            item = getattr(current, key)
            if getattr(item, "soh_source", "") == SohSource.CERTIFICATE and any(
                name in values for name in SOH_FIELDS
            ):
                errors[f"{key}.soh_pct"] = [_("SOH from a certificate cannot be edited.")]
                continue
            merged = {name: getattr(item, name) for name in ITEM_FIELDS[key]} | values
            errors.update(_item_errors(key, values))
            if not errors:
                errors.update(_item_errors(key, merged))
            errors.update(
                _check_identity(item_key=key, values=merged, owner=organisation, exclude_pk=item.pk)
            )
        _raise_if(errors)
        if current.status == ListingStatus.PUBLISHED:
            if changes.get("sale_format") not in (None, current.sale_format):
                _raise_if({"sale_format": [_("Withdraw and relist to change the sale format.")]})
            price_cleared = "price" in changes and changes["price"] is None
            if price_cleared and current.sale_format == SaleFormat.FIXED_PRICE:
                _raise_if({"price": [_("A published fixed-price listing needs a price.")]})
        try:
            for key, values in item_changes.items():
                item = getattr(current, key)
                for name, value in _with_soh_source(values).items():
                    setattr(item, name, value)
                item.save()
            for name, value in changes.items():
                setattr(current, name, value)
            _set_search_values(current)
            current.save()
            for key in item_changes:  # an item also listed before (withdrawn, relisted)
                listings_of_item_search_refresh(getattr(current, key))
        except IntegrityError:
            raise ConflictError(
                _("This vehicle, pack or lot was just registered by someone else.")
            ) from None
    return current


def _transition(
    *, listing: Listing, to_status: str, actor: User | None, reason: str = "", **updates: Any
) -> Listing:
    """Move a listing along LISTING_TRANSITIONS and append the event row.

    The conditional update means two requests moving the same listing cannot both win:
    the second sees zero rows updated and gets InvalidTransition.
    """
    with transaction.atomic():
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        from_status = current.status
        if to_status not in LISTING_TRANSITIONS[from_status]:
            raise InvalidTransition(
                _("A listing that is %(current)s cannot become %(target)s.")
                % {
                    "current": ListingStatus(from_status).label,
                    "target": ListingStatus(to_status).label,
                }
            )
        now = timezone.now()
        moved = Listing.objects.filter(pk=current.pk, status=from_status).update(
            status=to_status, updated_at=now, **updates
        )
        if moved != 1:
            raise InvalidTransition()
        ListingEvent.objects.create(
            listing=current,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=reason,
        )
    for name, value in {**current.__dict__, "status": to_status, "updated_at": now}.items():
        if not name.startswith("_"):
            setattr(listing, name, value)
    for name, value in updates.items():
        setattr(listing, name, value)
    return listing


def listing_publish(*, listing: Listing, actor: User) -> Listing:
    ensure_seller(user=actor, listing=listing)
    if listing.sale_format == SaleFormat.FIXED_PRICE and listing.price is None:
        message = _("Set a price before publishing a fixed-price listing.")
        raise DomainError(message, fields={"price": [message]})
    return _transition(
        listing=listing,
        to_status=ListingStatus.PUBLISHED,
        actor=actor,
        published_at=listing.published_at or timezone.now(),
    )


def listing_withdraw(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    ensure_seller(user=actor, listing=listing)
    return _transition(
        listing=listing, to_status=ListingStatus.WITHDRAWN, actor=actor, reason=reason
    )


def listing_relist(*, listing: Listing, actor: User) -> Listing:
    """A new draft offering the item of a withdrawn listing again, with the same terms.

    The item keeps its identity (and a pack its SOH history); the old listing stays
    withdrawn as the record of the first attempt.
    """
    ensure_seller(user=actor, listing=listing)
    if listing.status != ListingStatus.WITHDRAWN:
        raise InvalidTransition(_("Only a withdrawn listing can be listed again."))
    try:
        with transaction.atomic():
            relisted = Listing.objects.create(
                seller=listing.seller,
                created_by=actor,
                listing_type=listing.listing_type,
                vehicle=listing.vehicle,
                pack=listing.pack,
                module_lot=listing.module_lot,
                black_mass_lot=listing.black_mass_lot,
                **{name: getattr(listing, name) for name in LISTING_FIELDS},
                **listing_search_values(listing),
            )
            ListingEvent.objects.create(
                listing=relisted,
                to_status=ListingStatus.DRAFT,
                actor=actor,
                reason=f"relisted from listing {listing.pk}",
            )
    except IntegrityError:
        # The partial unique constraint: the item already has a live listing.
        raise ConflictError(_("This item is already listed again.")) from None
    return relisted


# The trading app drives these; it checks who may start or settle a sale.


def listing_start_sale(*, listing: Listing, actor: User | None, reason: str = "") -> Listing:
    return _transition(listing=listing, to_status=ListingStatus.IN_SALE, actor=actor, reason=reason)


def listing_end_sale_unsold(*, listing: Listing, actor: User | None, reason: str = "") -> Listing:
    return _transition(
        listing=listing, to_status=ListingStatus.PUBLISHED, actor=actor, reason=reason
    )


def listing_mark_sold(*, listing: Listing, actor: User | None, reason: str = "") -> Listing:
    return _transition(listing=listing, to_status=ListingStatus.SOLD, actor=actor, reason=reason)


def listing_close(*, listing: Listing, actor: User | None, reason: str = "") -> Listing:
    return _transition(listing=listing, to_status=ListingStatus.CLOSED, actor=actor, reason=reason)


# --- SOH written by diagnostics -------------------------------------------------------


def item_record_certified_soh(
    *,
    item: BatteryPack | ModuleLot,
    soh_pct: Decimal | None,
    soh_low_pct: Decimal | None,
    soh_high_pct: Decimal | None,
    grade: str,
) -> BatteryPack | ModuleLot:
    """Diagnostics' entry point: a certificate's figures replace whatever the seller declared.

    `soh_pct=None` means no valid certificate is left (the last one was revoked): the item
    then has no SOH at all, rather than a figure still labelled as certified.
    """
    values = {"soh_pct": soh_pct, "soh_low_pct": soh_low_pct, "soh_high_pct": soh_high_pct}
    _raise_if(soh_errors(values))
    source = SohSource.CERTIFICATE if soh_pct is not None else ""
    type(item).objects.filter(pk=item.pk).update(
        **values, grade=grade, soh_source=source, updated_at=timezone.now()
    )
    item.refresh_from_db()
    listings_of_item_search_refresh(item)
    return item


# --- Attachments ----------------------------------------------------------------------


def attachment_add(
    *, listing: Listing, actor: User, kind: str, upload: UploadedFile
) -> ListingAttachment:
    ensure_seller(user=actor, listing=listing)
    if listing.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Files can only be added while the listing can be edited."))
    content_type = uploads.check_upload(kind=kind, upload=upload)
    return ListingAttachment.objects.create(
        listing=listing,
        kind=kind,
        file=upload,
        original_name=upload.name[:255],
        content_type=content_type,
        size_bytes=upload.size,
        uploaded_by=actor,
    )


def attachment_remove(*, attachment: ListingAttachment, actor: User) -> None:
    ensure_seller(user=actor, listing=attachment.listing)
    if attachment.listing.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("Files can only be removed while the listing can be edited."))
    # Delete the file only once the row is gone for good.
    file_name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(file_name))


# --- Watchlist and saved searches -----------------------------------------------------


def watchlist_add(*, user: User, listing: Listing) -> WatchlistEntry:
    """Idempotent: watching a listing twice keeps one entry."""
    entry, _created = WatchlistEntry.objects.get_or_create(user=user, listing=listing)
    return entry


def watchlist_remove(*, user: User, listing: Listing) -> None:
    WatchlistEntry.objects.filter(user=user, listing=listing).delete()


def saved_search_create(*, user: User, name: str, query: str = "") -> SavedSearch:
    name = name.strip()
    if not name:
        message = _("Name the search so you can find it again.")
        raise DomainError(message, fields={"name": [message]})
    query = query.lstrip("?")
    if len(query) > 1000:
        message = _("This search has too many filters to save.")
        raise DomainError(message, fields={"query": [message]})
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(user=user, name=name, query=query)
    except IntegrityError:
        message = _("You already have a saved search with this name.")
        raise ConflictError(message, fields={"name": [message]}) from None


def saved_search_delete(*, saved_search: SavedSearch, actor: User) -> None:
    if saved_search.user_id != actor.pk:
        raise PermissionDeniedError(_("You can only delete your own saved searches."))
    saved_search.delete()
