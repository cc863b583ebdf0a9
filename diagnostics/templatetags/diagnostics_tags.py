"""`{% load diagnostics_tags %}{% listing_diagnostics_panel listing %}` on the listing page."""

from django import template

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
