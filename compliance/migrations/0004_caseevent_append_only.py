"""The audit chain's hashes are unique, and the events table refuses rewrites
(compliance/append_only.py).

Separate from 0003: PostgreSQL cannot alter a table with pending trigger events from the
backfill's updates in the same transaction.
"""

from django.db import migrations, models


def add_append_only_trigger(apps, schema_editor):
    from compliance import append_only

    append_only.install(schema_editor.connection)


def drop_append_only_trigger(apps, schema_editor):
    from compliance import append_only

    append_only.drop(schema_editor.connection)


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
