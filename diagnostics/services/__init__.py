"""Writes of the diagnostics app, one module per entity; import them from here."""

from diagnostics.services.certificates import (
    CertificateValues,
    assessment_refresh,
    certificate_issue,
    certificate_revoke,
    certificate_supersede,
    combined_diagnosis,
    ensure_certifier,
)
from diagnostics.services.guarantees import (
    guarantee_attach_to_order,
    guarantee_claim_file,
    guarantee_claim_mark_paid,
    guarantee_offer,
    guarantee_void,
)
from diagnostics.services.methods import (
    ensure_provider,
    registered_method_add,
    registered_method_retire,
)

__all__ = [
    "CertificateValues",
    "assessment_refresh",
    "certificate_issue",
    "certificate_revoke",
    "certificate_supersede",
    "combined_diagnosis",
    "ensure_certifier",
    "ensure_provider",
    "guarantee_attach_to_order",
    "guarantee_claim_file",
    "guarantee_claim_mark_paid",
    "guarantee_offer",
    "guarantee_void",
    "registered_method_add",
    "registered_method_retire",
]
