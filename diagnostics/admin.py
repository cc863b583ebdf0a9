from django.contrib import admin

from diagnostics.models import (
    PackAssessment,
    RegisteredMethod,
    ResidualValueGuarantee,
    SohCertificate,
)


@admin.register(RegisteredMethod)
class RegisteredMethodAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "method_code",
        "instrument_make",
        "instrument_model",
        "calibration_date",
        "stated_u95_pp",
        "is_active",
    ]
    list_filter = ["method_code", "is_active"]
    search_fields = ["organisation__legal_name", "instrument_make", "instrument_model"]
    raw_id_fields = ["organisation", "registered_by"]
    readonly_fields = ["created_at", "retired_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Certificates and guarantees change only through their services (events, hashes)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SohCertificate)
class SohCertificateAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "provider", "subject_label", "tested_on", "soh_pct", "grade", "status"]
    list_filter = ["status", "method_code", "grade"]
    search_fields = ["uuid", "subject_label", "provider__legal_name"]


@admin.register(PackAssessment)
class PackAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["pack", "module_lot", "certificate_count", "soh_pct", "grade", "conflict"]
    list_filter = ["conflict", "grade"]


@admin.register(ResidualValueGuarantee)
class ResidualValueGuaranteeAdmin(ReadOnlyAdmin):
    list_display = ["pack", "guarantor", "guarantee_type", "term_years", "premium_jpy", "status"]
    list_filter = ["guarantee_type", "status"]
