"""Server-side role checks for both front doors: DRF permission classes and view mixins."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from marketplace.accounts import services
from marketplace.accounts.choices import Role


class IsPlatformStaff(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class CanTrade(permissions.BasePermission):
    """Verified organisation, trading role. Raises the domain error so the code is specific."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        services.ensure_can_trade(user=request.user)
        return True


def has_role(*roles: Role) -> type[permissions.BasePermission]:
    allowed = frozenset(roles)

    class HasRole(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and (user.is_staff or user.role in allowed))

    HasRole.__name__ = "HasRole_" + "_".join(sorted(allowed))
    return HasRole


class RoleRequiredMixin(AccessMixin):
    allowed_roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not (request.user.is_staff or request.user.role in self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
