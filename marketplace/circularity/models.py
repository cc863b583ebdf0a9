"""The passport identity of a pack; the passport content is built from the catalog on demand."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

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
