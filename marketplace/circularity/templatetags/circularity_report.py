"""Circularity pieces other apps' pages show:

- ``{% domestic_first_policy sale %}`` on the sale page: the window and the policy behind it;
- ``{% order_circularity_score order %}`` on an order page: the sale's score, kWh kept in use
  and CO2 avoided (the page decides who sees the order);
- ``{% organisation_circularity organisation %}`` on an organisation page: its purchases summed.

Load with ``{% load circularity_report %}``.
"""

from typing import Any

from django import template
from django.utils import timezone

from marketplace.accounts.models import Organisation
from marketplace.circularity import reference
from marketplace.circularity.services import policy, score
from marketplace.circularity.services.outflow import PriceBook
from marketplace.trading.models import Order, Sale

register = template.Library()


@register.inclusion_tag("circularity/_domestic_first_policy.html")
def domestic_first_policy(sale: Sale) -> dict[str, Any]:
    listing = sale.listing
    rule = policy.domestic_first_for(listing.listing_type, at=sale.created_at)
    return {
        "sale": sale,
        "listing": listing,
        "rule": rule,
        "window_open": sale.is_domestic_only_at(timezone.now()),
        "exempt": Organisation.objects.filter(pk__in=rule.exempt_organisation_ids).order_by(
            "legal_name"
        ),
    }


PRICES_KEY = "circularity_price_book"


@register.inclusion_tag("circularity/_order_circularity_score.html", takes_context=True)
def order_circularity_score(context: template.Context, order: Order) -> dict[str, Any]:
    # On an order list the tag runs once per order: load the reference prices once per page.
    prices = context.render_context.get(PRICES_KEY)
    if prices is None:
        prices = context.render_context[PRICES_KEY] = PriceBook.load()
    return {
        "figures": score.order_circularity(order, prices=prices),
        "reference": reference.reference(),
    }


@register.inclusion_tag("circularity/_organisation_circularity.html")
def organisation_circularity(organisation: Organisation) -> dict[str, Any]:
    return {
        "summary": score.organisation_circularity(organisation_id=organisation.pk),
        "reference": reference.reference(),
    }
