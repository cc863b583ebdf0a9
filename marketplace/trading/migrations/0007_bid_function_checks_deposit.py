"""The bid function checks the bidder's deposit itself (marketplace/trading/bid_function.py):
one argument more, so the previous function is dropped, not replaced."""

import importlib

from django.db import migrations

from marketplace.trading import bid_function

previous = importlib.import_module("marketplace.trading.migrations.0006_bid_in_one_statement")


def forward(apps, schema_editor):
    previous.drop(apps, schema_editor)
    bid_function.install(schema_editor.connection)


def backward(apps, schema_editor):
    bid_function.drop(schema_editor.connection)
    previous.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("trading", "0006_bid_in_one_statement")]

    operations = [migrations.RunPython(forward, backward)]
