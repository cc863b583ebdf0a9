"""Compliance domain errors."""

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import DomainError, PermissionDeniedError


class RulesUnavailable(Exception):
    """The rules could not be read right now (e.g. a file being replaced); worth a retry."""


class ConflictOfInterest(PermissionDeniedError):
    code = "conflict_of_interest"
    default_message = _(
        "Your organisation is a party to this shipment, so you may not decide its case."
    )


class ApprovalRequirementsNotMet(DomainError):
    code = "approval_requirements_not_met"
    status = 409
    default_message = _("The case cannot be approved yet.")


class CaseInputError(DomainError):
    code = "invalid_case_input"


class SecondOfficerRequired(PermissionDeniedError):
    code = "second_officer_required"
    default_message = _(
        "You gave this high-risk case its first approval; a different officer must confirm it."
    )
