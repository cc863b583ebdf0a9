"""The listing's search columns (catalog.search): added, backfilled from the items, indexed.

On PostgreSQL the text search column and the region also get pg_trgm GIN indexes (the extension
is created if missing), so `search_text LIKE '%word%'` is an index scan, and the descending
nulls-last browse orders get their indexes (SQLite cannot declare NULLS LAST on an index).
"""

from django.conf import settings
from django.db import migrations, models

BACKFILL_SQL = """
UPDATE catalog_listing AS listing SET
    item_chemistry = COALESCE(
        CASE WHEN source.listing_type = 'module_lot' THEN mod.chemistry ELSE pack.chemistry END,
        black_mass.source_chemistry, ''),
    item_soh_pct = COALESCE(pack.soh_pct, mod.soh_pct),
    item_grade = COALESCE(pack.grade, mod.grade, ''),
    item_soh_source = COALESCE(pack.soh_source, mod.soh_source, ''),
    item_capacity_kwh = COALESCE(pack.rated_capacity_kwh, mod.total_capacity_kwh),
    search_text = LOWER(CONCAT_WS(' ',
        NULLIF(TRIM(source.title), ''), NULLIF(TRIM(vehicle.make), ''),
        NULLIF(TRIM(vehicle.model), ''), NULLIF(TRIM(pack.manufacturer), ''),
        NULLIF(TRIM(mod.manufacturer), ''), NULLIF(TRIM(mod.module_type), '')))
FROM catalog_listing AS source
LEFT JOIN catalog_usedvehicle AS vehicle ON vehicle.id = source.vehicle_id
LEFT JOIN catalog_batterypack AS pack ON pack.id = source.pack_id
LEFT JOIN catalog_modulelot AS mod ON mod.id = source.module_lot_id
LEFT JOIN catalog_blackmasslot AS black_mass ON black_mass.id = source.black_mass_lot_id
WHERE listing.id = source.id
"""
# PostgreSQL only. The browse orders that sort nulls last in descending order
# (NullsLastOrderingFilter: publication date, capacity), which SQLite cannot declare on an
# index, and pg_trgm GIN indexes for the text filters.
POSTGRESQL_INDEXES = {
    "listing_type_published": "(listing_type, published_at DESC NULLS LAST, id DESC)",
    "listing_grade_capacity": "(item_grade, item_capacity_kwh DESC NULLS LAST, id DESC)",
}
TRIGRAM_INDEXES = {
    # filter_text: search_text LIKE '%word%' (stored lower-case)
    "catalog_listing_search_text_trgm": "search_text gin_trgm_ops",
    # region=…: Django's icontains is UPPER(region::text) LIKE UPPER('%…%')
    "catalog_listing_region_upper_trgm": "(UPPER(region::text)) gin_trgm_ops",
}


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL_SQL)
        return
    from marketplace.catalog.search import listing_search_values

    Listing = apps.get_model("catalog", "Listing")
    listings = Listing.objects.select_related("vehicle", "pack", "module_lot", "black_mass_lot")
    for listing in listings.iterator(chunk_size=500):
        Listing.objects.filter(pk=listing.pk).update(**listing_search_values(listing))


def postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in POSTGRESQL_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_listing {columns}")
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON catalog_listing USING gin ({column})"
            )


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in [*POSTGRESQL_INDEXES, *TRIGRAM_INDEXES]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0002_listing_items_relistable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="item_capacity_kwh",
            field=models.DecimalField(
                blank=True, decimal_places=2, editable=False, max_digits=10, null=True
            ),
        ),
        migrations.AddField(
            model_name="listing",
            name="item_chemistry",
            field=models.CharField(blank=True, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name="listing",
            name="item_grade",
            field=models.CharField(blank=True, editable=False, max_length=2),
        ),
        migrations.AddField(
            model_name="listing",
            name="item_soh_pct",
            field=models.DecimalField(
                blank=True, decimal_places=2, editable=False, max_digits=5, null=True
            ),
        ),
        migrations.AddField(
            model_name="listing",
            name="item_soh_source",
            field=models.CharField(blank=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="listing",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(fields=["listing_type", "price", "-id"], name="listing_type_price"),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["listing_type", "item_chemistry", "item_soh_pct"],
                name="listing_type_chemistry_soh",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(postgresql_indexes, drop_postgresql_indexes),
    ]
