from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from marketplace.accounts import services
from marketplace.accounts.models import ApiToken, Organisation, OrganisationEvent, Permit, User
from marketplace.core.exceptions import DomainError


class PermitInline(admin.TabularInline):
    model = Permit
    extra = 0


class EventInline(admin.TabularInline):
    model = OrganisationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "country", "region", "verification_status", "created_at"]
    list_filter = ["verification_status", "country"]
    search_fields = ["legal_name", "trade_name", "business_registration_number"]
    # Status changes go through the services (actions below) so each leaves an event row.
    readonly_fields = ["verification_status", "verified_at", "status_reason"]
    inlines = [PermitInline, EventInline]
    actions = ["verify_selected"]

    @admin.action(description="Verify selected organisations")
    def verify_selected(self, request, queryset):
        for organisation in queryset:
            try:
                services.organisation_verify(organisation=organisation, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{organisation}: {error.message}", messages.WARNING)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Organisation", {"fields": ("organisation", "role", "is_organisation_admin")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Organisation", {"fields": ("organisation", "role", "is_organisation_admin")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "key_sha256", "created_at", "last_used_at"]
