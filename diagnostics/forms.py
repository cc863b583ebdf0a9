"""Forms of the diagnostics pages: field validation only; services check the domain rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diagnostics.choices import GuaranteeType
from diagnostics.models import RegisteredMethod
from diagnostics.reference import reference_data
from diagnostics.services import CertificateValues

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


# --- Certificates and guarantees --------------------------------------------------------


def _optional_decimal(label, max_digits: int, places: int, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=max_digits, decimal_places=places, **kwargs
    )


class CertificateValuesForm(forms.Form):
    """Measured values and test conditions; the service checks the domain rules."""

    registered_method = forms.ModelChoiceField(
        label=_("Method and instrument"), queryset=RegisteredMethod.objects.none()
    )
    tested_on = forms.DateField(
        label=_("Test date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    measured_energy_kwh = _optional_decimal(
        _("Measured energy (kWh)"),
        9,
        3,
        min_value=0,
        help_text=_("Gives SOH_E. Or enter the SOCE, or the capacity in Ah."),
    )
    soce_pct = _optional_decimal(_("SOCE (%)"), 6, 2, min_value=0)
    measured_capacity_ah = _optional_decimal(_("Measured capacity (Ah)"), 9, 2, min_value=0)
    resistance_mohm = _optional_decimal(_("Internal resistance (mOhm)"), 9, 3, min_value=0)
    resistance_increase_pct = _optional_decimal(_("Resistance increase (%)"), 6, 2, min_value=0)
    cell_voltage_spread_mv = _optional_decimal(_("Cell voltage spread (mV)"), 7, 1, min_value=0)
    temperature_min_c = _optional_decimal(_("Lowest cell temperature (°C)"), 5, 1)
    temperature_max_c = _optional_decimal(_("Highest cell temperature (°C)"), 5, 1)
    cycle_count = forms.IntegerField(label=_("Cycle count"), required=False, min_value=0)
    equivalent_full_cycles = _optional_decimal(_("Equivalent full cycles"), 9, 1, min_value=0)
    odometer_km = forms.IntegerField(label=_("Odometer (km)"), required=False, min_value=0)
    age_years = _optional_decimal(
        _("Age at test (years)"),
        5,
        2,
        min_value=0,
        help_text=_("Leave empty to use the pack's first-use or manufacture date."),
    )
    test_temperature_c = _optional_decimal(_("Test temperature (°C)"), 5, 1)
    test_c_rate = _optional_decimal(_("Test C-rate"), 5, 2, min_value=0)
    test_soc_window = forms.CharField(label=_("SOC window"), required=False, max_length=40)
    balanced_before_test = forms.NullBooleanField(
        label=_("Balanced before the test"), required=False
    )
    test_notes = forms.CharField(
        label=_("Test notes"), required=False, max_length=2000, widget=forms.Textarea
    )
    safety_flags = forms.MultipleChoiceField(
        label=_("Safety findings"),
        required=False,
        choices=_flag_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Any finding sends the pack to recycling."),
    )
    raw_data = forms.FileField(
        label=_("Raw data (CSV)"),
        required=False,
        help_text=_("Time series with time, voltage and current columns; at most 5 MB."),
    )

    def __init__(self, *args, organisation_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registered_method"].queryset = RegisteredMethod.objects.filter(
            organisation_id=organisation_id, is_active=True
        )

    def certificate_values(self) -> CertificateValues:
        data = self.cleaned_data
        values = {
            name: data.get(name)
            for name in CertificateValues.__dataclass_fields__
            if name in self.fields
        }
        values["safety_flags"] = tuple(data.get("safety_flags") or ())
        values["test_soc_window"] = data.get("test_soc_window") or ""
        values["test_notes"] = data.get("test_notes") or ""
        return CertificateValues(**values)


class CertificateIssueForm(CertificateValuesForm):
    manufacturer = forms.CharField(label=_("Pack manufacturer"), required=False, max_length=100)
    serial_number = forms.CharField(
        label=_("Pack serial number / ID"), required=False, max_length=100
    )
    module_lot_id = forms.IntegerField(
        label=_("Or: module lot number (ID)"), required=False, min_value=1
    )

    field_order = ["manufacturer", "serial_number", "module_lot_id"]

    def clean(self):
        data = super().clean()
        has_pack = bool(data.get("manufacturer") or data.get("serial_number"))
        if has_pack == bool(data.get("module_lot_id")):
            raise forms.ValidationError(
                _("Name a pack by manufacturer and serial number, or give a module lot ID.")
            )
        if has_pack and not (data.get("manufacturer") and data.get("serial_number")):
            raise forms.ValidationError(_("Give both the manufacturer and the serial number."))
        return data


class CertificateSupersedeForm(CertificateValuesForm):
    reason = forms.CharField(
        label=_("Why is the certificate replaced?"), max_length=1000, widget=forms.Textarea
    )

    field_order = ["reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class GuaranteeForm(forms.Form):
    guarantee_type = forms.ChoiceField(label=_("Payout on a breach"), choices=GuaranteeType.choices)
    guaranteed_soh_pct = forms.DecimalField(
        label=_("SOH floor (%)"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("The guarantee pays if a certificate within the term shows the SOH below it."),
    )
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=99)
    term_km = forms.IntegerField(
        label=_("Distance limit (km)"),
        required=False,
        min_value=1,
        help_text=_("Optional: the cover ends at the term or after this many km, if sooner."),
    )
    guaranteed_value_jpy = forms.DecimalField(
        label=_("Buy-back price (JPY)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0,
        help_text=_("For a buy-back guarantee."),
    )
    fixed_payout_jpy = forms.DecimalField(
        label=_("Fixed benefit (JPY)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=0,
        help_text=_("For a fixed-benefit guarantee."),
    )


class ClaimForm(forms.Form):
    certificate = forms.ModelChoiceField(
        label=_("New certificate of the pack"),
        queryset=None,
        to_field_name="uuid",
        help_text=_("Issued after the purchase, by a diagnostics provider."),
    )

    def __init__(self, *args, certificates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = certificates
        self.fields["certificate"].label_from_instance = lambda certificate: (
            f"{certificate.tested_on} · {certificate.provider.legal_name} · "
            f"{certificate.method_code} · {certificate.soh_pct} % "
            f"({certificate.soh_low_pct}–{certificate.soh_high_pct} %)"
        )


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=200,
        help_text=_("e.g. the bank transfer reference of the payout."),
    )
