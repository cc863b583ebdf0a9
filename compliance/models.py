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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from compliance.choices import (
    CLOSED_CASE_STATUSES,
    CONSENT_GRANTED_STATUSES,
    DECIDABLE_CASE_STATUSES,
    AlertKind,
    CaseStatus,
    CheckCode,
    CheckOutcome,
    ConsentRole,
    ConsentStatus,
    EventKind,
    Material,
    RiskLevel,
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
    # The trading order this case clears ("order <pk>" in order_reference); payments is told
    # about every change of clearance through the task payments.order_clearance_changed.
    order_id = models.PositiveBigIntegerField(_("order"), null=True, blank=True, db_index=True)
    risk_level = models.CharField(
        _("risk"),
        max_length=10,
        choices=RiskLevel.choices,
        default=RiskLevel.STANDARD,
        db_index=True,
    )
    risk_reasons = models.JSONField(_("why high risk"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=30,
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
    # A high-risk case's first approval; a different officer confirms it.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("first approval by"),
    )
    first_approved_at = models.DateTimeField(_("first approval at"), null=True, blank=True)
    first_approval_reason = models.TextField(_("first approval reason"), blank=True)
    information_request = models.TextField(_("information requested"), blank=True)
    # Movement after approval and its legal deadlines (deadlines.yaml, computed on record).
    shipment_left_on = models.DateField(_("shipment left on"), null=True, blank=True)
    receipt_due_on = models.DateField(_("receipt confirmation due on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    recovery_due_on = models.DateField(_("recovery confirmation due on"), null=True, blank=True)
    recovered_on = models.DateField(_("recovery completed on"), null=True, blank=True)
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
        return self.status in DECIDABLE_CASE_STATUSES

    @property
    def is_high_risk(self) -> bool:
        return self.risk_level == RiskLevel.HIGH

    @property
    def material_overridden(self) -> bool:
        return self.material != self.classified_material


class CaseCheck(models.Model):
    """One check's result, explained: what it found, under which rules, from which sources."""

    case = models.ForeignKey(ShipmentCase, on_delete=models.CASCADE, related_name="checks")
    code = models.CharField(_("check"), max_length=30, choices=CheckCode.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CheckOutcome.choices)
    # Canonical English (the API's value); `explanation_text` is the same text as structure
    # (compliance.texts), so a page shows it in the reader's language.
    explanation = models.TextField(_("explanation"))
    explanation_text = models.JSONField(_("explanation (structured)"), null=True, blank=True)
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
    def explanation_display(self) -> str:
        """The explanation in the active language (checks stored before the structure was
        kept show their English)."""
        from compliance.texts import render

        return render(self.explanation_text) if self.explanation_text else self.explanation

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
    # The validity window of a granted consent; movements must happen inside it.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # The notification number the competent authority assigned.
    reference_number = models.CharField(_("notification number"), max_length=100, blank=True)
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
        """Granted (and inside its validity window), or tacitly deemed granted: its deadline
        passed without objection."""
        if self.status in CONSENT_GRANTED_STATUSES:
            return self.valid_until is None or today <= self.valid_until
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


class AppendOnlyQuerySet(models.QuerySet):
    """The audit trail is never rewritten: bulk updates and deletes are refused here, and on
    PostgreSQL also by a trigger (migration 0003), whatever code path tries."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model.__name__} rows are append-only")


class CaseEvent(models.Model):
    """Audit trail: every transition, decision, check result, consent, document and movement
    change, with its actor, time and reason. Rows are chained by hash (compliance.audit):
    `hash` = sha256(canonical JSON of the fields + `prev_hash`); `verify_audit` re-computes
    the chain. Insert only through compliance.audit.record_event."""

    case = models.ForeignKey(ShipmentCase, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.STATUS)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    # Evidence: rule ids, rules version, sources, dates; part of the hashed content.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}: {self.from_status or '-'} → {self.to_status}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("CaseEvent rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("CaseEvent rows are append-only")


class AuditChainHead(models.Model):
    """The last link of the audit chain. Locked (select_for_update) by every insert, so two
    concurrent inserts cannot both chain onto the same previous event and fork the chain."""

    last_event_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)
    events = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head: {self.events} events"


class CaseAlert(models.Model):
    """A deadline about to pass or passed (beat sweep); one per case, kind, subject and due
    date, so a sweep run twice raises it once."""

    case = models.ForeignKey(ShipmentCase, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=30, choices=AlertKind.choices)
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    due_on = models.DateField(_("due on"))
    message = models.TextField(_("message"))
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("case alert")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "subject", "due_on"], name="case_alert_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} due {self.due_on}"
