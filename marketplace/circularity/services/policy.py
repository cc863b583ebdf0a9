"""The domestic-first policy: which version is in force, and recording a new version.

Trading asks ``domestic_first_for`` twice: when a sale opens (the window length) and when
someone bids during the window (who counts as domestic). Both ask about the moment the sale
was opened, so a sale keeps the rules it was opened under even if staff change them later.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from marketplace.accounts.models import Organisation, User
from marketplace.catalog.choices import ListingType
from marketplace.circularity.models import DomesticFirstPolicy
from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError
from marketplace.core.prepared import PreparedRead
from marketplace.trading.rules import RULES_PATH, get_rules

# A policy change may not reach back more than this: sales already opened keep their window,
# and a back-dated row would misstate which rule they were opened under.
BACKDATING_TOLERANCE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class DomesticFirstRule:
    """The policy in force for one listing type at one moment."""

    listing_type: str
    hours: int
    partner_countries: tuple[str, ...]  # sorted ISO codes
    exempt_organisation_ids: frozenset[int]
    policy_id: int | None  # None: the market_rules.yaml default, no staff version yet
    effective_from: datetime.datetime | None
    reason: str
    source: str

    @property
    def listing_type_label(self) -> str:
        return str(ListingType(self.listing_type).label)

    def treats_as_domestic(self, *, organisation: Organisation, lot_country: str) -> bool:
        """Whether this buyer may bid during the window on a lot located in ``lot_country``."""
        return (
            organisation.country.code == lot_country
            or organisation.country.code in self.partner_countries
            or organisation.pk in self.exempt_organisation_ids
        )


def _yaml_rule(listing_type: str) -> DomesticFirstRule:
    return DomesticFirstRule(
        listing_type=listing_type,
        hours=get_rules().domestic_first_hours.get(listing_type, 0),
        partner_countries=(),
        exempt_organisation_ids=frozenset(),
        policy_id=None,
        effective_from=None,
        reason="",
        source=f"{RULES_PATH.name} (version {get_rules().version})",
    )


def _rule(policy: DomesticFirstPolicy, exempt_ids: Iterable[int]) -> DomesticFirstRule:
    return DomesticFirstRule(
        listing_type=policy.listing_type,
        hours=policy.window_hours,
        partner_countries=tuple(sorted(policy.partner_countries)),
        exempt_organisation_ids=frozenset(exempt_ids),
        policy_id=policy.pk,
        effective_from=policy.effective_from,
        reason=policy.reason,
        source=_("Staff policy version %(id)s") % {"id": policy.pk},
    )


# Every bid inside a domestic-first window asks this: compiled once (core.prepared).
_POLICY_IN_FORCE = PreparedRead(
    lambda listing_type, at: DomesticFirstPolicy.objects.filter(
        listing_type=listing_type, effective_from__lte=at
    ).order_by("-effective_from", "-pk")[:1],
    listing_type=str,
    at=datetime.datetime,
)


def domestic_first_for(listing_type: str, *, at: datetime.datetime) -> DomesticFirstRule:
    """The policy in force for ``listing_type`` at ``at`` (two queries at most)."""
    policy = _POLICY_IN_FORCE.first(listing_type=listing_type, at=at)
    if policy is None:
        return _yaml_rule(listing_type)
    return _rule(policy, policy.exempt_organisations.values_list("pk", flat=True))


def domestic_first_current(*, at: datetime.datetime | None = None) -> list[DomesticFirstRule]:
    """The rule in force now for every listing type, in the order of ListingType."""
    at = at or timezone.now()
    return [domestic_first_for(listing_type, at=at) for listing_type in ListingType.values]


def _max_hours() -> int:
    # A window longer than the longest sale would make the lot domestic-only for its whole life.
    return get_rules().max_duration_days * 24


def policy_record(
    *,
    actor: User,
    listing_type: str,
    window_hours: int,
    reason: str,
    partner_countries: Iterable[str] = (),
    exempt_organisations: Iterable[Organisation] = (),
    effective_from: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> DomesticFirstPolicy:
    """Record a new version of the policy for one listing type (staff only)."""
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDeniedError(_("Only platform staff may change the domestic-first policy."))
    now = now or timezone.now()
    effective_from = effective_from or now
    errors: dict[str, list[str]] = {}
    if listing_type not in ListingType.values:
        errors["listing_type"] = [_("Choose a listing type.")]
    if not 0 <= window_hours <= _max_hours():
        errors["window_hours"] = [
            _("Give between 0 and %(max)s hours (the longest sale).") % {"max": _max_hours()}
        ]
    codes = sorted({code.strip().upper() for code in partner_countries if code.strip()})
    unknown = [code for code in codes if code not in countries]
    if unknown:
        errors["partner_countries"] = [
            _("Not a country code: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    if not reason.strip():
        errors["reason"] = [_("Say why the policy changes; the history shows it.")]
    if effective_from < now - BACKDATING_TOLERANCE:
        errors["effective_from"] = [
            _("A change cannot take effect in the past: sales already opened keep their rules.")
        ]
    if errors:
        first, messages = next(iter(errors.items()))
        raise DomainError(f"{first}: {messages[0]}", fields=errors)
    try:
        with transaction.atomic():
            policy = DomesticFirstPolicy.objects.create(
                listing_type=listing_type,
                window_hours=window_hours,
                partner_countries=codes,
                effective_from=effective_from,
                changed_by=actor,
                reason=reason.strip(),
                created_at=now,
            )
            policy.exempt_organisations.set(list(exempt_organisations))
    except IntegrityError:
        raise ConflictError(
            _("Another version for this listing type takes effect at the same moment.")
        ) from None
    return policy


def policy_history(*, listing_type: str | None = None):
    """Every recorded version, newest first, with who changed it."""
    history = DomesticFirstPolicy.objects.select_related("changed_by").prefetch_related(
        "exempt_organisations"
    )
    if listing_type:
        history = history.filter(listing_type=listing_type)
    return history.order_by("-effective_from", "-pk")
