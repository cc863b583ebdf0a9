"""Web forms: field validation only; the passport, policy and report rules are in services."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Organisation
from marketplace.catalog.choices import ListingType

MAX_PASSPORT_BYTES = 1024 * 1024


class PassportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Battery passport (JSON file)"),
        required=False,
        help_text=_("A Battery Pass JSON export, for example this platform's passport download."),
    )
    text = forms.CharField(
        label=_("…or paste the JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError(_("Choose a JSON file or paste the passport."))
        if upload is not None:
            if upload.size > MAX_PASSPORT_BYTES:
                raise forms.ValidationError(_("A passport file is at most 1 MB."))
            raw = upload.read()
        else:
            raw = text.encode()
        try:
            cleaned["passport"] = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from None
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)d).")
                % {"error": error.msg, "line": error.lineno}
            ) from None
        return cleaned


class OutflowFilterForm(forms.Form):
    """Field shapes only; services.outflow.outflow_filters decides what is valid."""

    # type=month: browsers submit YYYY-MM, the format the API takes too.
    month_from = forms.CharField(
        label=_("From month"),
        required=False,
        max_length=7,
        help_text=_("YYYY-MM"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    month_to = forms.CharField(
        label=_("To month"),
        required=False,
        max_length=7,
        help_text=_("YYYY-MM"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    region = forms.CharField(label=_("Region / prefecture"), required=False, max_length=100)


class DomesticFirstPolicyForm(forms.Form):
    listing_type = forms.ChoiceField(label=_("Listing type"), choices=ListingType.choices)
    window_hours = forms.IntegerField(label=_("Window (hours)"), min_value=0)
    partner_countries = forms.CharField(
        label=_("Buyer countries treated as domestic"),
        required=False,
        help_text=_("ISO country codes separated by commas, e.g. KR, TW. Leave empty for none."),
    )
    exempt_organisations = forms.ModelMultipleChoiceField(
        label=_("Exempt buying organisations"),
        queryset=Organisation.objects.order_by("legal_name"),
        required=False,
        help_text=_("May bid during the window wherever they are registered."),
    )
    effective_from = forms.DateTimeField(
        label=_("Effective from"),
        required=False,
        help_text=_("Leave empty for now. A change cannot take effect in the past."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_partner_countries(self) -> list[str]:
        raw = self.cleaned_data.get("partner_countries") or ""
        return [code.strip() for code in raw.split(",") if code.strip()]
