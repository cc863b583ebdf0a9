from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from compliance.ruleset import MATERIAL_CODES
from compliance.services.precheck import PrecheckInput, parse_precheck_input

# Labels for people; the codes are the interface (DESIGN.md).
MATERIAL_LABELS = {
    "used_ev": _("Used EV (pack installed)"),
    "used_pack_for_reuse": _("Used pack or module for reuse"),
    "end_of_life_pack": _("End-of-life pack or module (waste)"),
    "damaged_pack": _("Damaged or defective pack or module"),
    "black_mass": _("Black mass"),
}


class PrecheckForm(forms.Form):
    material = forms.ChoiceField(
        label=_("Material"), choices=[(code, MATERIAL_LABELS[code]) for code in MATERIAL_CODES]
    )
    # Most lots on this platform leave from Japan.
    origin = forms.ChoiceField(label=_("Origin country"), choices=countries, initial="JP")
    destination = forms.ChoiceField(label=_("Destination country"), choices=countries)
    transit = forms.CharField(
        label=_("Transit countries"),
        required=False,
        help_text=_("ISO codes separated by spaces or commas, e.g. SG MY"),
    )
    date = forms.DateField(
        label=_("Shipment date"),
        required=False,
        help_text=_("YYYY-MM-DD; today if empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    assay = forms.CharField(
        label=_("Assay (mass %)"),
        required=False,
        help_text=_("Element=percent pairs, e.g. Ni=20.5 Co=6.1 Li=3.8 P=0.4 F=0.2"),
    )

    def clean_transit(self) -> list[str]:
        return self.cleaned_data["transit"].replace(",", " ").split()

    def clean_assay(self) -> dict[str, str]:
        assay: dict[str, str] = {}
        for pair in self.cleaned_data["assay"].replace(",", " ").split():
            element, separator, pct = pair.partition("=")
            if not separator or not element:
                raise forms.ValidationError(
                    _("%(value)s is not ELEMENT=PERCENT, e.g. Ni=20.5"), params={"value": pair}
                )
            assay[element] = pct
        return assay

    def precheck_input(self) -> PrecheckInput:
        """Valid form data as service input; raises PrecheckInputError on bad values."""
        data = self.cleaned_data
        return parse_precheck_input(
            material=data["material"],
            origin=data["origin"],
            destination=data["destination"],
            transit=data["transit"],
            on=data["date"],
            assay=data["assay"],
        )
