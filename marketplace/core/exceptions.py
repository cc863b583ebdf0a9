"""Domain errors: raised by services, turned into one HTTP shape by both front doors.

The API answers `{"error": {"code", "message", "fields"}}` with `status`; HTML views put
`message` on the form (and `fields` on the named fields).
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = str(message if message is not None else self.default_message)
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class OrganisationNotVerified(PermissionDeniedError):
    code = "organisation_not_verified"
    default_message = _(
        "Your organisation has not been verified by platform staff yet, so it cannot trade."
    )


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_message = _("This change is not allowed in the current state.")


class ConflictError(DomainError):
    code = "conflict"
    status = 409
