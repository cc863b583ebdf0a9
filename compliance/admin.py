"""Admin for staff to look cases up. Decisions, consents and documents go through the case
pages (services, events), so everything here is read-only."""

from django.contrib import admin

from compliance.models import CaseCheck, CaseDocument, CaseEvent, ConsentRequest, ShipmentCase


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseCheckInline(_ReadOnlyInline):
    model = CaseCheck
    fields = ["code", "outcome", "confidence", "rule_ids", "rules_version", "acknowledged_at"]


class ConsentInline(_ReadOnlyInline):
    model = ConsentRequest
    fields = ["country", "role", "status", "notification_sent_on", "tacit_deadline", "decided_on"]


class DocumentInline(_ReadOnlyInline):
    model = CaseDocument
    fields = ["code", "received", "received_at", "original_name"]


class EventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "reason", "hash"]
    readonly_fields = ["created_at"]


@admin.register(ShipmentCase)
class ShipmentCaseAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "listing",
        "buyer_organisation",
        "origin",
        "destination",
        "status",
        "risk_level",
    ]
    list_filter = ["status", "risk_level", "material", "destination"]
    search_fields = ["listing__title", "buyer_organisation__legal_name", "order_reference"]
    inlines = [CaseCheckInline, ConsentInline, DocumentInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
