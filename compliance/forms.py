from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from compliance.choices import (
    CaseStatus,
    ConsentStatus,
    ExtraDocument,
    Material,
    MovementKind,
    RiskLevel,
)
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


# --- Shipment cases ---------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + CaseStatus.choices
    )
    destination = forms.ChoiceField(
        label=_("Destination"), required=False, choices=[("", _("Any")), *countries]
    )
    material = forms.ChoiceField(
        label=_("Material"), required=False, choices=[("", _("Any"))] + Material.choices
    )
    risk_level = forms.ChoiceField(
        label=_("Risk"), required=False, choices=[("", _("Any"))] + RiskLevel.choices
    )
    country = forms.ChoiceField(
        label=_("Country on the route"), required=False, choices=[("", _("Any")), *countries]
    )
    older_than_days = forms.IntegerField(
        label=_("Waiting at least (days)"), required=False, min_value=0
    )


class CaseDecisionForm(forms.Form):
    APPROVE, REJECT, REQUEST_INFORMATION, RECHECK = (
        "approve",
        "reject",
        "request_information",
        "recheck",
    )

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (APPROVE, _("Approve")),
            (REJECT, _("Reject")),
            (REQUEST_INFORMATION, _("Request information from the parties")),
            (RECHECK, _("Run the checks again")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Recorded in the audit trail; for a request for information, what the parties read."
        ),
    )
    acknowledge = forms.MultipleChoiceField(
        label=_("I have reviewed these checks and accept them"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, review_checks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledge"].choices = [
            (str(check.pk), check.get_code_display()) for check in review_checks
        ]
        if not review_checks:
            del self.fields["acknowledge"]

    def acknowledged_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("acknowledge", [])]


class ConsentForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConsentStatus.choices)
    notification_sent_on = forms.DateField(
        label=_("Notification sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Starts the tacit-consent clock."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("As the authority's consent says; one year from the decision if empty."),
    )
    reference_number = forms.CharField(
        label=_("Notification number"), required=False, max_length=100
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    received = forms.BooleanField(label=_("Received"), required=False)
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, PNG or JPEG, up to 10 MB.")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class DocumentAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=ExtraDocument.choices)
    label = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=255,
        help_text=_("Needed for another document; optional otherwise."),
    )


class MaterialOverrideForm(forms.Form):
    material = forms.ChoiceField(label=_("Material"), choices=Material.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What shows the classifier was wrong, e.g. a functional-test report."),
    )

    def __init__(self, *args, **kwargs) -> None:
        # Shown on the case page beside the decision form, which also has a "reason": own ids,
        # so each label points at its own field.
        kwargs.setdefault("auto_id", "id_material_%s")
        super().__init__(*args, **kwargs)


class CaseRespondForm(forms.Form):
    comment = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.TypedChoiceField(
        label=_("Document the file is for"), required=False, coerce=int, empty_value=None
    )
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, PNG or JPEG, up to 10 MB.")
    )

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "—")] + [
            (document.pk, document.label) for document in documents
        ]


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Movement"), choices=MovementKind.choices)
    occurred_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the goods left, were received, or their recovery was completed."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
