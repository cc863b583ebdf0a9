import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compliance.choices import CaseStatus, Material
from compliance.models import ShipmentCase


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    destination = django_filters.CharFilter(
        method="filter_destination", label=_("Destination (ISO 3166-1 alpha-2)")
    )
    material = django_filters.ChoiceFilter(choices=Material.choices)

    class Meta:
        model = ShipmentCase
        fields = ["status", "destination", "material"]

    def filter_destination(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(destination=value.strip().upper())
