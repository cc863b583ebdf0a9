"""Forms of the sale pages: field validation only; the rules live in the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.trading.choices import PAYABLE_ELEMENTS


def _money(label, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )


class BidForm(forms.Form):
    max_amount = _money(_("Your maximum bid"))


class OfferForm(forms.Form):
    amount = _money(_("Your offer"))
    validity_hours = forms.IntegerField(
        label=_("Open for (hours)"), required=False, min_value=1, max_value=168
    )


class CounterForm(forms.Form):
    offer_id = forms.IntegerField(widget=forms.HiddenInput)
    amount = _money(_("Counter-offer"))


class TenderBidForm(forms.Form):
    KIND_CHOICES = [
        ("fixed", _("Fixed price per dry tonne")),
        # xgettext:no-python-format
        ("payables", _("Payables: % of the reference price per element")),
    ]
    kind = forms.ChoiceField(label=_("Bid type"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    fixed_jpy_per_dry_tonne = _money(_("JPY per dry tonne"), required=False)

    def __init__(self, *args: Any, payables_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payables_allowed = payables_allowed
        if not payables_allowed:
            self.fields["kind"].choices = self.KIND_CHOICES[:1]
            self.fields["kind"].initial = "fixed"
            return
        for element in PAYABLE_ELEMENTS:
            self.fields[f"payable_{element}"] = forms.DecimalField(
                label=_("%(element)s payable %%") % {"element": element},
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                decimal_places=4,
                widget=forms.NumberInput(attrs={"step": "any", "data-element": element}),
            )

    def payable_fields(self) -> list[forms.BoundField]:
        return [self[f"payable_{el}"] for el in PAYABLE_ELEMENTS if f"payable_{el}" in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == "fixed" and data.get("fixed_jpy_per_dry_tonne") is None:
            self.add_error("fixed_jpy_per_dry_tonne", _("Give your price per dry tonne."))
        if data.get("kind") == "payables" and not self.payables():
            self.add_error(None, _("Give a payable for at least one element."))
        return data

    def payables(self) -> dict[str, Decimal]:
        return {
            element: self.cleaned_data[f"payable_{element}"]
            for element in PAYABLE_ELEMENTS
            if self.cleaned_data.get(f"payable_{element}") is not None
        }

    def service_input(self) -> dict[str, Any]:
        if self.cleaned_data["kind"] == "fixed":
            return {"fixed_jpy_per_dry_tonne": self.cleaned_data["fixed_jpy_per_dry_tonne"]}
        return {"payables_pct": self.payables()}


class SaleStartForm(forms.Form):
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    start_price = _money(_("Start price (auction)"), required=False)
    reserve_price = _money(_("Reserve, hidden from buyers (auction, tender)"), required=False)
    buy_now_price = _money(
        _("Buy-now price (fixed price: the price; auction: optional)"), required=False
    )
    soft_close_window_minutes = forms.IntegerField(
        label=_("Soft-close window (minutes)"), required=False, min_value=0
    )
    soft_close_max_extension_minutes = forms.IntegerField(
        label=_("Soft-close extension cap (minutes)"), required=False, min_value=0
    )
    domestic_first_hours = forms.IntegerField(
        label=_("Domestic-first window (hours)"), required=False, min_value=0
    )

    def service_input(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if value is not None}
