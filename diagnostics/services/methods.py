"""Providers register and retire the methods and instruments they certify with."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diagnostics.models import RegisteredMethod
from diagnostics.reference import reference_data
from marketplace.accounts.choices import Role
from marketplace.accounts.models import Organisation, User
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    OrganisationNotVerified,
    PermissionDeniedError,
)


def ensure_provider(*, user: User) -> Organisation:
    """Only members of a verified diagnostics-provider organisation register methods."""
    if not user.is_authenticated or user.organisation is None:
        raise PermissionDeniedError(_("Only diagnostics providers can register methods."))
    if user.role != Role.DIAGNOSTICS_PROVIDER:
        raise PermissionDeniedError(_("Only diagnostics providers can register methods."))
    if not user.organisation.can_trade():
        raise OrganisationNotVerified()
    return user.organisation


def registered_method_add(
    *,
    actor: User,
    method_code: str,
    instrument_make: str,
    instrument_model: str,
    instrument_serial: str = "",
    calibration_date: date | None = None,
    accreditation: str = "",
    stated_u95_pp: Decimal | None = None,
) -> RegisteredMethod:
    organisation = ensure_provider(user=actor)
    methods = reference_data().methods
    if method_code not in methods:
        message = _("Unknown method %(method)s; known methods: %(known)s.") % {
            "method": method_code,
            "known": ", ".join(methods),
        }
        raise DomainError(message, fields={"method_code": [message]})
    if stated_u95_pp is not None and not methods[method_code].gives_headline_soh:
        message = _("This method gives no headline SOH, so it has no SOH uncertainty.")
        raise DomainError(message, fields={"stated_u95_pp": [message]})
    if stated_u95_pp is not None and stated_u95_pp <= 0:
        message = _("Must be greater than zero.")
        raise DomainError(message, fields={"stated_u95_pp": [message]})
    if calibration_date is not None and calibration_date > timezone.localdate():
        message = _("The calibration date cannot be in the future.")
        raise DomainError(message, fields={"calibration_date": [message]})
    try:
        # The savepoint keeps an outer transaction usable after a duplicate is refused.
        with transaction.atomic():
            return RegisteredMethod.objects.create(
                organisation=organisation,
                method_code=method_code,
                instrument_make=instrument_make.strip(),
                instrument_model=instrument_model.strip(),
                instrument_serial=instrument_serial.strip(),
                calibration_date=calibration_date,
                accreditation=accreditation.strip(),
                stated_u95_pp=stated_u95_pp,
                registered_by=actor,
            )
    except IntegrityError as error:
        raise ConflictError(_("This method is already registered on this instrument.")) from error


def registered_method_retire(*, registration: RegisteredMethod, actor: User) -> RegisteredMethod:
    """Stop offering a method; the row stays for the certificates that cite it."""
    organisation = ensure_provider(user=actor)
    if registration.organisation_id != organisation.pk:
        raise PermissionDeniedError(_("You can only change your own organisation's methods."))
    now = timezone.now()
    # Two members may retire the same registration at once; only one update may win.
    updated = RegisteredMethod.objects.filter(pk=registration.pk, is_active=True).update(
        is_active=False, retired_at=now
    )
    if updated != 1:
        raise InvalidTransition(_("This registration is already retired."))
    registration.refresh_from_db()
    return registration
