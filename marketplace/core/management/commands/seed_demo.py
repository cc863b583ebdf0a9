"""Load demo data: organisations for every role, reference prices and listings.

Idempotent: everything is keyed by a natural key, so a second run creates nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from marketplace.accounts.demo import (
    DEMO_ORGANISATIONS,
    DEMO_PASSWORD,
    seed_organisation,
    seed_staff,
)
from marketplace.catalog.demo import seed_listings
from marketplace.circularity.demo import seed_completed_sales
from marketplace.trading.demo import seed_reference_prices, seed_sales


class Command(BaseCommand):
    help = "Load demo organisations, people, reference prices and listings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--listings", type=int, default=40, help="How many demo listings (default 40)."
        )
        parser.add_argument("--quiet-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, listings: int, quiet_progress: bool, **options):
        if listings < 0:
            raise CommandError("--listings must be zero or more")
        progress = not quiet_progress
        staff, created_count = seed_staff()
        created = int(created_count)
        for spec in tqdm(
            DEMO_ORGANISATIONS, desc="organisations", unit="org", disable=not progress
        ):
            created += int(seed_organisation(spec, staff=staff))
        created += seed_reference_prices(progress=progress)
        created += seed_listings(count=listings, progress=progress)
        created += seed_sales(progress=progress)
        created += seed_completed_sales(progress=progress)  # outflow dashboard
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({created} new records).")
            + f" Logins (password {DEMO_PASSWORD}): staff, "
            + ", ".join(spec.username for spec in DEMO_ORGANISATIONS)
        )
