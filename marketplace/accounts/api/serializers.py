from django.contrib.auth.password_validation import validate_password
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from marketplace.accounts.choices import PermitKind, Role
from marketplace.accounts.models import ApiToken, Organisation, Permit, User
from marketplace.core.api.serializers import StrictModelSerializer, StrictSerializer


class PermitSerializer(StrictModelSerializer):
    kind = serializers.ChoiceField(choices=PermitKind.choices)

    class Meta:
        model = Permit
        fields = ["id", "kind", "number", "issuing_authority", "valid_from", "expires_on"]


class OrganisationSerializer(StrictModelSerializer):
    country = CountryField()
    permits = PermitSerializer(many=True, read_only=True)
    can_trade = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "legal_name",
            "trade_name",
            "country",
            "region",
            "address",
            "postal_code",
            "business_registration_number",
            "phone",
            "website",
            "verification_status",
            "verified_at",
            "status_reason",
            "can_trade",
            "permits",
        ]
        read_only_fields = ["verification_status", "verified_at", "status_reason"]


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class MeSerializer(StrictModelSerializer):
    organisation = OrganisationSerializer(read_only=True, allow_null=True)
    role = serializers.CharField(
        read_only=True,
        help_text="dealer, reuse_maker, recycler, diagnostics_provider or compliance_officer; "
        "empty for platform staff, who act for no organisation.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_staff",
            "is_organisation_admin",
            "organisation",
        ]
        read_only_fields = fields


class SignUpSerializer(StrictSerializer):
    legal_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = CountryField()
    region = serializers.CharField(max_length=100)
    address = serializers.CharField()
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    business_registration_number = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        probe = User(username=attrs["username"], email=attrs["email"])
        try:
            validate_password(attrs["password"], user=probe)
        except Exception as error:  # django.core.exceptions.ValidationError
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class ApiTokenSerializer(StrictModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
