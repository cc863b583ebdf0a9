from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.trading.choices import Element


class ReferencePrice(models.Model):
    """A dated metal reference price, in JPY per kg of *contained metal*.

    Lithium is priced per kg of Li metal, not of lithium carbonate: a carbonate quote converts with
    5.323 kg LCE per kg Li (diagnostics.md 4.1). Payables bids are percentages of these prices.
    """

    element = models.CharField(_("element"), max_length=2, choices=Element.choices)
    price_jpy_per_kg = models.DecimalField(
        _("price (JPY per kg of contained metal)"), max_digits=14, decimal_places=2
    )
    effective_date = models.DateField(_("effective date"))
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where the price comes from, e.g. 'LME nickel cash official, converted at …'."),
    )
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    # Null only for rows loaded by a data import (demo seed), never for a price typed by a person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reference price")
        verbose_name_plural = _("reference prices")
        ordering = ["element", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["element", "effective_date"], name="trading_refprice_element_date_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(price_jpy_per_kg__gt=0), name="trading_refprice_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element} {self.price_jpy_per_kg} JPY/kg ({self.effective_date})"
