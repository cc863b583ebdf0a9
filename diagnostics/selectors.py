"""Reads of the diagnostics app; who may see which certificate is decided here, once."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from diagnostics.choices import SHOWN_GUARANTEE_STATUSES, CertificateStatus, GuaranteeStatus
from diagnostics.content import content_sha256
from diagnostics.engine.valuation import MetalPrice
from diagnostics.models import (
    GuaranteeClaim,
    PackAssessment,
    RegisteredMethod,
    ResidualValueGuarantee,
    SohCertificate,
)
from diagnostics.reference import reference_data
from marketplace.catalog.models import BatteryPack
from marketplace.catalog.selectors import listings_for_user
from marketplace.trading.selectors import reference_prices_on


def metal_prices_on(on: datetime.date | None = None) -> dict[str, MetalPrice]:
    """The platform's latest reference metal prices (JPY/kg contained) effective on `on`
    (default today): the recycling-value floor of every valuation."""
    on = on or timezone.localdate()
    return {
        element: MetalPrice(
            price_jpy_per_kg=row.price_jpy_per_kg,
            effective_date=row.effective_date.isoformat(),
            source=row.source,
        )
        for element, row in reference_prices_on(on).items()
    }


def method_catalogue() -> dict:
    """{version, methods: [...]} with every sourced value as {value, source, quality}."""
    data = reference_data()
    return {
        "version": data.methods_version,
        "methods": [
            {
                "code": method.code,
                "name": method.name,
                "reference_code": method.reference_code,
                "measures": {**method.measures.describe(), "value": list(method.measures.value)},
                "typical_duration": method.typical_duration.describe(),
                "equipment": method.equipment.describe(),
                "u95_pp": method.u95_pp.describe(),
                "gives_headline_soh": method.gives_headline_soh,
                "reproducibility": method.reproducibility,
            }
            for method in data.methods.values()
        ],
    }


def sources() -> dict[str, dict]:
    """Source key -> {title, url}, for citing values on the pages."""
    return reference_data().sources


def registered_methods_for_user(*, user) -> QuerySet[RegisteredMethod]:
    """The caller's own organisation's registrations, active and retired."""
    if not user.is_authenticated or user.organisation_id is None:
        return RegisteredMethod.objects.none()
    return RegisteredMethod.objects.filter(organisation_id=user.organisation_id).select_related(
        "organisation"
    )


def registered_method_get_for_user(*, user, pk: int) -> RegisteredMethod:
    try:
        return registered_methods_for_user(user=user).get(pk=pk)
    except RegisteredMethod.DoesNotExist as error:
        raise Http404 from error


def active_methods_of_organisation(*, organisation_id: int) -> QuerySet[RegisteredMethod]:
    """What a provider offers: public, for buyers comparing certificates."""
    return RegisteredMethod.objects.filter(organisation_id=organisation_id, is_active=True)


# --- Certificates, assessments, guarantees ----------------------------------------------
#
# EU Battery Regulation Annex VII: SOH and its history are for persons with a legitimate
# interest. Here that is platform staff, the item's owner, the issuing provider, and any
# signed-in member of a verified organisation for items whose listing they can see. Raw
# data stays with the owner, the provider and staff (the buyer after an order: not yet).


def _has_legitimate_interest(user) -> bool:
    return bool(
        user.is_authenticated and user.organisation_id is not None and user.organisation.can_trade()
    )


def _visible_item_ids(user) -> tuple[QuerySet, QuerySet]:
    listings = listings_for_user(user=user)
    return (
        listings.filter(pack__isnull=False).values("pack_id"),
        listings.filter(module_lot__isnull=False).values("module_lot_id"),
    )


def certificates_for_user(*, user) -> QuerySet[SohCertificate]:
    queryset = SohCertificate.objects.select_related(
        "provider", "pack", "module_lot", "registered_method", "supersedes", "superseded_by"
    )
    if user.is_authenticated and user.is_staff:
        return queryset
    if not user.is_authenticated or user.organisation_id is None:
        return queryset.none()
    organisation_id = user.organisation_id
    allowed = (
        Q(provider_id=organisation_id)
        | Q(pack__owner_id=organisation_id)
        | Q(module_lot__owner_id=organisation_id)
    )
    if _has_legitimate_interest(user):
        pack_ids, module_lot_ids = _visible_item_ids(user)
        allowed |= Q(pack_id__in=pack_ids) | Q(module_lot_id__in=module_lot_ids)
    return queryset.filter(allowed)


def certificate_get_for_user(*, user, uuid) -> SohCertificate:
    try:
        return certificates_for_user(user=user).get(uuid=uuid)
    except (SohCertificate.DoesNotExist, ValidationError) as error:
        raise Http404 from error


def certificate_get_public(*, uuid) -> SohCertificate:
    """For the verification page: anyone holding the link may check the statement."""
    try:
        return SohCertificate.objects.select_related("provider", "supersedes", "superseded_by").get(
            uuid=uuid
        )
    except (SohCertificate.DoesNotExist, ValidationError) as error:
        raise Http404 from error


def may_see_raw_data(*, user, certificate: SohCertificate) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    subject = certificate.subject
    return user.organisation_id is not None and user.organisation_id in (
        certificate.provider_id,
        subject.owner_id,
    )


def certificate_verification(*, certificate: SohCertificate) -> dict:
    """Re-hash the stored content (and the raw file) and compare with the recorded hashes."""
    computed = content_sha256(certificate)
    raw_matches = None
    if certificate.raw_data:
        with certificate.raw_data.open("rb") as handle:
            raw_matches = hashlib.sha256(handle.read()).hexdigest() == certificate.raw_data_sha256
    successor = getattr(certificate, "superseded_by", None)
    return {
        "uuid": certificate.uuid,
        "status": certificate.status,
        "provider": certificate.provider.legal_name,
        "subject": certificate.subject_label,
        "tested_on": certificate.tested_on,
        "issued_at": certificate.issued_at,
        "soh_pct": certificate.soh_pct,
        "soh_low_pct": certificate.soh_low_pct,
        "soh_high_pct": certificate.soh_high_pct,
        "grade": certificate.grade,
        "content_sha256": certificate.content_sha256,
        "computed_sha256": computed,
        "content_matches": computed == certificate.content_sha256,
        "raw_data_matches": raw_matches,
        "superseded_by": successor.uuid if successor is not None else None,
    }


def subject_visible_to_user(*, user, subject) -> bool:
    """Whether the user may see an item's SOH history (Annex VII, see above)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if user.organisation_id is None:
        return False
    if subject.owner_id == user.organisation_id:
        return True
    if subject.soh_certificates.filter(provider_id=user.organisation_id).exists():
        return True
    if not _has_legitimate_interest(user):
        return False
    item = "pack" if isinstance(subject, BatteryPack) else "module_lot"
    return listings_for_user(user=user).filter(**{item: subject}).exists()


# Ids beyond a 32-bit integer cannot exist; refusing them early keeps the database from
# overflowing on a guessed id (PostgreSQL integer columns).
MAX_ID = 2**31 - 1


def is_valid_id(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def pack_get_for_user(*, user, pk: int) -> BatteryPack:
    pack = BatteryPack.objects.filter(pk=pk).first() if is_valid_id(pk) else None
    if pack is None or not subject_visible_to_user(user=user, subject=pack):
        raise Http404
    return pack


def assessment_of(subject) -> PackAssessment | None:
    key = "pack" if isinstance(subject, BatteryPack) else "module_lot"
    return PackAssessment.objects.filter(**{key: subject}).first()


def certificate_history(subject) -> QuerySet[SohCertificate]:
    """Every certificate of the item, oldest test first (revoked ones included, marked)."""
    return subject.soh_certificates.select_related("provider").order_by(
        "tested_on", "issued_at", "pk"
    )


def guarantees_for_user(*, user) -> QuerySet[ResidualValueGuarantee]:
    """Staff: all (the platform's own guarantees included). Others: those their organisation
    gives or holds as buyer, and offers on packs whose listing they may see."""
    queryset = ResidualValueGuarantee.objects.select_related("pack", "guarantor", "beneficiary")
    if user.is_authenticated and user.is_staff:
        return queryset
    if not user.is_authenticated or user.organisation_id is None:
        return queryset.none()
    allowed = Q(guarantor_id=user.organisation_id) | Q(beneficiary_id=user.organisation_id)
    if _has_legitimate_interest(user):
        pack_ids, _module_lot_ids = _visible_item_ids(user)
        # Others see open offers only: a guarantee in force names the buyer and its cover.
        allowed |= Q(pack_id__in=pack_ids, status=GuaranteeStatus.OFFERED)
    return queryset.filter(allowed)


def guarantee_get_for_user(*, user, pk: int) -> ResidualValueGuarantee:
    if not is_valid_id(pk):
        raise Http404
    try:
        return guarantees_for_user(user=user).get(pk=pk)
    except ResidualValueGuarantee.DoesNotExist as error:
        raise Http404 from error


def item_is_damaged_for_transport(item) -> bool:
    """True when a valid certificate of the pack or module lot reports a safety finding:
    for the transport classification (damaged/defective battery) of a shipment."""
    return PackAssessment.objects.filter(
        **{"module_lot" if item.__class__.__name__ == "ModuleLot" else "pack": item},
        damaged_for_transport=True,
    ).exists()


def current_certificate(item) -> SohCertificate | None:
    """The newest issued (neither superseded nor revoked) certificate of a pack or module lot:
    the functional-test evidence a shipment's classification relies on."""
    return item.soh_certificates.filter(status=CertificateStatus.ISSUED).first()


def claims_for_user(*, user) -> QuerySet[GuaranteeClaim]:
    """Staff see every claim (the platform pays its own); a guarantor sees the claims
    against it; the buyer sees its own."""
    queryset = GuaranteeClaim.objects.select_related(
        "guarantee__pack", "guarantee__guarantor", "certificate", "claimant"
    )
    if user.is_authenticated and user.is_staff:
        return queryset
    if not user.is_authenticated or user.organisation_id is None:
        return queryset.none()
    return queryset.filter(
        Q(guarantee__guarantor_id=user.organisation_id) | Q(claimant_id=user.organisation_id)
    )


def claim_get_for_user(*, user, pk: int) -> GuaranteeClaim:
    if not is_valid_id(pk):
        raise Http404
    try:
        return claims_for_user(user=user).get(pk=pk)
    except GuaranteeClaim.DoesNotExist as error:
        raise Http404 from error


def guarantees_of_order(*, order, user) -> list[ResidualValueGuarantee]:
    """The guarantees attached to an order, with their claims, as the user may see them."""
    return list(
        guarantees_for_user(user=user)
        .filter(order_id=order.pk)
        .prefetch_related("claims__certificate")
        .order_by("pk")
    )


def claimable_certificates(*, guarantee: ResidualValueGuarantee) -> QuerySet[SohCertificate]:
    """Valid certificates of the guaranteed pack issued after the purchase, not yet claimed."""
    if guarantee.coverage_starts_at is None:
        return SohCertificate.objects.none()
    return (
        guarantee.pack.soh_certificates.filter(
            status="issued", issued_at__gt=guarantee.coverage_starts_at
        )
        .exclude(guarantee_claims__guarantee=guarantee)
        .select_related("provider")
        .order_by("-tested_on", "-pk")
    )


def shown_guarantees(pack: BatteryPack) -> QuerySet[ResidualValueGuarantee]:
    return pack.guarantees.filter(status__in=sorted(SHOWN_GUARANTEE_STATUSES)).select_related(
        "guarantor"
    )


def assessment_for_listing(*, listing, user) -> dict:
    """Everything the listing page's diagnostics panel shows, or `visible: False`."""
    subject = listing.soh_holder
    if subject is None:
        return {"applies": False}
    if not subject_visible_to_user(user=user, subject=subject):
        return {"applies": True, "visible": False}
    is_pack = isinstance(subject, BatteryPack)
    return {
        "applies": True,
        "visible": True,
        "subject": subject,
        "is_pack": is_pack,
        "assessment": assessment_of(subject),
        "certificates": list(certificate_history(subject).order_by("-tested_on", "-pk")),
        "guarantees": list(shown_guarantees(subject)) if is_pack else [],
        "is_owner": user.organisation_id == subject.owner_id,
    }
