"""Small helpers shared by the diagnostics services."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError

REASON_MAX_LENGTH = 1000


def field_error(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def clean_reason(reason: str, *, required_message: str) -> str:
    """A revocation or voiding reason: required, trimmed, bounded."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", required_message)
    if len(reason) > REASON_MAX_LENGTH:
        raise field_error(
            "reason", _("At most %(count)d characters.") % {"count": REASON_MAX_LENGTH}
        )
    return reason


def json_safe(value: Any) -> Any:
    """Engine breakdowns hold Decimals; stored in a JSONField they become exact text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
