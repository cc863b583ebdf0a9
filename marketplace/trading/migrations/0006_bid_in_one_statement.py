"""A bid as one call of a database function (marketplace/trading/bid_function.py)."""

from django.db import migrations

from marketplace.trading import bid_function


def create(apps, schema_editor):
    bid_function.install(schema_editor.connection)


def drop(apps, schema_editor):
    bid_function.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trading", "0005_bid_guards")]

    operations = [migrations.RunPython(create, drop)]
