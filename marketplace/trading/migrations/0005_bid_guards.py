"""No bid or tender bid on a sale that is not open, refused by the database
(marketplace/trading/guards.py)."""

from django.db import migrations

from marketplace.core.triggers import guards_migration


class Migration(migrations.Migration):
    dependencies = [("trading", "0004_money_check_constraints")]

    operations = [guards_migration("marketplace.trading.guards")]
