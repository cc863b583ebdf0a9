"""Residual-value guarantees: a dealer backs its own certified pack; the platform prices it."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from diagnostics.choices import GUARANTEE_TRANSITIONS, GuaranteeStatus, GuaranteeType
from diagnostics.engine.guarantee import price_guarantee
from diagnostics.models import GuaranteeEvent, ResidualValueGuarantee
from diagnostics.reference import reference_data
from diagnostics.services.certificates import combined_diagnosis
from diagnostics.services.common import clean_reason, field_error, json_safe
from marketplace.accounts.choices import Role
from marketplace.accounts.models import User
from marketplace.accounts.services import ensure_can_trade
from marketplace.catalog.models import BatteryPack
from marketplace.core.exceptions import DomainError, InvalidTransition, PermissionDeniedError

HUNDRED = Decimal(100)


def _check_terms(
    *,
    guarantee_type: str,
    term_years: int,
    guaranteed_value_jpy: Decimal | None,
    guaranteed_soh_pct: Decimal | None,
) -> None:
    maximum = int(reference_data().assessment.guarantee_pricing.max_term_years.value)
    if not 1 <= term_years <= maximum:
        raise field_error(
            "term_years",
            _("The term must be between 1 and %(maximum)d years.") % {"maximum": maximum},
        )
    if guarantee_type == GuaranteeType.BUY_BACK:
        if guaranteed_value_jpy is None or guaranteed_value_jpy <= 0:
            raise field_error(
                "guaranteed_value_jpy", _("Enter the buy-back value in yen (more than zero).")
            )
        if guaranteed_soh_pct is not None:
            raise field_error(
                "guaranteed_soh_pct", _("A buy-back guarantee names a value, not an SOH.")
            )
    elif guarantee_type == GuaranteeType.CAPACITY_WARRANTY:
        if guaranteed_soh_pct is None or not 0 < guaranteed_soh_pct <= HUNDRED:
            raise field_error(
                "guaranteed_soh_pct", _("Enter the guaranteed SOH, more than 0 and at most 100 %.")
            )
        if guaranteed_value_jpy is not None:
            raise field_error(
                "guaranteed_value_jpy", _("A capacity warranty names an SOH, not a value.")
            )
    else:
        raise field_error("guarantee_type", _("Choose a valid guarantee type."))


def guarantee_offer(
    *,
    actor: User,
    pack: BatteryPack,
    guarantee_type: str,
    term_years: int,
    guaranteed_value_jpy: Decimal | None = None,
    guaranteed_soh_pct: Decimal | None = None,
) -> ResidualValueGuarantee:
    """A dealer offers a guarantee on its own pack; the premium comes from the forecasts."""
    organisation = ensure_can_trade(user=actor)
    if actor.role != Role.DEALER:
        raise PermissionDeniedError(_("Only dealers offer residual-value guarantees."))
    if pack.owner_id != organisation.pk:
        raise PermissionDeniedError(_("You can only guarantee your own organisation's packs."))
    _check_terms(
        guarantee_type=guarantee_type,
        term_years=term_years,
        guaranteed_value_jpy=guaranteed_value_jpy,
        guaranteed_soh_pct=guaranteed_soh_pct,
    )
    outcome = combined_diagnosis(pack)
    if outcome is None:
        raise DomainError(_("The pack needs a valid SOH certificate before it can be guaranteed."))
    result, combined = outcome
    if result.grade == reference_data().grading.recycling_code:
        raise DomainError(_("A pack graded for recycling cannot be guaranteed."))
    price = price_guarantee(
        guarantee_type=guarantee_type,
        term_years=term_years,
        guaranteed_value_jpy=guaranteed_value_jpy,
        guaranteed_soh_pct=guaranteed_soh_pct,
        grade=result.grade,
        rated_capacity_kwh=pack.rated_capacity_kwh,
        soh_pct=result.soh_pct,
        soh_low_pct=result.soh_low_pct,
        soh_high_pct=result.soh_high_pct,
        u95_pp=result.u95_pp,
        methods_used={item.method_code for item in combined},
        forecast=result.forecast,
        reference=reference_data(),
    )
    pricing = {
        **json_safe(price.breakdown),
        "assessment": {
            "soh_pct": str(result.soh_pct),
            "soh_low_pct": str(result.soh_low_pct),
            "soh_high_pct": str(result.soh_high_pct),
            "grade": result.grade,
            "certificates": [str(item.uuid) for item in combined],
        },
        "data_versions": reference_data().versions,
    }
    with transaction.atomic():
        guarantee = ResidualValueGuarantee.objects.create(
            pack=pack,
            guarantor=organisation,
            offered_by=actor,
            guarantee_type=guarantee_type,
            term_years=term_years,
            guaranteed_value_jpy=guaranteed_value_jpy,
            guaranteed_soh_pct=guaranteed_soh_pct,
            premium_jpy=price.premium_jpy,
            expected_payout_jpy=price.expected_payout_jpy,
            pricing=pricing,
            status=GuaranteeStatus.OFFERED,
        )
        GuaranteeEvent.objects.create(
            guarantee=guarantee, to_status=GuaranteeStatus.OFFERED, actor=actor
        )
    return guarantee


def guarantee_void(
    *, actor: User, guarantee: ResidualValueGuarantee, reason: str
) -> ResidualValueGuarantee:
    """The guarantor withdraws an offer (staff may void any guarantee); a reason is required."""
    if not actor.is_authenticated:
        raise PermissionDeniedError()
    if not actor.is_staff:
        organisation = ensure_can_trade(user=actor)
        if guarantee.guarantor_id != organisation.pk:
            raise PermissionDeniedError(_("Only the guarantor can withdraw this guarantee."))
        if guarantee.status != GuaranteeStatus.OFFERED:
            raise InvalidTransition(_("Only an offer can be withdrawn; ask staff to void it."))
    reason = clean_reason(reason, required_message=_("Say why the guarantee is voided."))
    if GuaranteeStatus.VOID not in GUARANTEE_TRANSITIONS[guarantee.status]:
        raise InvalidTransition()
    with transaction.atomic():
        updated = ResidualValueGuarantee.objects.filter(
            pk=guarantee.pk, status=guarantee.status
        ).update(status=GuaranteeStatus.VOID)
        if updated != 1:
            raise InvalidTransition()
        GuaranteeEvent.objects.create(
            guarantee=guarantee,
            from_status=guarantee.status,
            to_status=GuaranteeStatus.VOID,
            actor=actor,
            reason=reason,
        )
    guarantee.refresh_from_db()
    return guarantee
