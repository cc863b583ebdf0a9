"""Template tags: `{% listing_diagnostics_panel listing %}` for the listing page and
`{% order_guarantee_panel order %}` for the order page (load `diagnostics_tags`)."""

from django import template

from diagnostics import selectors
from diagnostics.selectors import assessment_for_listing

register = template.Library()


@register.inclusion_tag("diagnostics/_listing_panel.html", takes_context=True)
def listing_diagnostics_panel(context, listing) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "panel": assessment_for_listing(listing=listing, user=user),
        "user": user,
        "request": request,
    }


@register.inclusion_tag("diagnostics/_order_guarantee_panel.html", takes_context=True)
def order_guarantee_panel(context, order) -> dict:
    """`{% load diagnostics_tags %}{% order_guarantee_panel order %}` on the order page: the
    guarantees the award attached to the order, their cover and claims, and the way to claim."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {
        "guarantees": selectors.guarantees_of_order(order=order, user=user) if user else [],
        "user": user,
        "request": request,
    }


@register.filter
def application_label(code: str) -> str:
    """A valuation use's label (valuation.yaml `applications.<code>.label`) in the reader's
    language; the stored breakdown and the API keep the code."""
    from django.utils.translation import gettext

    from diagnostics.reference import reference_data

    application = reference_data().valuation.applications.get(code)
    return gettext(application.label) if application is not None else code
