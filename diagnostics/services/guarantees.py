"""Residual-value guarantees: offered by a pack's seller (or the platform), priced by the
platform, attached to the order when the pack is sold, and claimed by the buyer with a new
certificate.

Lifecycle: OFFERED --award--> ACTIVE --upheld claim--> CLAIMED (payout due, then paid).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.choices import (
    CLAIM_TRANSITIONS,
    GUARANTEE_TRANSITIONS,
    CertificateStatus,
    ClaimStatus,
    GuaranteeStatus,
    GuaranteeType,
)
from diagnostics.engine.guarantee import price_guarantee
from diagnostics.models import (
    GuaranteeClaim,
    GuaranteeClaimEvent,
    GuaranteeEvent,
    ResidualValueGuarantee,
    SohCertificate,
)
from diagnostics.reference import reference_data
from diagnostics.services.certificates import combined_diagnosis, valid_certificates
from diagnostics.services.common import clean_reason, field_error, json_safe
from marketplace.accounts.choices import Role
from marketplace.accounts.models import User
from marketplace.accounts.services import ensure_can_trade, ensure_staff
from marketplace.catalog.models import BatteryPack
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    PermissionDeniedError,
)

HUNDRED = Decimal(100)
YEN = Decimal(1)
MAX_TERM_KM = 1_000_000
PAYMENT_REFERENCE_MAX_LENGTH = 200


def _check_terms(
    *,
    guarantee_type: str,
    term_years: int,
    term_km: int | None,
    guaranteed_value_jpy: Decimal | None,
    guaranteed_soh_pct: Decimal | None,
    fixed_payout_jpy: Decimal | None,
) -> None:
    maximum = int(reference_data().assessment.guarantee_pricing.max_term_years.value)
    if guarantee_type not in GuaranteeType.values:
        raise field_error("guarantee_type", _("Choose a valid guarantee type."))
    if not 1 <= term_years <= maximum:
        raise field_error(
            "term_years",
            _("The term must be between 1 and %(maximum)d years.") % {"maximum": maximum},
        )
    if term_km is not None and not 1 <= term_km <= MAX_TERM_KM:
        raise field_error(
            "term_km",
            _("The distance limit must be between 1 and %(maximum)d km.")
            % {"maximum": MAX_TERM_KM},
        )
    if guaranteed_soh_pct is None or not 0 < guaranteed_soh_pct <= HUNDRED:
        raise field_error(
            "guaranteed_soh_pct", _("Enter the SOH floor, more than 0 and at most 100 %.")
        )
    wanted = {
        GuaranteeType.BUY_BACK: "guaranteed_value_jpy",
        GuaranteeType.FIXED: "fixed_payout_jpy",
        GuaranteeType.CAPACITY_WARRANTY: None,
    }[guarantee_type]
    amounts = {
        "guaranteed_value_jpy": guaranteed_value_jpy,
        "fixed_payout_jpy": fixed_payout_jpy,
    }
    for field, amount in amounts.items():
        if field == wanted and (amount is None or amount <= 0):
            raise field_error(field, _("Enter the amount in yen (more than zero)."))
        if field != wanted and amount is not None:
            raise field_error(field, _("This amount does not apply to the chosen type."))


def guarantee_offer(
    *,
    actor: User,
    pack: BatteryPack,
    guarantee_type: str,
    term_years: int,
    guaranteed_soh_pct: Decimal | None = None,
    guaranteed_value_jpy: Decimal | None = None,
    fixed_payout_jpy: Decimal | None = None,
    term_km: int | None = None,
) -> ResidualValueGuarantee:
    """The pack's dealer, or platform staff for the platform, offers a guarantee; the
    premium comes from the forecasts. It comes into force when the pack is sold."""
    if actor.is_authenticated and actor.is_staff:
        organisation = None  # the platform guarantees
    else:
        organisation = ensure_can_trade(user=actor)
        if actor.role != Role.DEALER:
            raise PermissionDeniedError(_("Only dealers offer residual-value guarantees."))
        if pack.owner_id != organisation.pk:
            raise PermissionDeniedError(_("You can only guarantee your own organisation's packs."))
    _check_terms(
        guarantee_type=guarantee_type,
        term_years=term_years,
        term_km=term_km,
        guaranteed_value_jpy=guaranteed_value_jpy,
        guaranteed_soh_pct=guaranteed_soh_pct,
        fixed_payout_jpy=fixed_payout_jpy,
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
        fixed_payout_jpy=fixed_payout_jpy,
        grade=result.grade,
        rated_capacity_kwh=pack.rated_capacity_kwh,
        soh_pct=result.soh_pct,
        soh_low_pct=result.soh_low_pct,
        soh_high_pct=result.soh_high_pct,
        u95_pp=result.u95_pp,
        methods_used={item.method_code for item in combined},
        forecast=result.forecast,
        reference=reference_data(),
        recycling=result.recycling,
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
    if term_km is not None:
        pricing["term_km_note"] = (
            "the distance limit shortens the cover; the premium is priced on years alone"
        )
    with transaction.atomic():
        guarantee = ResidualValueGuarantee.objects.create(
            pack=pack,
            guarantor=organisation,
            offered_by=actor,
            guarantee_type=guarantee_type,
            term_years=term_years,
            term_km=term_km,
            guaranteed_value_jpy=guaranteed_value_jpy,
            guaranteed_soh_pct=guaranteed_soh_pct,
            fixed_payout_jpy=fixed_payout_jpy,
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
        if guarantee.guarantor_id is None or guarantee.guarantor_id != organisation.pk:
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


# --- In force: attached to the order on purchase ----------------------------------------


def _last_covered_day(start: datetime.date, years: int) -> datetime.date:
    """The day before the start's anniversary `years` later (29 Feb starts end on 28 Feb)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:
        anniversary = start.replace(year=start.year + years, day=28) + datetime.timedelta(days=1)
    return anniversary - datetime.timedelta(days=1)


def _odometer_at_purchase(pack: BatteryPack) -> int | None:
    latest = valid_certificates(pack).filter(odometer_km__isnull=False).last()
    return latest.odometer_km if latest is not None else None


def guarantee_attach_to_order(*, order, actor: User | None = None) -> list[ResidualValueGuarantee]:
    """Put the pack's offered guarantees (by the seller or the platform) in force for the
    order's buyer, from the order's time for the term. Called by the award, inside its
    transaction, so an order and its cover are created together or not at all."""
    pack_id = order.listing.pack_id
    if pack_id is None:
        return []
    offers = list(
        ResidualValueGuarantee.objects.select_for_update()
        .filter(pack_id=pack_id, status=GuaranteeStatus.OFFERED)
        .filter(Q(guarantor_id=order.seller_organisation_id) | Q(guarantor__isnull=True))
        .order_by("pk")
    )
    if not offers:
        return []
    starts_at = order.created_at
    start_day = timezone.localdate(starts_at)
    odometer_km = _odometer_at_purchase(order.listing.pack)
    attached = []
    for offer in offers:
        end_odometer_km = None
        if offer.term_km is not None and odometer_km is not None:
            end_odometer_km = odometer_km + offer.term_km
        updated = ResidualValueGuarantee.objects.filter(
            pk=offer.pk, status=GuaranteeStatus.OFFERED
        ).update(
            status=GuaranteeStatus.ACTIVE,
            order=order,
            beneficiary=order.buyer_organisation,
            coverage_starts_at=starts_at,
            coverage_ends_on=_last_covered_day(start_day, offer.term_years),
            coverage_start_odometer_km=odometer_km,
            coverage_end_odometer_km=end_odometer_km,
        )
        if updated != 1:
            continue
        GuaranteeEvent.objects.create(
            guarantee=offer,
            from_status=GuaranteeStatus.OFFERED,
            to_status=GuaranteeStatus.ACTIVE,
            actor=actor,
            reason=f"order {order.pk}",
        )
        offer.refresh_from_db()
        attached.append(offer)
    return attached


# --- Claims ------------------------------------------------------------------------------


def _check_claim_certificate(
    guarantee: ResidualValueGuarantee, certificate: SohCertificate
) -> None:
    """The certificate must be a valid one of this pack, issued and tested within the cover."""

    def refuse(message: str) -> DomainError:
        return field_error("certificate", message)

    if certificate.pack_id != guarantee.pack_id:
        raise refuse(_("The certificate is for another pack than the guaranteed one."))
    if certificate.status != CertificateStatus.ISSUED:
        raise refuse(
            _("The certificate is %(status)s; file the claim with a valid one.")
            % {"status": certificate.get_status_display().lower()}
        )
    starts_at = guarantee.coverage_starts_at
    if certificate.issued_at <= starts_at or certificate.tested_on < timezone.localdate(starts_at):
        raise refuse(
            _(
                "The certificate was issued or tested before the purchase on %(date)s; a claim "
                "needs a new test of the pack."
            )
            % {"date": timezone.localdate(starts_at).isoformat()}
        )
    if certificate.tested_on > guarantee.coverage_ends_on:
        raise refuse(
            _("The pack was tested on %(tested)s, after the cover ended on %(end)s.")
            % {
                "tested": certificate.tested_on.isoformat(),
                "end": guarantee.coverage_ends_on.isoformat(),
            }
        )
    if guarantee.coverage_end_odometer_km is not None:
        if certificate.odometer_km is None:
            raise refuse(
                _("The cover is limited to %(km)d km: the certificate must state the odometer.")
                % {"km": guarantee.term_km}
            )
        if certificate.odometer_km > guarantee.coverage_end_odometer_km:
            raise refuse(
                _("The odometer reads %(read)d km, beyond the cover's limit of %(limit)d km.")
                % {
                    "read": certificate.odometer_km,
                    "limit": guarantee.coverage_end_odometer_km,
                }
            )


def _plain(value: Decimal) -> str:
    """5940, not 5940.00 or 5.94E+3."""
    return format(value.normalize(), "f")


def claim_payout_jpy(
    guarantee: ResidualValueGuarantee, *, assessed_soh_pct: Decimal
) -> tuple[Decimal, dict]:
    """The payout owed on a breach, whole yen half-up, and how it was found.

    fixed:     the fixed benefit B
    pro-rata:  (floor - SOH counted) * rate, rate = E_nom * P_ref / 100 JPY per pp, with
               P_ref the JPY/kWh price stored in the guarantee's pricing at offer time
    buy-back:  the guaranteed buy-back price (the pack goes back to the guarantor)
    """
    floor = guarantee.guaranteed_soh_pct
    if guarantee.guarantee_type == GuaranteeType.FIXED:
        return guarantee.fixed_payout_jpy, {"formula": "payout = B"}
    if guarantee.guarantee_type == GuaranteeType.BUY_BACK:
        return guarantee.guaranteed_value_jpy, {
            "formula": "payout = buy-back price; the pack returns to the guarantor"
        }
    rated_kwh = Decimal(guarantee.pricing["rated_capacity_kwh"]).normalize()
    price_jpy_per_kwh = Decimal(guarantee.pricing["price_jpy_per_kwh"]).normalize()
    rate_jpy_per_pp = rated_kwh * price_jpy_per_kwh / HUNDRED
    shortfall_pp = floor - assessed_soh_pct
    amount = (shortfall_pp * rate_jpy_per_pp).quantize(YEN, rounding=ROUND_HALF_UP)
    return amount, {
        "formula": "payout = (SOH_floor - SOH counted) * E_nom * P_ref / 100",
        "shortfall_pp": str(shortfall_pp),
        "rated_capacity_kwh": _plain(rated_kwh),
        "price_jpy_per_kwh": _plain(price_jpy_per_kwh),
        "rate_jpy_per_pp": _plain(rate_jpy_per_pp),
    }


def guarantee_claim_file(
    *, actor: User, guarantee: ResidualValueGuarantee, certificate: SohCertificate
) -> GuaranteeClaim:
    """The buyer claims with a new certificate of the pack; the claim is decided at once.

    The band is read in the guarantor's favour, as the settling tolerance of
    reference_data.yaml `guarantees.payout_formulas` (pro-rata: floor - SOH - tol): the floor
    counts as breached only when the top of the certificate's 95 % band is below it, and a
    pro-rata shortfall is measured from that top. A BMS read-out (+/- 8 pp) must therefore
    show a deeper fall than a full discharge test (+/- 2 pp) before it pays.
    """
    if not actor.is_authenticated or actor.organisation_id is None:
        raise PermissionDeniedError(_("Only the buyer under the guarantee can claim."))
    if guarantee.beneficiary_id != actor.organisation_id:
        raise PermissionDeniedError(_("Only the buyer under the guarantee can claim."))
    if guarantee.status != GuaranteeStatus.ACTIVE:
        raise InvalidTransition(
            _("This guarantee is %(status)s, not in force; it cannot be claimed.")
            % {"status": guarantee.get_status_display().lower()}
        )
    floor = guarantee.guaranteed_soh_pct
    if floor is None:
        raise DomainError(_("This guarantee names no SOH floor, so there is nothing to claim."))
    _check_claim_certificate(guarantee, certificate)

    assessed = certificate.soh_high_pct
    is_breach = assessed < floor
    decision: dict = {
        "rule": "breach when the top of the certificate's 95 % band is below the floor",
        "certificate": str(certificate.uuid),
        "method": certificate.method_code,
        "soh_pct": str(certificate.soh_pct),
        "soh_low_pct": str(certificate.soh_low_pct),
        "soh_high_pct": str(certificate.soh_high_pct),
        "u95_pp": str(certificate.u95_pp),
        "soh_floor_pct": str(floor),
        "tested_on": certificate.tested_on.isoformat(),
        "coverage_ends_on": guarantee.coverage_ends_on.isoformat(),
        "odometer_km": certificate.odometer_km,
        "coverage_end_odometer_km": guarantee.coverage_end_odometer_km,
        "breach": is_breach,
    }
    payout = None
    if is_breach:
        payout, payout_breakdown = claim_payout_jpy(guarantee, assessed_soh_pct=assessed)
        decision["payout"] = {**payout_breakdown, "payout_jpy": str(payout)}
    now = timezone.now()
    new_status = ClaimStatus.PAYOUT_DUE if is_breach else ClaimStatus.NOT_BREACHED
    try:
        with transaction.atomic():
            # Two claims at once must not both be upheld: the guarantee row is the lock.
            locked = ResidualValueGuarantee.objects.select_for_update().get(pk=guarantee.pk)
            if locked.status != GuaranteeStatus.ACTIVE:
                raise InvalidTransition(_("This guarantee has just been claimed or ended."))
            claim = GuaranteeClaim.objects.create(
                guarantee=locked,
                certificate=certificate,
                claimant_id=actor.organisation_id,
                filed_by=actor,
                filed_at=now,
                soh_floor_pct=floor,
                assessed_soh_pct=assessed,
                is_breach=is_breach,
                payout_jpy=payout,
                decision=decision,
                status=new_status,
            )
            GuaranteeClaimEvent.objects.create(
                claim=claim, to_status=new_status, actor=actor, reason=decision["rule"]
            )
            if is_breach:
                _guarantee_move(
                    locked,
                    GuaranteeStatus.CLAIMED,
                    actor=actor,
                    reason=f"claim {claim.pk}: payout {payout} JPY due",
                )
    except IntegrityError:
        raise ConflictError(
            _("A claim with this certificate was already filed under this guarantee."),
            fields={"certificate": [_("This certificate already backs a claim.")]},
        ) from None
    return claim


def _guarantee_move(
    guarantee: ResidualValueGuarantee, to_status: str, *, actor: User | None, reason: str
) -> None:
    if to_status not in GUARANTEE_TRANSITIONS[guarantee.status]:
        raise InvalidTransition()
    updated = ResidualValueGuarantee.objects.filter(
        pk=guarantee.pk, status=guarantee.status
    ).update(status=to_status)
    if updated != 1:
        raise InvalidTransition()
    GuaranteeEvent.objects.create(
        guarantee=guarantee,
        from_status=guarantee.status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    guarantee.status = to_status


def guarantee_claim_mark_paid(
    *, actor: User, claim: GuaranteeClaim, payment_reference: str
) -> GuaranteeClaim:
    """Staff record that the payout of an upheld claim was paid (e.g. the bank reference)."""
    ensure_staff(user=actor)
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise field_error("payment_reference", _("Enter the payment reference."))
    if len(payment_reference) > PAYMENT_REFERENCE_MAX_LENGTH:
        raise field_error(
            "payment_reference",
            _("At most %(count)d characters.") % {"count": PAYMENT_REFERENCE_MAX_LENGTH},
        )
    if ClaimStatus.PAID not in CLAIM_TRANSITIONS[claim.status]:
        raise InvalidTransition(_("Only a claim with a payout due can be marked paid."))
    now = timezone.now()
    with transaction.atomic():
        updated = GuaranteeClaim.objects.filter(pk=claim.pk, status=ClaimStatus.PAYOUT_DUE).update(
            status=ClaimStatus.PAID,
            paid_at=now,
            paid_by=actor,
            payment_reference=payment_reference,
        )
        if updated != 1:
            raise InvalidTransition(_("This payout has already been marked paid."))
        GuaranteeClaimEvent.objects.create(
            claim=claim,
            from_status=ClaimStatus.PAYOUT_DUE,
            to_status=ClaimStatus.PAID,
            actor=actor,
            reason=payment_reference,
        )
    claim.refresh_from_db()
    return claim
