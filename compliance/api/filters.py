import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compliance.choices import CaseStatus, Material, RiskLevel
from compliance.models import ShipmentCase
from compliance.selectors import country_on_route, opened_before


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    destination = django_filters.CharFilter(
        method="filter_destination", label=_("Destination (ISO 3166-1 alpha-2)")
    )
    material = django_filters.ChoiceFilter(choices=Material.choices)
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    country = django_filters.CharFilter(
        method="filter_country", label=_("Country on the route: origin, transit or destination")
    )
    older_than_days = django_filters.NumberFilter(
        method="filter_older_than", label=_("Opened at least this many days ago")
    )

    class Meta:
        model = ShipmentCase
        fields = ["status", "destination", "material", "risk_level"]

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(country_on_route(value))

    def filter_older_than(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(created_at__lte=opened_before(int(value)))

    def filter_destination(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(destination=value.strip().upper())
