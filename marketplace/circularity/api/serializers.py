"""What the passport API returns besides the passport itself (a free-form Battery Pass object)."""

from rest_framework import serializers

from marketplace.catalog.inputs import ChemistryField
from marketplace.core.api.serializers import StrictSerializer


class PrefillPackSerializer(StrictSerializer):
    serial_number = serializers.CharField()
    manufacturer = serializers.CharField()
    chemistry = ChemistryField()
    rated_capacity_kwh = serializers.DecimalField(max_digits=8, decimal_places=2)
    rated_capacity_ah = serializers.DecimalField(max_digits=8, decimal_places=1, required=False)
    nominal_voltage_v = serializers.DecimalField(max_digits=6, decimal_places=1, required=False)
    mass_kg = serializers.DecimalField(max_digits=8, decimal_places=1, required=False)
    module_count = serializers.IntegerField(required=False)
    module_format = serializers.CharField(required=False, help_text="As the catalog's pack.")
    manufactured_on = serializers.DateField(required=False)
    first_used_on = serializers.DateField(required=False)
    carbon_footprint_kg_co2e = serializers.DecimalField(
        max_digits=10, decimal_places=1, required=False
    )
    soh_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    soh_low_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    soh_high_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    grade = serializers.CharField(required=False, help_text="As the catalog's pack.")


class PassportPrefillSerializer(StrictSerializer):
    """The listing-create input a passport fills in: POST it to /api/v1/listings/ (add a
    price first), or pass ?create=draft to the import endpoint."""

    listing_type = serializers.CharField()
    title = serializers.CharField()
    country = serializers.CharField()
    pack = PrefillPackSerializer()


# --- Outflow dashboard, scores and the domestic-first policy ---------------------------
# Quantities are exact decimals as strings; every name carries its unit.


def _decimal(help_text: str) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=help_text)


class OutflowCellSerializer(StrictSerializer):
    suppressed = serializers.BooleanField(
        help_text="Public view: fewer sales than the minimum, or hidden to protect such a cell;"
        " every number is then null."
    )
    sales = serializers.IntegerField(allow_null=True)
    sales_domestic = serializers.IntegerField(allow_null=True)
    sales_exported = serializers.IntegerField(allow_null=True)
    sales_reuse = serializers.IntegerField(allow_null=True)
    sales_recycling = serializers.IntegerField(allow_null=True)
    kwh = _decimal("Rated capacity sold (kWh).")
    kwh_domestic = _decimal("Capacity that stayed in the country (kWh).")
    kwh_exported = _decimal("Capacity exported (kWh).")
    kwh_reuse = _decimal("Capacity reused in the country (kWh).")
    kwh_recycling = _decimal("Capacity recycled in the country (kWh).")
    kwh_in_use = _decimal("Capacity kept in use: rated kWh × SOH, reuse only.")
    li_kg = _decimal("Contained lithium (kg).")
    ni_kg = _decimal("Contained nickel (kg).")
    co_kg = _decimal("Contained cobalt (kg).")
    metals_exported_kg = _decimal("Li + Ni + Co exported (kg).")
    metal_value_jpy = _decimal("Li + Ni + Co at the reference prices of each sale date (JPY).")
    metal_value_exported_jpy = _decimal("Of which exported (JPY).")
    co2_avoided_kg = _decimal("CO2 avoided by reuse (kg CO2e).")
    domestic_share_pct = _decimal("Sales that stayed in the country (%).")
    domestic_kwh_share_pct = _decimal("Capacity that stayed in the country (%).")
    circularity_index = _decimal("100 × Σ weight × kWh / Σ kWh (0–100).")


class OutflowRegionSerializer(StrictSerializer):
    country = serializers.CharField()
    region = serializers.CharField()
    figures = OutflowCellSerializer()


class OutflowMonthSerializer(StrictSerializer):
    month = serializers.CharField(help_text="YYYY-MM, Japan time.")
    regions = OutflowRegionSerializer(many=True)
    total = OutflowCellSerializer(
        allow_null=True, help_text="All regions; null where a public total is not shown."
    )


class OutflowOrganisationSerializer(StrictSerializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField()
    as_seller = OutflowCellSerializer()
    as_buyer = OutflowCellSerializer()


class OutflowReportSerializer(StrictSerializer):
    audience = serializers.ChoiceField(choices=["public", "staff"])
    filters = serializers.DictField(child=serializers.CharField())
    months = OutflowMonthSerializer(many=True)
    total = OutflowCellSerializer(allow_null=True, help_text="Staff only.")
    organisations = OutflowOrganisationSerializer(many=True, help_text="Staff only.")
    unpriced_metals = serializers.ListField(child=serializers.CharField())
    min_sales_per_cell = serializers.IntegerField()
    reference_version = serializers.CharField()


class OrderScoreSerializer(StrictSerializer):
    order = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["reuse", "recycling", "export"])
    score = serializers.CharField(help_text="100 × weight of the outcome.")
    kwh = serializers.CharField(help_text="Rated capacity (kWh).")
    kwh_in_use = serializers.CharField(help_text="Rated kWh × SOH, reuse only.")
    co2_avoided_kg = serializers.CharField()
    metals_kg = serializers.DictField(child=serializers.CharField())
    metal_value_jpy = serializers.CharField()
    reference_version = serializers.CharField()


class OrganisationScoreSerializer(StrictSerializer):
    organisation = serializers.IntegerField()
    sales = serializers.IntegerField()
    sales_reuse = serializers.IntegerField()
    sales_recycling = serializers.IntegerField()
    sales_exported = serializers.IntegerField()
    kwh = serializers.CharField()
    kwh_in_use = serializers.CharField()
    co2_avoided_kg = serializers.CharField()
    mean_score = serializers.CharField(allow_null=True)
    circularity_index = serializers.CharField(allow_null=True)
    reference_version = serializers.CharField()


class DomesticFirstRuleSerializer(StrictSerializer):
    listing_type = serializers.CharField()
    hours = serializers.IntegerField()
    partner_countries = serializers.ListField(child=serializers.CharField())
    exempt_organisations = serializers.ListField(child=serializers.IntegerField())
    policy_id = serializers.IntegerField(allow_null=True, help_text="Null: market-rules default.")
    effective_from = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    source = serializers.CharField()


class DomesticFirstPolicyInputSerializer(StrictSerializer):
    listing_type = serializers.CharField()
    window_hours = serializers.IntegerField()
    partner_countries = serializers.ListField(child=serializers.CharField(), required=False)
    exempt_organisations = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Organisation ids."
    )
    effective_from = serializers.DateTimeField(required=False, allow_null=True)
    reason = serializers.CharField()
