"""The estimate form: field validation only; the engine validates the domain rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diagnostics.reference import reference_data

SAFETY_FLAG_LABELS = {
    "swelling": _("Swelling"),
    "leakage": _("Electrolyte leakage"),
    "thermal_event": _("Thermal event (overheating, fire)"),
    "crash_damage": _("Crash damage"),
    "water_ingress": _("Water ingress"),
}
VALUE_KIND_CHOICES = [
    ("measured_capacity_kwh", _("Measured capacity or energy (kWh)")),
    ("soce_pct", _("SOCE, state of certified energy (%)")),
    ("soh_pct", _("SOH as reported (%)")),
]


def _chemistry_choices():
    return [(code, code) for code in reference_data().ageing.chemistries]


def _method_choices():
    return [
        # Data texts are extracted for translation in labels.py.
        (method.code, _(method.name))
        for method in reference_data().methods.values()
        if method.gives_headline_soh
    ]


def _optional_method_choices():
    return [("", _("(none)")), *_method_choices()]


def _flag_choices():
    return [
        (flag, SAFETY_FLAG_LABELS.get(flag, flag))
        for flag in reference_data().grading.safety_flags.value
    ]


class EstimateForm(forms.Form):
    chemistry = forms.ChoiceField(label=_("Chemistry"), choices=_chemistry_choices)
    rated_capacity_kwh = forms.DecimalField(
        label=_("Rated capacity (kWh)"), min_value=0, max_digits=12, decimal_places=3
    )
    value_kind = forms.ChoiceField(label=_("What was measured"), choices=VALUE_KIND_CHOICES)
    value = forms.DecimalField(
        label=_("Measured value"),
        max_digits=12,
        decimal_places=3,
        help_text=_("kWh for a measured capacity, per cent for SOCE or SOH."),
    )
    method = forms.ChoiceField(label=_("Diagnostic method"), choices=_method_choices)
    second_method = forms.ChoiceField(
        label=_("Second result: method"),
        required=False,
        choices=_optional_method_choices,
        help_text=_("Optional: another provider's result for the same pack, to combine."),
    )
    second_value_kind = forms.ChoiceField(
        label=_("Second result: what was measured"), required=False, choices=VALUE_KIND_CHOICES
    )
    second_value = forms.DecimalField(
        label=_("Second result: measured value"), required=False, max_digits=12, decimal_places=3
    )
    age_years = forms.DecimalField(
        label=_("Age (years)"), min_value=0, max_digits=6, decimal_places=2
    )
    odometer_km = forms.DecimalField(
        label=_("Odometer (km)"), required=False, min_value=0, max_digits=9, decimal_places=0
    )
    cycles = forms.DecimalField(
        label=_("Full equivalent cycles"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=1,
    )
    resistance_increase_pct = forms.DecimalField(
        label=_("Resistance increase (%)"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("From an HPPC or EIS test, if one was made."),
    )
    safety_flags = forms.MultipleChoiceField(
        label=_("Safety findings"),
        required=False,
        choices=_flag_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Any finding sends the pack to recycling."),
    )

    def engine_input(self) -> dict:
        """The cleaned data in the shape of the diagnose interface."""
        data = self.cleaned_data
        payload = {
            "chemistry": data["chemistry"],
            "rated_capacity_kwh": data["rated_capacity_kwh"],
            data["value_kind"]: data["value"],
            "method": data["method"],
            "age_years": data["age_years"],
            "safety_flags": list(data["safety_flags"]),
        }
        for name in ("odometer_km", "cycles", "resistance_increase_pct"):
            if data.get(name) is not None:
                payload[name] = data[name]
        if data.get("second_method"):
            kind = data.get("second_value_kind") or VALUE_KIND_CHOICES[0][0]
            payload["measurements"] = [
                {"method": data["second_method"], kind: data.get("second_value")}
            ]
        return payload

    def add_engine_errors(self, fields: dict[str, list[str]]) -> None:
        """Put the engine's field errors on the matching form fields."""
        for name, messages in fields.items():
            target = _FORM_FIELD_FOR_ERROR.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


_FORM_FIELD_FOR_ERROR = {
    **{kind: "value" for kind, _label in VALUE_KIND_CHOICES},
    **{f"measurements.0.{kind}": "second_value" for kind, _label in VALUE_KIND_CHOICES},
    "measurements.0.method": "second_method",
}
