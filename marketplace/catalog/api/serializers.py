"""What the API shows of listings; input validation lives in catalog.inputs."""

import functools
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from marketplace.catalog.choices import AttachmentKind
from marketplace.catalog.inputs import (
    ChemistryField,
    ListingInput,
    ListingUpdateInput,
    SourceChemistryField,
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
from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer

__all__ = ["ListingInput", "ListingUpdateInput"]


class PackSerializer(StrictModelSerializer):
    chemistry = ChemistryField(read_only=True)

    class Meta:
        model = BatteryPack
        exclude = ["owner", "created_at", "updated_at"]


class VehicleSerializer(StrictModelSerializer):
    class Meta:
        model = UsedVehicle
        fields = ["id", "vin", "make", "model", "year", "odometer_km"]


class ModuleLotSerializer(StrictModelSerializer):
    chemistry = ChemistryField(read_only=True)

    class Meta:
        model = ModuleLot
        exclude = ["owner", "created_at", "updated_at"]


class BlackMassLotSerializer(StrictModelSerializer):
    dry_weight_kg = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True)
    source_chemistry = SourceChemistryField(read_only=True)

    class Meta:
        model = BlackMassLot
        exclude = ["owner", "created_at", "updated_at"]


class SellerSerializer(StrictSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")
    country = serializers.CharField()
    region = serializers.CharField()


class ListingSerializer(StrictModelSerializer):
    seller = SellerSerializer(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    vehicle = VehicleSerializer(read_only=True)
    pack = PackSerializer(read_only=True)
    module_lot = ModuleLotSerializer(read_only=True)
    black_mass_lot = BlackMassLotSerializer(read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "listing_type",
            "title",
            "description",
            "status",
            "sale_format",
            "price",
            "currency",
            "country",
            "region",
            "seller",
            "vehicle",
            "pack",
            "module_lot",
            "black_mass_lot",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Rows of a listing search (25 listings × ~100 fields) are written by a plan compiled once per
# process from ListingSerializer: DRF's generic loop asks each field to find its attribute
# (source path walk, callable check, exception handling) and spent more time doing so than
# producing the values. A column of the model is read straight off the instance; every
# other field (dotted sources, properties, method fields) still goes through DRF's own
# lookup, and every value through the field's own to_representation, so the output is
# exactly ListingSerializer's (tests/catalog/test_api_listings.py compares the two).


class _Step(NamedTuple):
    name: str
    column: str | None  # set when the field reads one column or relation of the model
    field: serializers.Field
    represent: Callable[[Any], Any]


def _column_of(model: type[models.Model], field: serializers.Field) -> models.Field | None:
    """The model field to read directly: the serializer field's source is a column of
    ``model`` (never callable) or, for a nested serializer, a forward relation (loaded with
    the row). Otherwise None: DRF's own lookup (related keys as PKOnlyObject, properties)."""
    if len(field.source_attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not model_field.concrete:
        return None
    if model_field.is_relation and not (
        model_field.many_to_one and isinstance(field, serializers.Serializer)
    ):
        return None
    return model_field


def _compile_rows(
    serializer: serializers.Serializer, model: type[models.Model]
) -> Callable[[Any], dict]:
    steps = []
    for field in serializer._readable_fields:
        model_field = _column_of(model, field)
        if model_field is not None and model_field.is_relation:
            represent = _compile_rows(field, model_field.related_model)
        else:
            represent = field.to_representation
        column = model_field.name if model_field is not None else None
        steps.append(_Step(field.field_name, column, field, represent))

    def to_representation(instance: Any) -> dict:
        row = {}
        for step in steps:
            if step.column is not None:
                try:
                    value = getattr(instance, step.column)
                except ObjectDoesNotExist:  # as DRF: a missing related object is null
                    value = None
                row[step.name] = None if value is None else step.represent(value)
                continue
            try:
                value = step.field.get_attribute(instance)
            except SkipField:
                continue
            present = value.pk if isinstance(value, PKOnlyObject) else value
            row[step.name] = None if present is None else step.represent(value)
        return row

    return to_representation


@functools.cache
def _listing_row() -> Callable[[Listing], dict]:
    return _compile_rows(ListingSerializer(), Listing)


def _columns_shown(
    serializer: serializers.Serializer, model: type[models.Model], prefix: str = ""
) -> list[str]:
    columns = []
    for field in serializer._readable_fields:
        if not field.source_attrs:
            continue
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except FieldDoesNotExist:
            continue  # a property (dry weight) of columns that are shown themselves
        path = f"{prefix}{model_field.name}"
        if isinstance(field, serializers.Serializer):
            columns += _columns_shown(field, model_field.related_model, f"{path}__")
        elif model_field.concrete:
            columns.append(path)
    return columns


@functools.cache
def listing_row_columns() -> tuple[str, ...]:
    """The columns, of the listing and of its seller and item, that a listing row shows: for
    ``QuerySet.only()``. A search loads ~80 columns instead of ~120 (the items' owners and
    timestamps, the seller's address and registration, the listing's search columns)."""
    return tuple(_columns_shown(ListingSerializer(), Listing))


def listing_rows(listings: Iterable[Listing]) -> list[dict]:
    """ListingSerializer(listings, many=True).data, by a plan built once per process (the
    serializer's fields hold no per-request state; nothing in a listing row reads the
    request)."""
    row = _listing_row()
    return [row(listing) for listing in listings]


class ListingEventSerializer(StrictModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    # Plain strings: the values are those of Listing.status (one enum in the schema).
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = ListingEvent
        fields = ["from_status", "to_status", "actor", "reason", "created_at"]


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


@extend_schema_field({"type": "string", "enum": AttachmentKind.values})
class AttachmentKindField(serializers.ChoiceField):
    """Inline enum: "kind" is also the name of the permit kinds in the accounts API."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=AttachmentKind.choices, **kwargs)


class AttachmentSerializer(StrictModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="One of the upload kinds.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ListingAttachment
        fields = ["id", "kind", "original_name", "content_type", "size_bytes", "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: ListingAttachment) -> str:
        return reverse("catalog:attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(StrictSerializer):
    kind = AttachmentKindField()
    file = serializers.FileField()


class ImportUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="CSV or JSON; see docs/examples/listings.*")


class ImportResultSerializer(StrictSerializer):
    created = serializers.IntegerField()


class WatchlistEntrySerializer(StrictModelSerializer):
    listing = serializers.PrimaryKeyRelatedField(queryset=Listing.objects.none())

    class Meta:
        model = WatchlistEntry
        fields = ["listing", "created_at"]
        read_only_fields = ["created_at"]
        validators: list = []


class WatchedListingSerializer(StrictModelSerializer):
    listing = ListingSerializer(read_only=True)

    class Meta:
        model = WatchlistEntry
        fields = ["listing", "created_at"]


class SavedSearchSerializer(StrictModelSerializer):
    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []
