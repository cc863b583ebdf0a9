"""The search rows' plan writes decimals, dates, datetimes, choices and integers exactly as
DRF's fields do."""

from datetime import UTC, date, datetime, timedelta
from datetime import timezone as fixed_timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from marketplace.catalog.api.serializers import _Plan, _representer, _RowContext
from tests.catalog.factories import ListingFactory

MONEY = serializers.DecimalField(max_digits=16, decimal_places=2)


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1500000.00"),
        Decimal("-0.00"),
        Decimal("1.5"),  # not at the field's scale: DRF's own quantize
        Decimal("1.005"),  # rounded by DRF's rule
        Decimal("12345678901234.56"),  # all 16 digits
        Decimal("1E+3"),
        Decimal("0.10"),
        Decimal("-12.30"),
        3,
    ],
)
def test_decimals_are_written_as_drf_writes_them(value):
    assert _representer(MONEY)(value, _RowContext(timezone=None, using="default")) == (
        MONEY.to_representation(value)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # The text is longer than the digits: the leading zero and the point
        (serializers.DecimalField(max_digits=3, decimal_places=2), Decimal("0.62")),
        (serializers.DecimalField(max_digits=3, decimal_places=2), Decimal("-9.99")),
        # No decimals: a positive exponent, a value with decimals, one with too many digits
        (serializers.DecimalField(max_digits=4, decimal_places=0), Decimal("1E+3")),
        (serializers.DecimalField(max_digits=4, decimal_places=0), Decimal("12")),
        (serializers.DecimalField(max_digits=4, decimal_places=0), Decimal("1.5")),
        (serializers.DecimalField(max_digits=4, decimal_places=0), Decimal("0")),
        (serializers.DecimalField(max_digits=10, decimal_places=1), Decimal("12789.4")),
    ],
)
def test_decimals_at_other_scales_are_written_as_drf_writes_them(field, value):
    assert _representer(field)(value, _RowContext(timezone=None, using="default")) == (
        field.to_representation(value)
    )


def _outcome(write, value):
    try:
        return "written", write(value)
    except Exception as error:  # noqa: BLE001 - the kind of failure is what is compared
        return "refused", type(error)


@pytest.mark.parametrize(
    ("max_digits", "value"),
    [
        (4, Decimal("NaN")),
        (4, Decimal("-Infinity")),
        (4, Decimal("12345")),
        (4, Decimal("99999.4")),
        (3, Decimal("1E+3")),  # one digit stored, four once quantized: too many
        (3, Decimal("-1E+2")),  # three digits quantized, the text four characters long
    ],
)
def test_decimals_that_are_not_plain_get_drfs_answer_or_drfs_error(max_digits, value):
    field = serializers.DecimalField(max_digits=max_digits, decimal_places=0)
    context = _RowContext(timezone=None, using="default")
    ours = _outcome(lambda value: _representer(field)(value, context), value)
    assert ours == _outcome(field.to_representation, value)


@pytest.mark.parametrize("value", [date(2026, 3, 1), "2026-03-01"])
def test_dates_are_written_as_drf_writes_them(value):
    field = serializers.DateField()
    context = _RowContext(timezone=None, using="default")
    assert _representer(field)(value, context) == field.to_representation(value)


def test_a_decimal_past_the_fields_digits_fails_as_in_drf():
    value = Decimal("123456789012345.67")
    with pytest.raises(InvalidOperation) as drf:
        MONEY.to_representation(value)
    with pytest.raises(drf.type):
        _representer(MONEY)(value, _RowContext(timezone=None, using="default"))


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", "Europe/Berlin"])
@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=UTC),
        datetime(2026, 6, 30, 23, 59, 59, tzinfo=fixed_timezone(timedelta(hours=-5))),
        datetime(2026, 12, 7, 1, 2, 3),  # noqa: DTZ001 - naive: DRF's own handling
    ],
)
def test_datetimes_are_written_as_drf_writes_them_in_the_current_zone(zone, value):
    field = serializers.DateTimeField()
    with timezone.override(ZoneInfo(zone)):
        context = _RowContext(timezone=timezone.get_current_timezone(), using="default")
        assert _representer(field)(value, context) == field.to_representation(value)


def test_fields_with_their_own_format_are_left_to_drf():
    field = serializers.DateTimeField(format="%Y-%m-%d")
    value = datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        context = _RowContext(timezone=timezone.get_current_timezone(), using="default")
        assert _representer(field)(value, context) == "2026-12-07"


def _lot_shown(*names: str) -> serializers.Serializer:
    """A lot's id and some of: a property of its columns, a method, a property of relations."""
    fields = {
        "dry_weight_kg": serializers.DecimalField(max_digits=10, decimal_places=1),
        "label": serializers.CharField(source="__str__"),
        "holder": serializers.CharField(source="soh_holder", allow_null=True),
    }
    shown = type("Shown", (serializers.Serializer,), {
        "id": serializers.IntegerField(), **{name: fields[name] for name in names}
    })  # fmt: skip
    return shown()


@pytest.mark.django_db
def test_properties_and_methods_give_what_drf_reads_off_the_instance(seller):
    org = seller.organisation
    black_mass = ListingFactory(seller=org, created_by=seller, black_mass_listing=True)
    pack = ListingFactory(seller=org, created_by=seller)
    context = _RowContext(timezone=None, using="default")
    cases = [
        (_lot_shown("dry_weight_kg", "label"), black_mass.black_mass_lot),
        (_lot_shown("holder"), black_mass),
        (_lot_shown("holder"), pack),
    ]
    for serializer, instance in cases:
        plan = _Plan()
        write = plan.compile(serializer, type(instance))
        (row,) = type(instance).objects.filter(pk=instance.pk).values_list(*plan.paths)

        assert write(row, context) == serializer.to_representation(instance)


@pytest.mark.django_db
def test_choices_and_big_integers_are_written_as_stored_only_where_drf_writes_them_so(seller):
    # A choice field whose choices are their own texts, one whose choices are not (an integer
    # choice answered for a text), a big integer as a number and as text
    from marketplace.catalog.models import Listing

    shown = type("Shown", (serializers.Serializer,), {
        "id": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=[("draft", "Draft"), ("published", "Pub")]),
        "title": serializers.ChoiceField(choices=[(1, "one"), ("Pack", "pack")]),
        "key_as_big": serializers.BigIntegerField(source="id"),
        "key_as_text": serializers.BigIntegerField(source="id", coerce_to_string=True),
    })()  # fmt: skip
    listing = ListingFactory(seller=seller.organisation, created_by=seller, title="1")
    plan = _Plan()
    write = plan.compile(shown, Listing)
    (row,) = Listing.objects.filter(pk=listing.pk).values_list(*plan.paths)

    written = write(row, _RowContext(timezone=None, using="default"))

    assert written == shown.to_representation(listing)
    assert written["title"] == 1  # the integer choice, not the stored text
    assert written["key_as_text"] == str(listing.pk)
