"""Trading errors with the codes the API and the pages show (see core.exceptions for the shape)."""

from django.utils.translation import gettext_lazy as _

from marketplace.core.exceptions import ConflictError, DomainError, PermissionDeniedError


class SaleClosed(ConflictError):
    code = "sale_closed"
    default_message = _("This sale is not taking bids.")


class PermitRequired(PermissionDeniedError):
    code = "permit_required"
    default_message = _(
        "Buying this lot is waste handling: your organisation needs a valid waste-handling "
        "permit on file."
    )


class OwnListing(PermissionDeniedError):
    code = "own_listing"
    default_message = _("You cannot bid on or buy your own organisation's lot.")


class DomesticFirstWindow(PermissionDeniedError):
    code = "domestic_first_window"


class DestinationBlocked(PermissionDeniedError):
    code = "destination_blocked"


class BidTooLow(DomainError):
    code = "bid_too_low"


class NotAvailable(ConflictError):
    code = "not_available"
