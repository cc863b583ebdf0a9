from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.payments.choices import AssayParty
from marketplace.trading.choices import PAYABLE_ELEMENTS


class PaymentMethodForm(forms.Form):
    """A Stripe PaymentMethod id (``pm_…``) from Stripe.js, or on localstripe from a test card."""

    payment_method = forms.RegexField(
        label=_("Payment method"),
        regex=r"^pm_[A-Za-z0-9_]{1,200}$",
        required=False,
        help_text=_("The card's PaymentMethod id (pm_…). Leave empty to confirm with Stripe.js."),
    )
    # Only with localstripe (no Stripe.js there): pay with Stripe's 4242 test card.
    use_test_card = forms.BooleanField(
        label=_("Use the test card 4242 4242 4242 4242"), required=False
    )


class AssayForm(forms.Form):
    party = forms.ChoiceField(label=_("Party"), choices=AssayParty.choices)
    laboratory = forms.CharField(label=_("Laboratory"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for element in PAYABLE_ELEMENTS:
            self.fields[f"assay_{element}"] = forms.DecimalField(
                label=_("%(element)s (%% of dry mass)") % {"element": element},
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=4,
            )

    def assay_pct(self) -> dict[str, str]:
        return {
            element: str(self.cleaned_data[f"assay_{element}"])
            for element in PAYABLE_ELEMENTS
            if self.cleaned_data.get(f"assay_{element}") is not None
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea)
