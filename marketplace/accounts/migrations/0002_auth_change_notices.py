"""Triggers that announce changes to the rows API authentication reads
(marketplace/accounts/change_notices.py), so that a connection may keep them."""

from django.db import migrations

from marketplace.accounts import change_notices


def forward(apps, schema_editor):
    change_notices.install(schema_editor.connection)


def backward(apps, schema_editor):
    change_notices.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
