"""A cross-border payout without an approved compliance case is refused by the database
(marketplace/payments/guards.py)."""

from django.db import migrations

from marketplace.core.triggers import guards_migration


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_deposits_refunds_payouts_invoices"),
        ("compliance", "0005_counterparty_permits_check"),
    ]

    operations = [guards_migration("marketplace.payments.guards")]
