"""A cross-border payout without an approved compliance case is refused by the database
(marketplace/payments/guards.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from marketplace.payments.guards import GUARDS

    for guard in GUARDS:
        guard.install(schema_editor.connection)


def drop(apps, schema_editor):
    from marketplace.payments.guards import GUARDS

    for guard in GUARDS:
        guard.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_deposits_refunds_payouts_invoices"),
        ("compliance", "0005_counterparty_permits_check"),
    ]

    operations = [migrations.RunPython(install, drop)]
