from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DEALER = "dealer", _("Dealer")
    REUSE_MAKER = "reuse_maker", _("Reuse maker")
    RECYCLER = "recycler", _("Recycler (smelter/refiner)")
    DIAGNOSTICS_PROVIDER = "diagnostics_provider", _("Diagnostics provider")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")


# Roles that buy or sell on the market; the others certify or approve.
TRADING_ROLES = frozenset({Role.DEALER, Role.REUSE_MAKER, Role.RECYCLER})


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


# A rejected or verified organisation returns to PENDING when it changes the details
# staff checked (legal name, country, registration number), so they are checked again.
VERIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.PENDING: frozenset(
        {VerificationStatus.VERIFIED, VerificationStatus.REJECTED}
    ),
    VerificationStatus.VERIFIED: frozenset(
        {VerificationStatus.SUSPENDED, VerificationStatus.PENDING}
    ),
    VerificationStatus.REJECTED: frozenset({VerificationStatus.PENDING}),
    VerificationStatus.SUSPENDED: frozenset(
        {VerificationStatus.VERIFIED, VerificationStatus.PENDING}
    ),
}


class PermitKind(models.TextChoices):
    WASTE_HANDLING = "waste_handling", _("Industrial waste handling (disposal/recycling)")
    WASTE_COLLECTION = "waste_collection", _("Industrial waste collection and transport")
    SECOND_HAND_DEALER = "second_hand_dealer", _("Second-hand dealer licence")
    EXPORT_APPROVAL = "export_approval", _("Export approval (Basel Act / waste act)")
    IMPORT_APPROVAL = "import_approval", _("Import approval")
    OTHER = "other", _("Other")


# Buying end-of-life packs or black mass is handling waste: the buyer needs one of these.
WASTE_BUYING_PERMITS = frozenset({PermitKind.WASTE_HANDLING})
