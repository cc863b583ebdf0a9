"""Web forms: field validation only. Cross-field and ownership rules are in services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.catalog import services
from marketplace.catalog.choices import AttachmentKind
from marketplace.catalog.inputs import VIN_PATTERN
from marketplace.catalog.models import BatteryPack, BlackMassLot, Listing, ModuleLot, UsedVehicle

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _currency_choices() -> list[tuple[str, str]]:
    return [(code, code) for code in settings.SUPPORTED_CURRENCIES]


class ListingForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)

    class Meta:
        model = Listing
        fields = list(services.LISTING_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("currency", settings.DEFAULT_CURRENCY)
            self.initial.setdefault("country", "JP")


class VehicleForm(forms.ModelForm):
    class Meta:
        model = UsedVehicle
        fields = list(services.VEHICLE_FIELDS)

    def clean_vin(self) -> str:
        vin = self.cleaned_data["vin"].strip().upper()
        if not VIN_PATTERN.match(vin):
            raise forms.ValidationError(
                _("Enter a 17-character VIN or a Japanese chassis number such as ZE1-012345.")
            )
        return vin


class PackForm(forms.ModelForm):
    class Meta:
        model = BatteryPack
        fields = list(services.PACK_FIELDS)
        widgets = {"manufactured_on": DATE_INPUT, "first_used_on": DATE_INPUT}


class ModuleLotForm(forms.ModelForm):
    class Meta:
        model = ModuleLot
        fields = list(services.MODULE_LOT_FIELDS)


class BlackMassLotForm(forms.ModelForm):
    class Meta:
        model = BlackMassLot
        fields = list(services.BLACK_MASS_FIELDS)
        widgets = {"sampled_on": DATE_INPUT, "assayed_on": DATE_INPUT}


ITEM_FORMS: dict[str, type[forms.ModelForm]] = {
    "vehicle": VehicleForm,
    "pack": PackForm,
    "module_lot": ModuleLotForm,
    "black_mass_lot": BlackMassLotForm,
}
ITEM_TITLES = {
    "vehicle": _("Vehicle"),
    "pack": _("Battery pack"),
    "module_lot": _("Module lot"),
    "black_mass_lot": _("Black-mass lot and assay"),
}


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Photos: PNG, JPEG or WebP up to 5 MB. Documents: PDF, PNG or JPEG up to 10 MB."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or JSON file"),
        help_text=_(
            "One listing per row; see the example files. "
            "Nothing is imported if any row has an error."
        ),
    )


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Name this search"), max_length=100)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)
