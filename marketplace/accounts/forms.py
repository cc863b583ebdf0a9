from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from marketplace.accounts.choices import Role
from marketplace.accounts.models import Organisation, Permit, User
from marketplace.accounts.services import EDITABLE_FIELDS


class SignUpForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    trade_name = forms.CharField(label=_("Trade name"), max_length=200, required=False)
    country = LazyTypedChoiceField(label=_("Country"), choices=countries)
    region = forms.CharField(label=_("Region / prefecture"), max_length=100)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    business_registration_number = forms.CharField(
        label=_("Business registration number"), max_length=64
    )
    role = forms.ChoiceField(label=_("Your role"), choices=Role.choices)
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]+\Z", max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("username"):
            probe = User(username=data["username"], email=data.get("email", ""))
            try:
                validate_password(data["password"], user=probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(EDITABLE_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class PermitForm(forms.ModelForm):
    class Meta:
        model = Permit
        fields = ["kind", "number", "issuing_authority", "valid_from", "expires_on"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
