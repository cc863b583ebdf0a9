"""The passport identity of a pack (its content is built from the catalog on demand), and the
versioned domestic-first policy that staff administer."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Organisation
from marketplace.catalog.choices import ListingType
from marketplace.catalog.models import BatteryPack


class PassportRecord(models.Model):
    """A stable, unguessable identifier per pack: the QR code and the public page use it.

    Kept here rather than on BatteryPack so the catalog does not depend on the passport.
    Holding the identifier is what lets someone read the public passport (EUBR Art. 77:
    the QR code gives access), so it is random, never derived from the pack id.
    """

    pack = models.OneToOneField(
        BatteryPack,
        on_delete=models.CASCADE,
        related_name="passport_record",
        verbose_name=_("battery pack"),
    )
    passport_id = models.UUIDField(
        _("passport identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("battery passport")
        verbose_name_plural = _("battery passports")

    def __str__(self) -> str:
        return f"{self.passport_id} ({self.pack})"

    @property
    def urn(self) -> str:
        # Battery Pass batteryPassportIdentifier pattern: ^urn:[a-z0-9]+:[a-z0-9]+$
        return f"urn:batterymarket:{self.passport_id.hex}"


class DomesticFirstPolicy(models.Model):
    """One version of the domestic-first policy for one listing type; never edited in place.

    A change is a new row with its own ``effective_from``: the row in force at a moment is
    the newest one whose ``effective_from`` is not after it, so the history explains every
    sale that was opened under an older version. Without any row, trading falls back to
    ``domestic_first.hours`` in marketplace/trading/data/market_rules.yaml.

    Exceptions (a platform policy choice, docs/circularity.md):
    - ``partner_countries``: buyers in these countries count as domestic during the window
      (a regional partnership, e.g. a Kyushu–Korea recycling loop);
    - ``exempt_organisations``: buying organisations that may bid during the window wherever
      they are registered (e.g. a foreign-registered company with a domestic plant).
    """

    listing_type = models.CharField(
        _("listing type"), max_length=20, choices=ListingType.choices, db_index=True
    )
    window_hours = models.PositiveIntegerField(_("window (hours)"))
    partner_countries = models.JSONField(
        _("buyer countries treated as domestic"), default=list, blank=True
    )
    exempt_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        verbose_name=_("exempt buying organisations"),
    )
    effective_from = models.DateTimeField(_("effective from"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("domestic-first policy")
        verbose_name_plural = _("domestic-first policies")
        ordering = ["listing_type", "-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing_type", "effective_from"],
                name="circularity_policy_one_version_per_moment",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_listing_type_display()}: {self.window_hours} h from {self.effective_from}"
        )
