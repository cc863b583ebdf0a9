from django.contrib import admin

from marketplace.circularity.models import DomesticFirstPolicy, PassportRecord
from marketplace.circularity.services import policy


@admin.register(PassportRecord)
class PassportRecordAdmin(admin.ModelAdmin):
    list_display = ["passport_id", "pack", "created_at"]
    search_fields = ["passport_id", "pack__serial_number", "pack__manufacturer"]
    readonly_fields = ["pack", "passport_id", "created_at"]

    def has_add_permission(self, request) -> bool:
        # Records are created by the passport service when a pack's passport is first shown.
        return False


@admin.register(DomesticFirstPolicy)
class DomesticFirstPolicyAdmin(admin.ModelAdmin):
    """Versions are added, never edited or deleted: the history explains past sales.

    Adding goes through services.policy.policy_record, like the staff page
    (/circularity/staff/domestic-first/), so the same rules apply.
    """

    list_display = ["listing_type", "window_hours", "effective_from", "changed_by", "reason"]
    list_filter = ["listing_type"]
    fields = [
        "listing_type",
        "window_hours",
        "partner_countries",
        "exempt_organisations",
        "effective_from",
        "reason",
    ]
    filter_horizontal = ["exempt_organisations"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        recorded = policy.policy_record(
            actor=request.user,
            listing_type=obj.listing_type,
            window_hours=obj.window_hours,
            partner_countries=obj.partner_countries or [],
            exempt_organisations=form.cleaned_data.get("exempt_organisations") or [],
            effective_from=obj.effective_from,
            reason=obj.reason,
        )
        obj.pk = recorded.pk
        obj.changed_by = recorded.changed_by
        obj.created_at = recorded.created_at
