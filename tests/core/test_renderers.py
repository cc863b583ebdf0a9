"""The orjson renderer writes DRF's bytes, and hands anything but plain values to DRF."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from marketplace.catalog.api.serializers import ListingSerializer
from marketplace.core.api.renderers import PlainValuesJSONRenderer

PLAIN = [
    {"results": [{"id": 1, "title": "Leaf 40 kWh 日本語 ✓ 𝄞", "ok": True, "none": None}]},
    {"text": "".join(chr(code) for code in range(128)) + "\u2028\u2029\x7f"},
    {"big": 2**63 - 1, "small": -(2**63), "nested": [[[]], {}], "quote": 'a"b\\c/d'},
    [],
    "",
]
NOT_PLAIN = [
    {"amount": Decimal("1500000.00")},
    {"at": datetime(2026, 12, 7, 1, 2, 3, tzinfo=UTC)},
    {"label": gettext_lazy("Listing type")},
    ReturnDict({"id": 1}, serializer=None),
    {"huge": 2**70},
    {"keys": {1: "integer key"}},
]


@pytest.mark.parametrize("data", PLAIN + NOT_PLAIN)
def test_the_bytes_are_drfs(data):
    assert PlainValuesJSONRenderer().render(data) == JSONRenderer().render(data)


def test_an_indented_answer_is_drfs():
    data = {"results": [{"id": 1}]}
    media_type = "application/json; indent=4"

    assert PlainValuesJSONRenderer().render(data, media_type) == JSONRenderer().render(
        data, media_type
    )


def _fields(serializer: serializers.Serializer):
    for field in serializer.fields.values():
        yield field
        if isinstance(field, serializers.Serializer):
            yield from _fields(field)


def test_listing_answers_hold_no_float():
    # The one plain value orjson writes its own way; a method field could return one.
    kinds = {type(field) for field in _fields(ListingSerializer())}

    assert not any(
        issubclass(kind, serializers.FloatField | serializers.SerializerMethodField)
        for kind in kinds
    )
