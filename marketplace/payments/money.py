"""Amounts as Stripe wants them: integers in the currency's smallest unit."""

from decimal import ROUND_HALF_UP, Decimal

from marketplace.core.exceptions import DomainError

# Stripe's zero-decimal currencies among those we support; the rest have two decimals.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})


def to_minor_units(amount: Decimal, currency: str) -> int:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    scaled = (amount * (10**exponent)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if scaled != amount * (10**exponent):
        raise DomainError(f"{amount} {currency} has more decimals than {currency} allows")
    return int(scaled)


def from_minor_units(amount_minor: int, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return Decimal(amount_minor).scaleb(-exponent)
