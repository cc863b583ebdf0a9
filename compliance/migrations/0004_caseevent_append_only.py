"""The audit chain's hashes are unique, and the events table refuses rewrites.

Separate from 0003: PostgreSQL cannot alter a table with pending trigger events from the
backfill's updates in the same transaction.
"""

from django.db import migrations, models

# The audit trail is append-only in the database too: PostgreSQL refuses UPDATE and DELETE
# of a CaseEvent row by trigger (TRUNCATE, the test runner's flush, stays possible). SQLite
# refuses UPDATE only: Django's flush on SQLite is DELETE FROM, which a delete trigger would
# break; the model layer refuses deletes there, and verify_audit detects any that happen.
POSTGRES_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION compliance_caseevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'compliance_caseevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER compliance_caseevent_append_only
    BEFORE UPDATE OR DELETE ON compliance_caseevent
    FOR EACH ROW EXECUTE FUNCTION compliance_caseevent_append_only();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS compliance_caseevent_append_only ON compliance_caseevent;
DROP FUNCTION IF EXISTS compliance_caseevent_append_only();
"""
SQLITE_APPEND_ONLY = """
CREATE TRIGGER compliance_caseevent_append_only
BEFORE UPDATE ON compliance_caseevent
BEGIN
    SELECT RAISE(ABORT, 'compliance_caseevent is append-only: UPDATE refused');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS compliance_caseevent_append_only;"


def add_append_only_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_APPEND_ONLY)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_APPEND_ONLY)


def drop_append_only_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_audit_chain_risk_second_officer_movements"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="hash",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.RunPython(add_append_only_trigger, drop_append_only_trigger),
    ]
