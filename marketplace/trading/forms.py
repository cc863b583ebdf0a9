from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.trading.choices import PAYABLE_ELEMENTS, Element

# Impurities shown on the quote form: the ones black-mass specs limit (diagnostics.md 4.2, 4.4).
FORM_IMPURITIES = ("Al", "Fe", "F", "P")


def _number_field(label: str, *, required: bool = False, **attrs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        widget=forms.NumberInput(attrs={"step": "any", **attrs}),
    )


class ReferencePriceForm(forms.Form):
    element = forms.ChoiceField(label=_("Element"), choices=Element.choices)
    price_jpy_per_kg = forms.DecimalField(
        label=_("Price (JPY per kg of contained metal)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    effective_date = forms.DateField(
        label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Index and conversion, e.g. 'LME nickel cash official, 150 JPY/USD'."),
    )
    source_url = forms.URLField(label=_("Source URL"), required=False, max_length=500)


class QuoteForm(forms.Form):
    """The quote input as flat fields: assay_Ni, payable_Ni, price_Ni, …

    A blank price means "today's reference price"; a blank assay or payable means none.
    """

    wet_kg = _number_field(_("Wet weight (kg)"), required=True, min="0")
    moisture_pct = _number_field(_("Moisture (%)"), required=True, min="0", max="100")

    def __init__(self, *args: Any, reference_prices: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reference_prices = reference_prices
        for element in (*PAYABLE_ELEMENTS, *FORM_IMPURITIES):
            self.fields[f"assay_{element}"] = _number_field(
                _("%(element)s assay (%% dry)") % {"element": element}, min="0", max="100"
            )
        for element in PAYABLE_ELEMENTS:
            self.fields[f"payable_{element}"] = _number_field(
                _("%(element)s payable (%%)") % {"element": element}, min="0", max="100"
            )
            reference = reference_prices.get(element)
            self.fields[f"price_{element}"] = _number_field(
                _("%(element)s price (JPY/kg)") % {"element": element},
                min="0",
                placeholder=str(reference) if reference is not None else "",
            )
            self.fields[f"price_{element}"].help_text = (
                _("Blank: today's reference price.") if reference is not None else ""
            )

    @property
    def assay_fields(self) -> list[forms.BoundField]:
        return [self[f"assay_{el}"] for el in (*PAYABLE_ELEMENTS, *FORM_IMPURITIES)]

    def quote_input(self) -> dict[str, Any]:
        """cleaned_data as `quote_black_mass` keyword arguments."""
        data = self.cleaned_data
        assay = {
            el: data[f"assay_{el}"]
            for el in (*PAYABLE_ELEMENTS, *FORM_IMPURITIES)
            if data.get(f"assay_{el}") is not None
        }
        payables = {
            el: data[f"payable_{el}"]
            for el in PAYABLE_ELEMENTS
            if data.get(f"payable_{el}") is not None
        }
        prices = {}
        for element in payables:
            typed = data.get(f"price_{element}")
            price = typed if typed is not None else self.reference_prices.get(element)
            if price is not None:
                prices[element] = price
        return {
            "wet_kg": data["wet_kg"],
            "moisture_pct": data["moisture_pct"],
            "assay_pct": assay,
            "payables_pct": payables,
            "prices_jpy_per_kg": prices,
        }

    def add_quote_error(self, field_name: str, message: str) -> None:
        """Put a `QuoteInputError` on the flat field it names (assay_pct.Ni → assay_Ni)."""
        group, _dot, element = field_name.partition(".")
        flat = {
            "assay_pct": f"assay_{element}",
            "payables_pct": f"payable_{element}",
            "prices_jpy_per_kg": f"price_{element}",
        }.get(group, group)
        self.add_error(flat if flat in self.fields else None, message)
