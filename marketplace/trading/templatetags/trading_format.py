"""Exact number display for valuations: no float, no locale-dependent rounding."""

from decimal import Decimal

from django import template

from marketplace.trading.pricing import decimal_text

register = template.Library()


@register.filter
def exact(value: Decimal | None) -> str:
    """950.00 → "950", 23.750 → "23.75"; None → "–"."""
    return "–" if value is None else decimal_text(Decimal(value))


@register.filter
def yen(value: int) -> str:
    """Whole yen with thousands separators: 697490 → "697,490"."""
    return f"{int(value):,}"
