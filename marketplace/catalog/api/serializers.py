"""What the API shows of listings; input validation lives in catalog.inputs."""

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.db.models.query_utils import DeferredAttribute
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryDescriptor
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings

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
from marketplace.core.prepared import PreparedRowsByKey

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


# Rows of a listing search (25 listings × ~80 fields) are written by a plan compiled once per
# process from ListingSerializer, from the row tuples of one values_list() statement. Building
# the six model instances of each row (listing, seller, item) and letting DRF's generic loop
# ask every field to find its attribute cost more than producing the values; with the rows
# read by key (core.prepared.PreparedRowsByKey) a black-mass search went from 47.9 M to 29.3 M
# instructions (docs/benchmarks.md). Every value still goes through its serializer field's
# own to_representation, except where the result is known without it: text, integer and
# choice columns (the stored value, for choices that are their own texts), decimals already
# at the field's scale, dates and aware datetimes (written the way DRF writes them). The
# writer of each serializer is one generated function (_Plan.compile). A property of a
# model's columns (the dry weight) is computed on those columns; any other field the plan
# cannot read from a column is read by DRF off an instance built from that model's columns in
# the row. The output is exactly
# ListingSerializer's (tests/catalog/test_search_pages.py compares the two, and the API's
# page with both; tests/catalog/test_listing_row_plan.py the shortcuts with DRF's fields).


class _RowContext(NamedTuple):
    timezone: Any  # DRF's default for datetimes: the current one (None without USE_TZ)
    using: str  # the database the rows came from, for the instances some fields read


_Represent = Callable[[Any, _RowContext], Any]
_SKIP = object()


def _AS_STORED(value: Any) -> Any:  # noqa: N802 - a marker that is also the identity
    return value


def _plain_decimal(field: serializers.DecimalField) -> _Represent | None:
    """A decimal that already has the field's scale and fits its digits is its own quantized
    value: DRF would copy a context, quantize to the same number and write it with ``:f``."""
    if (
        type(field).to_representation is not serializers.DecimalField.to_representation
        or type(field).quantize is not serializers.DecimalField.quantize
        or not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        or field.localize
        or field.normalize_output
        or field.decimal_places is None
        or field.max_digits is None
    ):
        return None
    places, max_digits, generic = field.decimal_places, field.max_digits, field.to_representation

    def represent(value: Any, context: _RowContext) -> Any:
        if type(value) is Decimal and value.is_finite():
            # Read off the text rather than as_tuple(), which builds a named tuple in Python:
            # ``:f`` writes every digit of the coefficient and exactly -exponent decimals.
            # With no decimals, a positive exponent passes too: quantized, it has the digits
            # of the text, which are no more than its length. A longer text (a leading zero,
            # a sign) is checked on the tuple as DRF's quantize would.
            text = f"{value:f}"
            point = text.find(".")
            if (len(text) - point - 1 if point >= 0 else 0) == places:
                if len(text) <= max_digits:
                    return text
                _, digits, exponent = value.as_tuple()
                if exponent == -places and len(digits) <= max_digits:
                    return text
        return generic(value)

    return represent


def _plain_datetime(field: serializers.DateTimeField) -> _Represent | None:
    """An aware datetime in ISO 8601, in the current time zone, ``Z`` for UTC: DRF's default
    output, without looking up the current time zone once per value."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if (
        type(field).to_representation is not serializers.DateTimeField.to_representation
        or type(field).enforce_timezone is not serializers.DateTimeField.enforce_timezone
        or hasattr(field, "timezone")
        or not isinstance(output_format, str)
        or output_format.lower() != ISO_8601
    ):
        return None
    generic = field.to_representation

    def represent(value: Any, context: _RowContext) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None and context.timezone:
            try:
                text = value.astimezone(context.timezone).isoformat()
            except OverflowError:
                return generic(value)  # DRF's own error for it
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return generic(value)

    return represent


def _plain_date(field: serializers.DateField) -> _Represent | None:
    """A date in ISO 8601: DRF's default output, its format looked up once."""
    output_format = getattr(field, "format", api_settings.DATE_FORMAT)
    if (
        type(field).to_representation is not serializers.DateField.to_representation
        or not isinstance(output_format, str)
        or output_format.lower() != ISO_8601
    ):
        return None
    generic = field.to_representation
    return lambda value, context: value.isoformat() if type(value) is date else generic(value)


def _representer(field: serializers.Field) -> _Represent:
    plain = None
    if isinstance(field, serializers.DecimalField):
        plain = _plain_decimal(field)
    elif isinstance(field, serializers.DateTimeField):
        plain = _plain_datetime(field)
    elif isinstance(field, serializers.DateField):
        plain = _plain_date(field)
    if plain is not None:
        return plain
    generic = field.to_representation
    return lambda value, context: generic(value)


def _written_as_stored(field: serializers.Field, model_field: models.Field) -> bool:
    """DRF's text of a text column is the text (``str(value)``), of an integer column the
    integer (``int(value)``): the stored value is the output."""
    method = type(field).to_representation
    text = isinstance(model_field, models.CharField | models.TextField)
    if method is serializers.CharField.to_representation:
        return text
    if method is serializers.ChoiceField.to_representation:
        # A stored text is looked up among the choices' texts and answered with the choice,
        # or with itself when it is none of them: itself either way when every choice is
        # that same text (TextChoices' values are).
        return text and all(
            type(choice) is str and key == choice
            for key, choice in field.choice_strings_to_values.items()
        )
    integer = isinstance(model_field, models.IntegerField | models.AutoField)
    if method is serializers.IntegerField.to_representation:
        return integer
    if method is serializers.BigIntegerField.to_representation:
        return integer and not getattr(
            field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING
        )
    return False


def _column_value(
    model: type[models.Model], model_field: models.Field
) -> Callable[[Any], Any] | None:
    """What reading the column off an instance gives for its stored value: the value itself,
    or for a country the descriptor's Country object. None: a descriptor not known here."""
    descriptor = next(
        (klass.__dict__[model_field.attname] for klass in model.__mro__
         if model_field.attname in klass.__dict__),
        None,
    )  # fmt: skip
    if type(descriptor) is DeferredAttribute:
        return _AS_STORED
    if isinstance(descriptor, CountryDescriptor) and not model_field.multiple:
        # One Country per code, read only here (its code, its text): ~250 codes at most.
        return functools.lru_cache(maxsize=512)(descriptor.country)
    return None


class _Stored(NamedTuple):
    position: int


class _Represented(NamedTuple):
    position: int
    represent: _Represent


class _Nested(NamedTuple):
    position: int  # the relation's key: None when there is no related row
    write: Callable[[tuple, _RowContext], dict]


class _Plan:
    """The value paths of one statement and the writer of one serializer's dict per row."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def index(self, path: str) -> int:
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path)

    def compile(
        self, serializer: serializers.Serializer, model: type[models.Model], prefix: str = ""
    ) -> Callable[[tuple, _RowContext], dict]:
        """The writer of one serializer's dict from a row, as one generated function: a value
        read as stored is ``row[i]``, a represented one a call on ``row[i]``, and only the
        rest goes through a step (a loop calling a closure per field was most of a row's
        cost: a page of 25 black-mass rows took 7.1 M instructions to write, 2.4 M to read)."""
        lines: list[str] = []
        names: dict[str, Any] = {"_SKIP": _SKIP}
        steps = needs_instance = False
        for number, field in enumerate(serializer._readable_fields):
            key = repr(field.field_name)
            step = self._column_step(field, model, prefix)
            if isinstance(step, _Stored):
                lines.append(f"out[{key}] = row[{step.position}]")
                continue
            if isinstance(step, _Nested):  # the related row's columns, or None without it
                names[f"n{number}"] = step.write
                lines.append(
                    f"out[{key}] = None if row[{step.position}] is None "
                    f"else n{number}(row, context)"
                )
                continue
            if isinstance(step, _Represented):
                names[f"r{number}"] = step.represent
                lines += [
                    f"value = row[{step.position}]",
                    f"out[{key}] = None if value is None else r{number}(value, context)",
                ]
                continue
            if step is None:
                step = self._property_step(field, model, prefix)
                needs_instance = True  # a property falls back to it; so does anything else
            names[f"s{number}"], steps = step, True
            lines += [
                f"value = s{number}(row, context, holder)",
                f"if value is not _SKIP: out[{key}] = value",
            ]
        if steps:  # they share the row's instance, built on first need
            names["instance_of"] = self._instance_builder(model, prefix) if needs_instance else None
            lines.insert(0, "holder = [instance_of, None, context.using]")
        body = "".join(f"    {line}\n" for line in lines)
        source = f"def write(row, context):\n    out = {{}}\n{body}    return out\n"
        # Built from row positions, field names (identifiers) and the names above only.
        code = compile(source, f"<row plan of {type(serializer).__name__}>", "exec")
        exec(code, names)  # noqa: S102
        return names["write"]

    def _column_step(self, field, model, prefix):
        """How to read the field's source from the row: ``_Stored`` (the stored value is the
        output), ``_Represented`` (the field's representation of it, None kept), ``_Nested``
        (a serializer of a forward relation, on the same row), a step, or None when it does
        not start at a column (or a forward relation) of ``model``."""
        if not field.source_attrs:
            return None
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except FieldDoesNotExist:
            return None
        if not model_field.concrete:
            return None
        path = f"{prefix}{model_field.name}"
        if model_field.is_relation:
            if not model_field.many_to_one or len(field.source_attrs) != 1:
                return None
            position = self.index(path)
            if isinstance(field, serializers.Serializer):
                nested = self.compile(field, model_field.related_model, f"{path}__")
                return _Nested(position, nested)
            if isinstance(field, serializers.PrimaryKeyRelatedField) and not field.pk_field:
                return _Stored(position)  # DRF writes the key itself
            return None
        read = _column_value(model, model_field)
        if read is None:
            return None
        position, rest, represent = self.index(path), field.source_attrs[1:], _representer(field)
        if read is _AS_STORED and not rest:  # most columns: no descriptor, no attribute path
            if _written_as_stored(field, model_field):
                return _Stored(position)
            return _Represented(position, represent)

        def step(row, context, holder):
            value = row[position]
            if value is None:
                return None
            value = read(value)
            for attr in rest:  # "country.code": the attribute path after the column
                value = getattr(value, attr)
                if value is None:
                    return None
            return represent(value, context)

        return step

    @staticmethod
    def _instance_step(field):
        def step(row, context, holder):
            if holder[1] is None:
                holder[1] = holder[0](row, holder[2])
            try:
                value = field.get_attribute(holder[1])
            except SkipField:
                return _SKIP
            present = value.pk if isinstance(value, PKOnlyObject) else value
            return None if present is None else field.to_representation(value)

        return step

    def _property_step(self, field, model, prefix):
        """A property of the model's columns (the dry weight) computed on those columns alone,
        without building the instance; one that reads anything else gets the instance."""
        on_instance = self._instance_step(field)
        source = model.__dict__.get(field.source) if len(field.source_attrs) == 1 else None
        if not isinstance(source, property) or source.fget is None:
            return on_instance
        getter, represent = source.fget, _representer(field)
        concrete = list(model._meta.concrete_fields)
        columns = [(f.attname, self.index(f"{prefix}{f.name}")) for f in concrete]

        def step(row, context, holder):
            try:
                value = getter(SimpleNamespace(**{name: row[p] for name, p in columns}))
            except AttributeError:  # not a property of the columns alone
                return on_instance(row, context, holder)
            return None if value is None else represent(value, context)

        return step

    def _instance_builder(self, model, prefix) -> Callable[[tuple], models.Model]:
        """The model's instance from every concrete column of it in the row: loaded whole, so
        a property reading another column never queries for it."""
        concrete = list(model._meta.concrete_fields)
        positions = [self.index(f"{prefix}{f.name}") for f in concrete]
        attnames = [f.attname for f in concrete]
        return lambda row, using: model.from_db(using, attnames, [row[p] for p in positions])


@functools.cache
def _listing_plan() -> tuple[tuple[str, ...], Callable[[tuple, _RowContext], dict]]:
    plan = _Plan()
    write = plan.compile(ListingSerializer(), Listing)
    return tuple(plan.paths), write


def _row_context(using: str) -> _RowContext:
    return _RowContext(
        timezone=timezone.get_current_timezone() if settings.USE_TZ else None, using=using
    )


def listing_rows(listings: QuerySet[Listing]) -> list[dict]:
    """ListingSerializer(listings, many=True).data, written from one values_list() statement by
    a plan built once per process (the serializer's fields hold no per-request state; nothing
    in a listing row reads the request)."""
    paths, write = _listing_plan()
    context = _row_context(listings.db)
    return [write(row, context) for row in listings.values_list(*paths)]


@functools.cache
def _listing_rows_by_key() -> PreparedRowsByKey:
    return PreparedRowsByKey(Listing, _listing_plan()[0])


def listing_rows_for_keys(keys: list[int], *, using: str = "default") -> list[dict]:
    """``listing_rows`` of the listings with these keys, in this order, by a statement compiled
    once (core.prepared): what a search page shows once it knows which listings."""
    _, write = _listing_plan()
    context = _row_context(using)
    return [write(row, context) for row in _listing_rows_by_key().rows(keys, using=using)]


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
