"""Reads of organisations and people; ownership is enforced here, once."""

from django.db.models import QuerySet
from django.http import Http404

from marketplace.accounts.choices import VerificationStatus
from marketplace.accounts.models import ApiToken, Organisation, Permit, User


def organisations_for_user(*, user: User) -> QuerySet[Organisation]:
    queryset = Organisation.objects.prefetch_related("permits")
    if user.is_staff:
        return queryset
    return queryset.filter(pk=user.organisation_id)


def organisation_get_for_user(*, user: User, pk: int) -> Organisation:
    """Another organisation's private details are not found, not forbidden: don't leak ids."""
    try:
        return organisations_for_user(user=user).get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None


def organisations_pending_verification() -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(verification_status=VerificationStatus.PENDING)
        .prefetch_related("members", "permits")
        .order_by("created_at")
    )


def permits_for_user(*, user: User) -> QuerySet[Permit]:
    queryset = Permit.objects.select_related("organisation")
    if user.is_staff:
        return queryset
    return queryset.filter(organisation_id=user.organisation_id)


def permit_get_for_user(*, user: User, pk: int) -> Permit:
    try:
        return permits_for_user(user=user).get(pk=pk)
    except Permit.DoesNotExist:
        raise Http404 from None


def members_for_user(*, user: User) -> QuerySet[User]:
    if user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id, is_active=True).order_by(
        "username"
    )


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    try:
        return api_tokens_for_user(user=user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
