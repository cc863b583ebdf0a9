"""The hot-lot comparison alone, on the database the last `make bench` left behind: a quick
loop for working on the bid path (about 1 minute instead of 3).

    .venv/bin/python bench/hot.py                   # pgbench and API in turn, 10 s each
    .venv/bin/python bench/hot.py --seconds 20 --clients 16 --web-threads 4

Each run opens two fresh auctions (one for the API, one for pgbench) on published lots of the
bench database, gives the load generator's bidders their deposits and new API keys, starts
gunicorn with the production configuration, and checks every accepted bid against the
database as `make bench` does. Prints the figures; writes nothing under bench/results.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 - after the path that makes `bench` importable
    LOGS,
    Children,
    environment,
    free_port,
    paired_bid_phase,
    start_web,
    wait_http,
    web_sizes,
)


def fresh_auctions(clients: int) -> SimpleNamespace:
    """Two new open auctions on published Japanese lots, deposits and API keys for bidders."""
    from django.db import transaction
    from django.utils import timezone

    from bench import seed
    from marketplace.accounts.models import User
    from marketplace.accounts.services import api_token_create
    from marketplace.catalog.choices import ListingStatus, ListingType, SaleFormat
    from marketplace.catalog.models import Listing

    with transaction.atomic():
        lots = list(
            Listing.objects.filter(
                status=ListingStatus.PUBLISHED,
                country="JP",
                listing_type__in=(ListingType.USED_EV, ListingType.BATTERY_PACK),
            )
            .order_by("pk")
            .values("pk", "seller_id", "listing_type", "currency", "price")[:2]
        )
        if len(lots) < 2:
            raise SystemExit("no published lots left: run `make bench` for a fresh database")
        lots = [SimpleNamespace(**lot) for lot in lots]
        Listing.objects.filter(pk__in=[lot.pk for lot in lots]).update(
            status=ListingStatus.IN_SALE, sale_format=SaleFormat.ENGLISH_AUCTION
        )
        sellers = {
            user.organisation_id: user
            for user in User.objects.filter(organisation_id__in=[lot.seller_id for lot in lots])
        }
        now = timezone.now()
        ends_at = now + timedelta(hours=6)
        sales = [seed._sale(lot, now=now, ends_at=ends_at, seller_users=sellers) for lot in lots]
        for sale in sales:
            sale.save(force_insert=True)
        bidders = list(
            User.objects.filter(username__startswith="bench-bidder-").order_by("pk")[:clients]
        )
        seeded = seed.Seeded(
            bidder_user_ids=[user.pk for user in bidders],
            bidder_organisation_ids=[user.organisation_id for user in bidders],
            bidder_tokens=[api_token_create(user=user, name="bench hot")[1] for user in bidders],
        )
        seed._deposits(seeded, [(sales[0], lots[0])])
        pgbench_user = User.objects.get(username="bench-pgbench")
    seeded.hot_sale_id, seeded.pgbench_hot_sale_id = sales[0].pk, sales[1].pk
    seeded.pgbench_user_id = pgbench_user.pk
    seeded.pgbench_organisation_id = pgbench_user.organisation_id
    return seeded


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn.conf.py's")
    parser.add_argument("--web-threads", type=int, default=None, help="gunicorn.conf.py's")
    parser.add_argument("--no-pgbench", action="store_true")
    args = parser.parse_args(argv)
    env = {**os.environ, **environment()}
    os.environ.update(environment())
    LOGS.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.db import connection

    seeded = fresh_auctions(args.clients)
    connection.close()
    args.web_workers, args.web_threads = web_sizes(args.web_workers, args.web_threads)
    children = Children()
    try:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        web = start_web(
            children, env, port=port, workers=args.web_workers, threads=args.web_threads
        )
        wait_http(f"{base_url}/healthz", timeout_s=30, process=web)
        from bench.load import warm_up

        warm_up(
            base_url=base_url,
            token=seeded.bidder_tokens[0],
            paths=[f"/api/v1/trading/sales/{seeded.hot_sale_id}/"],
            parallel=2 * args.web_workers * args.web_threads,
        )
        started = time.process_time()
        result = paired_bid_phase(
            name="hot",
            base_url=base_url,
            seeded=seeded,
            sale_ids=[seeded.hot_sale_id],
            clients=args.clients,
            seconds=args.seconds,
            pgbench_sales=(seeded.pgbench_hot_sale_id, seeded.pgbench_hot_sale_id),
            pgbench_clients=0 if args.no_pgbench else 8,
        )
        print(
            f"  ratio {result['ratio']}, answered {result['answered_per_s']}/s, "
            f"load generator CPU {time.process_time() - started:.1f} s"
        )
        from bench.load import read_load

        reads = read_load(
            base_url=base_url,
            tokens=seeded.bidder_tokens,
            path=f"/api/v1/trading/sales/{seeded.hot_sale_id}/",
            seconds=args.seconds,
        )
        print(
            f"  the same clients reading the sale (GET): {reads.answered / reads.seconds:.1f}/s, "
            f"{len(reads.errors)} errors"
        )
    finally:
        children.stop_all()
    return 1 if result["lost"] or result["duplicated"] or result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
