"""Certificate and guarantee statuses with the moves each allows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")


# A certificate is a statement about one test: it never goes back to ISSUED. A superseded
# certificate stays superseded even if its successor is later revoked (the provider issues
# a new one instead), so the chain of statements reads the same forever.
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.ISSUED: frozenset({CertificateStatus.SUPERSEDED, CertificateStatus.REVOKED}),
    CertificateStatus.SUPERSEDED: frozenset(),
    CertificateStatus.REVOKED: frozenset(),
}

# Only these count towards a pack's combined estimate.
VALID_CERTIFICATE_STATUSES = frozenset({CertificateStatus.ISSUED})


class CertificateEventKind(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")


class GuaranteeType(models.TextChoices):
    """What a breach of the SOH floor pays (diagnostics.md 3.4, reference_data `guarantees`)."""

    BUY_BACK = "buy_back", _("Buy-back at a guaranteed price")
    CAPACITY_WARRANTY = "capacity_warranty", _("Pro-rata capacity warranty")
    FIXED = "fixed", _("Fixed benefit")


class GuaranteeStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    CLAIMED = "claimed", _("Claimed")
    VOID = "void", _("Void")


# OFFERED -> ACTIVE happens when the pack is sold with the guarantee (the order's award
# attaches it); ACTIVE ends by expiry, an upheld claim (CLAIMED), or being voided by staff.
GUARANTEE_TRANSITIONS: dict[str, frozenset[str]] = {
    GuaranteeStatus.OFFERED: frozenset({GuaranteeStatus.ACTIVE, GuaranteeStatus.VOID}),
    GuaranteeStatus.ACTIVE: frozenset(
        {GuaranteeStatus.EXPIRED, GuaranteeStatus.CLAIMED, GuaranteeStatus.VOID}
    ),
    GuaranteeStatus.EXPIRED: frozenset(),
    GuaranteeStatus.CLAIMED: frozenset(),
    GuaranteeStatus.VOID: frozenset(),
}

SHOWN_GUARANTEE_STATUSES = frozenset({GuaranteeStatus.OFFERED, GuaranteeStatus.ACTIVE})


class ClaimStatus(models.TextChoices):
    NOT_BREACHED = "not_breached", _("No breach shown")
    PAYOUT_DUE = "payout_due", _("Payout due")
    PAID = "paid", _("Paid")


# A claim is decided when it is filed: either the certificate shows no breach (final; the
# buyer may claim again with a later certificate) or a payout falls due, which staff mark paid.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.NOT_BREACHED: frozenset(),
    ClaimStatus.PAYOUT_DUE: frozenset({ClaimStatus.PAID}),
    ClaimStatus.PAID: frozenset(),
}
