"""Writes for reference prices."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.accounts.services import ensure_staff
from marketplace.core.exceptions import ConflictError, DomainError
from marketplace.trading.choices import Element
from marketplace.trading.models import ReferencePrice

# Staff in Japan often publish the next trading day's price the evening before (LME official
# prices are set in London in the Japanese evening); anything later than that is a typo.
MAX_DAYS_AHEAD = 1
EARLIEST_EFFECTIVE_DATE = date(2000, 1, 1)
MAX_PRICE_JPY_PER_KG = Decimal("999999999999.99")  # Decimal(14, 2)


def reference_price_record(
    *,
    actor: User,
    element: str,
    price_jpy_per_kg: Decimal,
    effective_date: date,
    source: str,
    source_url: str = "",
) -> ReferencePrice:
    """Record one dated price. Staff only; one price per element and date (409 otherwise).

    Rules: price > 0 with at most 2 decimal places; effective date from 2000-01-01 to tomorrow
    (Japan time); a source is required.
    """
    ensure_staff(user=actor)
    if element not in Element.values:
        raise DomainError(
            _("Unknown element; use one of %(allowed)s.") % {"allowed": ", ".join(Element.values)},
            fields={"element": [_("Choose one of %(allowed)s.") % {"allowed": Element.values}]},
        )
    _check_price(price_jpy_per_kg)
    latest_allowed = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST_EFFECTIVE_DATE <= effective_date <= latest_allowed:
        message = _("The effective date must be between %(earliest)s and %(latest)s.") % {
            "earliest": EARLIEST_EFFECTIVE_DATE.isoformat(),
            "latest": latest_allowed.isoformat(),
        }
        raise DomainError(message, fields={"effective_date": [message]})
    source = source.strip()
    if not source:
        message = _("Say where the price comes from.")
        raise DomainError(message, fields={"source": [message]})
    try:
        with transaction.atomic():
            return ReferencePrice.objects.create(
                element=element,
                price_jpy_per_kg=price_jpy_per_kg,
                effective_date=effective_date,
                source=source,
                source_url=source_url.strip(),
                created_by=actor,
            )
    except IntegrityError:
        message = _("A %(element)s price for %(date)s is already recorded.") % {
            "element": element,
            "date": effective_date.isoformat(),
        }
        raise ConflictError(message, fields={"effective_date": [message]}) from None


def _check_price(price: Decimal) -> None:
    message = None
    if not isinstance(price, Decimal) or not price.is_finite() or price <= 0:
        message = _("The price must be greater than zero.")
    elif price.as_tuple().exponent < -2:
        message = _("Give the price to at most 2 decimal places.")
    elif price > MAX_PRICE_JPY_PER_KG:
        message = _("The price is too large.")
    if message:
        raise DomainError(message, fields={"price_jpy_per_kg": [message]})
