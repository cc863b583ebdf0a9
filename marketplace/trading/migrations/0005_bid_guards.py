"""No bid or tender bid on a sale that is not open, refused by the database
(marketplace/trading/guards.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from marketplace.trading.guards import GUARDS

    for guard in GUARDS:
        guard.install(schema_editor.connection)


def drop(apps, schema_editor):
    from marketplace.trading.guards import GUARDS

    for guard in GUARDS:
        guard.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trading", "0004_money_check_constraints")]

    operations = [migrations.RunPython(install, drop)]
