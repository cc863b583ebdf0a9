"""Base serializers of the API: a field the endpoint does not know is an error, not ignored.

A client that misspells `max_amount` as `max_amout` must hear so (400, naming the field)
rather than have its value silently dropped. The input serializer's fields are the contract:
the OpenAPI schema lists them for each operation.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Sent by the browsable API's HTML forms along with the data.
_FORM_KEYS = frozenset({"csrfmiddlewaretoken", "_content_type", "_content"})


class RejectUnknownFieldsMixin:
    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - _FORM_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("Unknown field: this endpoint does not take it.")]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    pass
