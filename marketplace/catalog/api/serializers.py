"""What the API shows of listings; input validation lives in catalog.inputs."""

import functools

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


@functools.cache
def _listing_row_serializer() -> ListingSerializer:
    serializer = ListingSerializer()
    for field in serializer.fields.values():  # built now, once, before threads share them
        getattr(field, "fields", None)
    return serializer


def listing_rows(listings) -> list[dict]:
    """ListingSerializer(listings, many=True).data, without building its ~100 nested fields
    again for every request: the row serializer and its fields are built once per process
    (they hold no per-request state; nothing in a listing row reads the request)."""
    serializer = _listing_row_serializer()
    return [serializer.to_representation(listing) for listing in listings]


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
