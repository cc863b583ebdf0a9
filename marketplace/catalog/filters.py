"""One FilterSet for browsing listings: the API's query parameters and the web page's GET form.

Works on `selectors.listings_annotated()`, whose chemistry/SOH/grade/capacity columns
unify the item types. Price ranges compare the number as entered: combine them with
`currency` when listings in several currencies are mixed.
"""

import copy
from typing import ClassVar

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from marketplace.catalog.choices import (
    Chemistry,
    Grade,
    ListingStatus,
    ListingType,
    SaleFormat,
    SohSource,
)
from marketplace.catalog.models import Listing
from marketplace.catalog.search import search_text_of


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Listings without the figure (black mass has no SOH) sort last in either direction;
    PostgreSQL would otherwise put them first when descending."""

    def filter(self, queryset: QuerySet, value: list[str] | None) -> QuerySet:
        if value in ([], (), {}, "", None):
            return queryset
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            field = F(name.lstrip("-"))
            if name.startswith("-"):
                ordering.append(field.desc(nulls_last=True))
            else:
                ordering.append(field.asc(nulls_last=True))
        return queryset.order_by(*ordering, "-pk")


class _FiltersCopiedShallowly(dict):
    """A FilterSet's filters, which it deep-copies for every instance so that an instance may
    change its own. Ours change nothing after the class is built but the model and parent
    each instance sets on its copy, so a shallow copy of each is enough."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


def _copy_filter(filter_: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(filter_)
    if filter_.method is not None:
        copied.method = filter_.method  # rebinds the method's caller to the copy's parent
    return copied


class _FieldsSharingChoices(dict):
    """A form's fields, which every form deep-copies. Copied as `Field.__deepcopy__` does
    (own widget, error messages and validators), but the choice lists are shared: nothing
    changes them after the form class is built. Copying them deeply (the chemistry and
    country labels, lazily translated) was most of the cost of building a search's form."""

    def __deepcopy__(self, memo: dict) -> dict:
        return {name: forms.Field.__deepcopy__(field, memo) for name, field in self.items()}


class CountryCodeField(django_filters.fields.ChoiceField):
    """Checks a country code against the code table directly; Django's check walks (and
    translates) all ~250 country names on every search that names a country."""

    def valid_value(self, value) -> bool:
        return str(value) in countries or super().valid_value(value)


class CountryFilter(django_filters.ChoiceFilter):
    field_class = CountryCodeField


class ListingFilter(django_filters.FilterSet):
    # Multiple-choice filters default to SELECT DISTINCT, which over ~100 columns sorts on
    # disk (bench: 430 → 110 ms). Every filter here reads the listing's own row or a
    # forward relation, so no row can appear twice and DISTINCT is never needed.
    q = django_filters.CharFilter(label=_("Search make, model, manufacturer"), method="filter_text")
    listing_type = django_filters.MultipleChoiceFilter(
        label=_("Listing type"), choices=ListingType.choices, distinct=False
    )
    chemistry = django_filters.MultipleChoiceFilter(
        label=_("Chemistry"), field_name="chemistry_code", choices=Chemistry.choices, distinct=False
    )
    grade = django_filters.MultipleChoiceFilter(
        label=_("Grade"), field_name="grade_code", choices=Grade.choices, distinct=False
    )
    soh_source = django_filters.ChoiceFilter(
        label=_("SOH source"), field_name="soh_source_code", choices=SohSource.choices
    )
    soh_min = django_filters.NumberFilter(
        label=_("SOH from %"), field_name="soh_value", lookup_expr="gte"
    )
    soh_max = django_filters.NumberFilter(
        label=_("SOH to %"), field_name="soh_value", lookup_expr="lte"
    )
    capacity_min = django_filters.NumberFilter(
        label=_("Capacity from kWh"), field_name="capacity_kwh", lookup_expr="gte"
    )
    capacity_max = django_filters.NumberFilter(
        label=_("Capacity to kWh"), field_name="capacity_kwh", lookup_expr="lte"
    )
    price_min = django_filters.NumberFilter(
        label=_("Price from"), field_name="price", lookup_expr="gte"
    )
    price_max = django_filters.NumberFilter(
        label=_("Price to"), field_name="price", lookup_expr="lte"
    )
    currency = django_filters.CharFilter(label=_("Currency"), method="filter_currency")
    country = CountryFilter(label=_("Country"), choices=countries)
    region = django_filters.CharFilter(label=_("Region / prefecture"), lookup_expr="icontains")
    seller = django_filters.NumberFilter(label=_("Seller organisation id"), field_name="seller_id")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ListingStatus.choices, distinct=False
    )
    sale_format = django_filters.ChoiceFilter(label=_("Sale format"), choices=SaleFormat.choices)
    ordering = NullsLastOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("published_at", "published_at"),
            ("created_at", "created_at"),
            ("price", "price"),
            ("soh_value", "soh"),
            ("capacity_kwh", "capacity"),
        ),
        field_labels={
            "published_at": _("Publication date"),
            "created_at": _("Creation date"),
            "price": _("Price"),
            "soh_value": _("SOH"),
            "capacity_kwh": _("Capacity"),
        },
    )

    class Meta:
        model = Listing
        fields: list[str] = []

    # The form class (twenty fields, the country list) depends only on the language: built
    # once per language and process, not on every search. Forms copy their fields per instance.
    _form_classes: ClassVar[dict[tuple[type, str | None], type]] = {}

    def get_form_class(self):
        key = (type(self), translation.get_language())
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsSharingChoices(form_class.base_fields)
            self._form_classes[key] = form_class
        return form_class

    @classmethod
    def get_filters(cls) -> dict:
        return _FiltersCopiedShallowly(super().get_filters())

    def filter_text(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet:
        # Every word anywhere in title, make, model, manufacturer or module type: the
        # listing's lower-case search_text (catalog.search), one trigram-indexed column.
        condition = Q()
        for word in search_text_of([value]).split()[:5]:
            condition &= Q(search_text__contains=word)
        return queryset.filter(condition)

    def filter_currency(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet:
        return queryset.filter(currency=value.strip().upper())
