"""Diagnostics providers' registered methods and instruments.

SOH certificates are not here yet: they attach to catalog packs (another engineer's app) and
will reference a RegisteredMethod so a certificate names the instrument and its calibration.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegisteredMethod(models.Model):
    """One diagnostic method a provider organisation offers, on one instrument."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="registered_methods",
        verbose_name=_("organisation"),
    )
    # A code of diagnostics/data/methods.yaml; checked by the service, not a DB choice, because
    # the catalogue is versioned data that grows without a migration.
    method_code = models.CharField(_("method"), max_length=40)
    instrument_make = models.CharField(_("instrument make"), max_length=120)
    instrument_model = models.CharField(_("instrument model"), max_length=120)
    instrument_serial = models.CharField(_("instrument serial number"), max_length=120, blank=True)
    calibration_date = models.DateField(_("last calibration"), null=True, blank=True)
    accreditation = models.CharField(
        _("accreditation"), max_length=200, blank=True, help_text=_("e.g. ISO/IEC 17025 number")
    )
    stated_u95_pp = models.DecimalField(
        _("stated uncertainty u95 (pp)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to use the catalogue default for the method."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "method_code", "instrument_make", "instrument_model"]
        verbose_name = _("registered method")
        verbose_name_plural = _("registered methods")
        constraints = [
            # One active registration per method and instrument; retired ones stay for the
            # certificates that cite them.
            models.UniqueConstraint(
                fields=[
                    "organisation",
                    "method_code",
                    "instrument_make",
                    "instrument_model",
                    "instrument_serial",
                ],
                condition=Q(is_active=True),
                name="diagnostics_registered_method_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(stated_u95_pp__isnull=True) | Q(stated_u95_pp__gt=0),
                name="diagnostics_registered_method_u95_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method_code}: {self.instrument_make} {self.instrument_model}"
