from django import template

from compliance import selectors

register = template.Library()


@register.simple_tag
def compliance_queue_counts() -> dict[str, int]:
    """Counts for the officer panel, so a dashboard can include it without a view change."""
    return selectors.officer_queue_counts()
