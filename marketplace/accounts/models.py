import hashlib
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from marketplace.accounts.choices import PermitKind, Role, VerificationStatus


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    country = CountryField(_("country"))
    region = models.CharField(_("region / prefecture"), max_length=100)
    address = models.TextField(_("address"))
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    business_registration_number = models.CharField(
        _("business registration number"), max_length=64
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    verification_status = models.CharField(
        _("verification status"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        db_index=True,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "business_registration_number"],
                name="organisation_unique_registration_per_country",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    def can_trade(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class OrganisationEvent(models.Model):
    """Audit trail of verification decisions: who moved the organisation, when and why."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=VerificationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=VerificationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.from_status or '-'} → {self.to_status}"


class Permit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="permits")
    kind = models.CharField(_("kind"), max_length=40, choices=PermitKind.choices)
    number = models.CharField(_("permit number"), max_length=100)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("permit")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "number"], name="permit_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("valid_from")),
                name="permit_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.expires_on


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices, blank=True)
    is_organisation_admin = models.BooleanField(
        _("organisation administrator"),
        default=False,
        help_text=_("May edit the organisation's details and permits."),
    )

    class Meta:
        constraints = [
            # Everyone but platform staff acts for an organisation in a role.
            models.CheckConstraint(
                condition=Q(is_staff=True) | (Q(organisation__isnull=False) & ~Q(role="")),
                name="user_member_has_organisation_and_role",
            )
        ]

    @property
    def is_platform_staff(self) -> bool:
        return self.is_staff


class ApiToken(models.Model):
    """A named API key. Only its SHA-256 is stored; the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
