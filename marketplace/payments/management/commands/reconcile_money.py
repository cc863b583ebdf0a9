"""`python manage.py reconcile_money`: do orders, payments, refunds, payouts and invoices agree?

Exit 0 with one line when everything balances to the yen; exit 1 with one line per
discrepancy otherwise (for a cron job or a monitoring check).
"""

from django.core.management.base import BaseCommand, CommandError

from marketplace.payments.services.reconciliation import money_reconcile


class Command(BaseCommand):
    help = "Check that orders, payments, refunds, payouts and invoices balance to the yen."

    def handle(self, *args, **options) -> None:
        result = money_reconcile()
        if result.balanced:
            self.stdout.write(f"money reconciles: {result.summary()}")
            return
        for discrepancy in result.discrepancies:
            self.stdout.write(str(discrepancy))
        raise CommandError(
            f"{len(result.discrepancies)} discrepancies in {result.summary()}", returncode=1
        )
