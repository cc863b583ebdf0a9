"""Domain errors of the diagnostics app."""

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import ConflictError, DomainError


class DiagnoseInputError(DomainError):
    """The diagnose input is incomplete or out of range; `fields` names each problem."""

    code = "validation_error"
    default_message = _("The diagnosis input is not valid.")

    def __init__(self, message: str | None = None, *, fields: dict | None = None) -> None:
        super().__init__(message or _first_message(fields), fields=fields)

    def one_line(self) -> str:
        """All problems on one line, for the command's stderr."""
        if not self.fields:
            return self.message
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in self.fields.items())


def _first_message(fields: dict | None) -> str | None:
    for field, messages in (fields or {}).items():
        if messages:
            return f"{field}: {messages[0]}"
    return None


class CertificateImmutable(ConflictError):
    """An issued certificate is a signed statement: its content never changes after issue.
    Only its status moves (supersede, revoke), through the services."""

    code = "certificate_immutable"
    default_message = _(
        "An issued certificate cannot be changed; supersede it with a new one or revoke it."
    )
