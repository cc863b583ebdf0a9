"""Shipment cases: one cross-border movement of a listing to a buyer, its checks, consents,
documents and audit trail.

A case is keyed on what is known at award time (listing, buyer organisation, destination);
trading links its order through `order_reference` once orders exist for every path.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from compliance.choices import (
    CLOSED_CASE_STATUSES,
    CONSENT_GRANTED_STATUSES,
    CaseStatus,
    CheckCode,
    CheckOutcome,
    ConsentRole,
    ConsentStatus,
    EventKind,
    Material,
)
from marketplace.accounts.models import Organisation
from marketplace.catalog.models import Listing


class ShipmentCase(models.Model):
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="shipment_cases", verbose_name=_("listing")
    )
    buyer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="shipment_cases_as_buyer",
        verbose_name=_("buyer organisation"),
    )
    # Copied from the listing at opening: the seller may not move the lot under a case.
    seller_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="shipment_cases_as_seller",
        verbose_name=_("seller organisation"),
    )
    origin = CountryField(_("origin country"))
    destination = CountryField(_("destination country"))
    transit = models.JSONField(_("transit countries"), default=list, blank=True)
    material = models.CharField(_("material"), max_length=30, choices=Material.choices)
    classified_material = models.CharField(
        _("material as classified"), max_length=30, choices=Material.choices
    )
    material_override_reason = models.TextField(_("reason for the material override"), blank=True)
    regime = models.CharField(_("regime"), max_length=20, blank=True)
    rules_version = models.CharField(_("rules version"), max_length=40, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.OPENED,
        db_index=True,
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("shipment case")
        constraints = [
            # One live case per movement: case_open returns it instead of opening another.
            models.UniqueConstraint(
                fields=["listing", "buyer_organisation", "destination"],
                condition=~Q(status__in=sorted(CLOSED_CASE_STATUSES)),
                name="shipment_case_one_live_per_movement",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.origin}→{self.destination} ({self.status})"

    @property
    def is_decidable(self) -> bool:
        return self.status in (CaseStatus.AWAITING_OFFICER, CaseStatus.BLOCKED)

    @property
    def material_overridden(self) -> bool:
        return self.material != self.classified_material


class CaseCheck(models.Model):
    """One check's result, explained: what it found, under which rules, from which sources."""

    case = models.ForeignKey(ShipmentCase, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField(_("check"), max_length=30, choices=CheckCode.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CheckOutcome.choices)
    explanation = models.TextField(_("explanation"))
    rule_ids = models.JSONField(_("rules"), default=list)
    sources = models.JSONField(_("sources"), default=list)
    confidence = models.CharField(_("confidence"), max_length=20)
    rules_version = models.CharField(_("rules version"), max_length=40)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("case check")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "code", "rules_version"], name="case_check_one_per_code_and_rules"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.outcome}"

    @property
    def is_satisfied(self) -> bool:
        return self.outcome == CheckOutcome.PASS or (
            self.outcome == CheckOutcome.REVIEW and self.acknowledged_at is not None
        )


class ConsentRequest(models.Model):
    case = models.ForeignKey(ShipmentCase, on_delete=models.CASCADE, related_name="consents")
    country = CountryField(_("country"))
    role = models.CharField(_("role"), max_length=10, choices=ConsentRole.choices)
    tacit_after_days = models.PositiveIntegerField(_("tacit consent after (days)"), null=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsentStatus.choices,
        default=ConsentStatus.REQUESTED,
        db_index=True,
    )
    notification_sent_on = models.DateField(_("notification sent on"), null=True, blank=True)
    # notification_sent_on + tacit_after_days; null while no notification was sent or when
    # only written consent counts. Stored so the sweep and the queue can filter on it.
    tacit_deadline = models.DateField(_("tacit-consent deadline"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("consent")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "country", "role"], name="consent_one_per_country_and_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.role}: {self.status}"

    def is_granted_on(self, today: datetime.date) -> bool:
        """Granted, or tacitly deemed granted: its deadline passed without objection."""
        if self.status in CONSENT_GRANTED_STATUSES:
            return True
        return (
            self.status == ConsentStatus.REQUESTED
            and self.tacit_deadline is not None
            and today > self.tacit_deadline
        )


def _document_path(instance: "CaseDocument", filename: str) -> str:
    # Unguessable names: files are only served through the permission-checking view.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"compliance/cases/{instance.case_id}/{uuid.uuid4().hex}.{extension}"


class CaseDocument(models.Model):
    case = models.ForeignKey(ShipmentCase, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("document"), max_length=60)
    label = models.CharField(_("label"), max_length=255)
    # False for documents an officer added; the checks never remove those.
    required_by_rules = models.BooleanField(_("required by the rules"), default=True)
    received = models.BooleanField(_("received"), default=False)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=_document_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("case document")
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="case_document_one_per_code"),
        ]

    def __str__(self) -> str:
        return self.label


class CaseEvent(models.Model):
    """Audit trail: every transition, decision, consent and document change, with its actor."""

    case = models.ForeignKey(ShipmentCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.STATUS)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}: {self.from_status or '-'} → {self.to_status}"
