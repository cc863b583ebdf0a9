from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.trading.choices import PAYABLE_ELEMENTS, Element

# Impurities shown on the quote form: the ones black-mass specs limit (diagnostics.md 4.2, 4.4).
FORM_IMPURITIES = ("Al", "Fe", "F", "P")

# Default free limits, % (reference_data.yaml black_mass.penalties.default_free_limits_pct; sources
# fastmarkets_us_spec_2024, fastmarkets_moisture). Used when a penalty rate is given without a
# threshold. There are no default *rates*: they are contract parameters (diagnostics.md 4.4).
DEFAULT_FREE_LIMITS_PCT: dict[str, Decimal] = {
    "Cu": Decimal("2"),
    "Al": Decimal("2"),
    "F": Decimal("5"),
    "Fe": Decimal("1"),
    "H2O": Decimal("5"),
}


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
        for element, limit in DEFAULT_FREE_LIMITS_PCT.items():
            self.fields[f"penalty_limit_{element}"] = _number_field(
                _("%(element)s free limit (%%)") % {"element": element},
                min="0",
                max="100",
                placeholder=str(limit),
            )
            self.fields[f"penalty_rate_{element}"] = _number_field(
                _("%(element)s penalty (JPY per dry tonne per point over)") % {"element": element},
                min="0",
            )
        self._penalty_elements: list[str] = []

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
        penalties = []
        self._penalty_elements = []
        for element, default_limit in DEFAULT_FREE_LIMITS_PCT.items():
            rate = data.get(f"penalty_rate_{element}")
            if rate is None:
                continue
            limit = data.get(f"penalty_limit_{element}")
            penalties.append(
                {
                    "element": element,
                    "threshold_pct": default_limit if limit is None else limit,
                    "jpy_per_dry_tonne_per_pct_over": rate,
                }
            )
            self._penalty_elements.append(element)
        return {
            "wet_kg": data["wet_kg"],
            "moisture_pct": data["moisture_pct"],
            "assay_pct": assay,
            "payables_pct": payables,
            "prices_jpy_per_kg": prices,
            "penalties": penalties,
        }

    @property
    def penalty_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (el, self[f"penalty_limit_{el}"], self[f"penalty_rate_{el}"])
            for el in DEFAULT_FREE_LIMITS_PCT
        ]

    def add_quote_error(self, field_name: str, message: str) -> None:
        """Put a `QuoteInputError` on the flat field it names (assay_pct.Ni → assay_Ni)."""
        group, _dot, element = field_name.partition(".")
        if group == "penalties":
            index, _dot, key = element.partition(".")
            if index.isdigit() and int(index) < len(self._penalty_elements):
                element = self._penalty_elements[int(index)]
                group = (
                    "penalty_rate" if key == "jpy_per_dry_tonne_per_pct_over" else "penalty_limit"
                )
                self.add_error(f"{group}_{element}", message)
                return
        flat = {
            "assay_pct": f"assay_{element}",
            "payables_pct": f"payable_{element}",
            "prices_jpy_per_kg": f"price_{element}",
        }.get(group, group)
        self.add_error(flat if flat in self.fields else None, message)
