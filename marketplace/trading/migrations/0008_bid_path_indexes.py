"""Indexes of the bid path: none on the sale's leading bid (a bid that takes the lead then
updates the sale's row in place), one for the runner-up's maximum."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from marketplace.core.triggers import without_guards


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('trading', '0007_bid_function_checks_deposit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = without_guards("marketplace.trading.guards", [
        migrations.AlterField(
            model_name='sale',
            name='leading_bid',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='trading.bid'),
        ),
        migrations.AddIndex(
            model_name='bid',
            index=models.Index(models.F('sale'), models.OrderBy(models.F('max_amount'), descending=True), models.F('created_at'), models.F('id'), condition=models.Q(('is_automatic', False)), name='trading_bid_best_maximum'),
        ),
    ])
