"""Writes and workflows for organisations, people, permits and API tokens."""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.choices import (
    TRADING_ROLES,
    VERIFICATION_TRANSITIONS,
    WASTE_BUYING_PERMITS,
    PermitKind,
    Role,
    VerificationStatus,
)
from marketplace.accounts.models import ApiToken, Organisation, OrganisationEvent, Permit, User
from marketplace.core.exceptions import (
    ConflictError,
    DomainError,
    InvalidTransition,
    OrganisationNotVerified,
    PermissionDeniedError,
)

# Changing any of these after verification sends the organisation back to staff.
IDENTITY_FIELDS = ("legal_name", "country", "business_registration_number")
EDITABLE_FIELDS = (
    "legal_name",
    "trade_name",
    "country",
    "region",
    "address",
    "postal_code",
    "business_registration_number",
    "phone",
    "website",
)


# --- Policies -------------------------------------------------------------------------


def ensure_staff(*, user: User) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDeniedError(_("Only platform staff can do this."))


def ensure_can_trade(*, user: User) -> Organisation:
    """The gate in front of every market action: a trading role in a verified organisation."""
    if not user.is_authenticated:
        raise PermissionDeniedError(_("Log in to trade."))
    if user.organisation is None or user.role not in TRADING_ROLES:
        raise PermissionDeniedError(
            _("Only dealers, reuse makers and recyclers trade on the market.")
        )
    if not user.organisation.can_trade():
        raise OrganisationNotVerified()
    return user.organisation


def ensure_organisation_admin(*, user: User, organisation: Organisation) -> None:
    if user.is_staff:
        return
    if user.organisation_id != organisation.pk or not user.is_organisation_admin:
        raise PermissionDeniedError(
            _("Only an administrator of this organisation can change its details.")
        )


def organisation_may_buy_waste(*, organisation: Organisation, on: date) -> bool:
    """End-of-life packs and black mass are waste: the buyer needs a valid handling permit."""
    return any(
        permit.kind in WASTE_BUYING_PERMITS and permit.is_valid_on(on)
        for permit in organisation.permits.all()
    )


# --- Organisations --------------------------------------------------------------------


def _record_transition(
    *, organisation: Organisation, to_status: str, actor: User | None, reason: str
) -> Organisation:
    """Move an organisation along VERIFICATION_TRANSITIONS with an event row.

    The conditional update means two staff members deciding at once cannot both win:
    the second sees zero rows updated and gets InvalidTransition.
    """
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        from_status = current.verification_status
        if to_status not in VERIFICATION_TRANSITIONS.get(from_status, frozenset()):
            raise InvalidTransition(
                _("An organisation that is %(current)s cannot become %(target)s.")
                % {
                    "current": VerificationStatus(from_status).label,
                    "target": VerificationStatus(to_status).label,
                }
            )
        now = timezone.now()
        Organisation.objects.filter(pk=current.pk, verification_status=from_status).update(
            verification_status=to_status,
            status_reason=reason,
            verified_at=now if to_status == VerificationStatus.VERIFIED else current.verified_at,
            updated_at=now,
        )
        OrganisationEvent.objects.create(
            organisation=current,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=reason,
        )
    organisation.refresh_from_db()
    return organisation


def organisation_sign_up(
    *,
    legal_name: str,
    country: str,
    region: str,
    address: str,
    business_registration_number: str,
    username: str,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    trade_name: str = "",
    postal_code: str = "",
    phone: str = "",
    website: str = "",
) -> tuple[Organisation, User]:
    """Create a pending organisation and its first user, who administers it."""
    if role not in Role.values:
        raise DomainError(_("Choose a valid role."), fields={"role": [_("Choose a valid role.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(
            _("That username is taken."), fields={"username": [_("That username is taken.")]}
        )
    if Organisation.objects.filter(
        country=country, business_registration_number=business_registration_number
    ).exists():
        message = _("An organisation with this registration number is already registered.")
        raise ConflictError(message, fields={"business_registration_number": [message]})
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                legal_name=legal_name,
                trade_name=trade_name,
                country=country,
                region=region,
                address=address,
                postal_code=postal_code,
                business_registration_number=business_registration_number,
                phone=phone,
                website=website,
            )
            OrganisationEvent.objects.create(
                organisation=organisation,
                to_status=VerificationStatus.PENDING,
                reason="signed up",
            )
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                organisation=organisation,
                role=role,
                is_organisation_admin=True,
            )
    except IntegrityError:
        # A concurrent sign-up with the same username or registration number won the race.
        raise ConflictError(_("This organisation or username was just registered.")) from None
    return organisation, user


def organisation_update(*, organisation: Organisation, actor: User, **changes: str) -> Organisation:
    ensure_organisation_admin(user=actor, organisation=organisation)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    identity_changed = any(
        field in changes and str(changes[field]) != str(getattr(organisation, field))
        for field in IDENTITY_FIELDS
    )
    with transaction.atomic():
        for field, value in changes.items():
            setattr(organisation, field, value)
        try:
            with transaction.atomic():
                organisation.save(update_fields=[*changes, "updated_at"])
        except IntegrityError:
            message = _("An organisation with this registration number is already registered.")
            raise ConflictError(
                message, fields={"business_registration_number": [message]}
            ) from None
        if identity_changed and organisation.verification_status != VerificationStatus.PENDING:
            _record_transition(
                organisation=organisation,
                to_status=VerificationStatus.PENDING,
                actor=actor,
                reason="identity details changed; to be verified again",
            )
    return organisation


def organisation_verify(*, organisation: Organisation, actor: User) -> Organisation:
    ensure_staff(user=actor)
    return _record_transition(
        organisation=organisation, to_status=VerificationStatus.VERIFIED, actor=actor, reason=""
    )


def organisation_reject(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    ensure_staff(user=actor)
    if not reason.strip():
        message = _("Give the organisation a reason it can act on.")
        raise DomainError(message, fields={"reason": [message]})
    return _record_transition(
        organisation=organisation, to_status=VerificationStatus.REJECTED, actor=actor, reason=reason
    )


def organisation_suspend(*, organisation: Organisation, actor: User, reason: str) -> Organisation:
    ensure_staff(user=actor)
    if not reason.strip():
        message = _("Give the organisation a reason it can act on.")
        raise DomainError(message, fields={"reason": [message]})
    return _record_transition(
        organisation=organisation,
        to_status=VerificationStatus.SUSPENDED,
        actor=actor,
        reason=reason,
    )


# --- Permits --------------------------------------------------------------------------


def permit_add(
    *,
    organisation: Organisation,
    actor: User,
    kind: str,
    number: str,
    issuing_authority: str,
    valid_from: date,
    expires_on: date,
) -> Permit:
    ensure_organisation_admin(user=actor, organisation=organisation)
    if kind not in PermitKind.values:
        raise DomainError(_("Choose a valid permit kind."), fields={"kind": [_("Unknown kind.")]})
    if expires_on < valid_from:
        message = _("A permit cannot expire before it starts.")
        raise DomainError(message, fields={"expires_on": [message]})
    try:
        with transaction.atomic():
            return Permit.objects.create(
                organisation=organisation,
                kind=kind,
                number=number,
                issuing_authority=issuing_authority,
                valid_from=valid_from,
                expires_on=expires_on,
            )
    except IntegrityError:
        message = _("This permit is already recorded.")
        raise ConflictError(message, fields={"number": [message]}) from None


def permit_remove(*, permit: Permit, actor: User) -> None:
    ensure_organisation_admin(user=actor, organisation=permit.organisation)
    permit.delete()


# --- API tokens -----------------------------------------------------------------------


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is not stored and not shown again."""
    name = name.strip()
    if not name:
        message = _("Name the token after the integration that will use it.")
        raise DomainError(message, fields={"name": [message]})
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_sha256=ApiToken.hash_key(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDeniedError(_("You can only revoke your own tokens."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
