"""What the passport API returns besides the passport itself (a free-form Battery Pass object)."""

from rest_framework import serializers

from marketplace.catalog.inputs import ChemistryField


class PrefillPackSerializer(serializers.Serializer):
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


class PassportPrefillSerializer(serializers.Serializer):
    """The listing-create input a passport fills in: POST it to /api/v1/listings/ (add a
    price first), or pass ?create=draft to the import endpoint."""

    listing_type = serializers.CharField()
    title = serializers.CharField()
    country = serializers.CharField()
    pack = PrefillPackSerializer()
