"""Profile the paths `make bench` measures, on the database the last `make bench` left behind.

    .venv/bin/python bench/profile.py queries   # SQL per bid, per search, per close (in process)
    .venv/bin/python bench/profile.py sampling  # py-spy on the gunicorn workers under bid and
                                                # search load, summarised by function

`queries` runs real requests through the Django test client and the close task in process
and prints each statement with its time. `sampling` starts gunicorn as `make bench` does,
drives the hot-lot bid load and then the searches, and samples every worker with py-spy
(`pip install py-spy`); the raw stacks stay in bench/var/profile/ for flame graphs.
Not part of `make bench`: a sampler slows what it samples.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 - after the path that makes `bench` importable
    PY,
    RESULTS,
    VAR,
    Children,
    environment,
    free_port,
    start_web,
    wait_http,
)

PROFILE_DIR = VAR / "profile"
PY_SPY = Path(PY).parent / "py-spy"


def _setup() -> dict:
    os.environ.update(environment())
    import django

    django.setup()
    latest = RESULTS / "latest.json"
    if not latest.exists():
        raise SystemExit("run `make bench` first: profiling uses the database it leaves behind")
    return json.loads(latest.read_text())["seed"]


def _tokens(count: int) -> list[tuple[int, str]]:
    from marketplace.accounts.models import User
    from marketplace.accounts.services import api_token_create

    users = User.objects.filter(username__startswith="bench-bidder-").order_by("pk")[:count]
    return [(user.pk, api_token_create(user=user, name="bench profile")[1]) for user in users]


def _show(title: str, queries: list[dict]) -> None:
    total = sum(float(query["time"]) for query in queries) * 1000
    print(f"\n{title}: {len(queries)} statements, {total:.1f} ms in the database")
    for query in queries:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")


def queries(seed: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.search import QUERIES
    from marketplace.trading.models import Sale
    from marketplace.trading.tasks import close_sale

    (_, key), (_, other_key) = _tokens(2)
    sale = Sale.objects.get(pk=seed["hot_sale_id"])
    print(f"hot sale {sale.pk}: {sale.bid_count} bids so far")
    amount = (sale.current_price or sale.start_price) + Decimal(1_000_000)
    for number, token in enumerate((key, other_key, key)):
        client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                f"/api/v1/trading/sales/{sale.pk}/bids/",
                {"max_amount": str(amount + number * 300_000)},
                content_type="application/json",
            )
        if number == 2:
            _show(f"POST bid (HTTP {response.status_code})", captured.captured_queries)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    for name, query in QUERIES.items():
        client.get(f"/api/v1/listings/?{query}")
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/api/v1/listings/?{query}")
        _show(f"GET listings {name}", captured.captured_queries)
    due = Sale.objects.filter(status="open", bid_count__gt=0).exclude(pk=sale.pk).first()
    if due is not None:
        past = timezone.now() - timedelta(seconds=5)
        Sale.objects.filter(pk=due.pk).update(ends_at=past, original_ends_at=past)
        with CaptureQueriesContext(connection) as captured:
            outcome = close_sale.apply(args=[due.pk]).get()
        _show(f"close_sale task ({outcome})", captured.captured_queries)


def _collapsed_summary(path: Path, *, top: int = 25) -> str:
    """Inclusive and own sample share per function from py-spy's raw (collapsed) output."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame for frame in stack.split(";") if frame]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if frames and frames[0].startswith("thread "):
            frames = frames[1:]
        if not frames:
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{total} samples"]
    lines.append("inclusive (a function and what it calls):")
    for frame, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / total:5.1f} %  {frame}")
    lines.append("own time:")
    for frame, count in own.most_common(top):
        lines.append(f"  {100 * count / total:5.1f} %  {frame}")
    return "\n".join(lines)


def sampling(seed: dict, *, seconds: int) -> None:
    from bench.load import bid_load, search_load
    from bench.search import QUERIES
    from marketplace.trading.models import Sale

    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    (VAR / "logs").mkdir(parents=True, exist_ok=True)
    tokens = _tokens(16)
    env = {**os.environ, **environment()}
    children = Children()
    try:
        port = free_port()
        gunicorn = start_web(children, env, port=port, workers=None, threads=None)  # as the bench
        base_url = f"http://127.0.0.1:{port}"
        wait_http(f"{base_url}/healthz", timeout_s=30, process=gunicorn)
        sale = Sale.objects.get(pk=seed["hot_sale_id"])
        price = (sale.current_price or sale.start_price) + Decimal(1_000_000)
        for name, load in (
            (
                "bids",
                lambda: bid_load(
                    base_url=base_url,
                    bidders=tokens,
                    start_prices={sale.pk: price},
                    seconds=seconds,
                ),
            ),
            (
                "search",
                lambda: search_load(
                    base_url=base_url,
                    token=tokens[0][1],
                    queries=QUERIES,
                    repeats=1000,
                    budget_s=seconds,
                ),
            ),
        ):
            output = PROFILE_DIR / f"{name}.txt"
            sampler = subprocess.Popen(  # noqa: S603 - py-spy with our arguments
                [str(PY_SPY), "record", "--pid", str(gunicorn.pid), "--subprocesses",
                 "--duration", str(seconds), "--rate", "250", "--format", "raw",
                 "--nonblocking", "--output", str(output)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)
            load()
            sampler.wait(timeout=seconds + 30)
            print(f"\n=== {name}: py-spy over the gunicorn workers ({output})")
            print(_collapsed_summary(output))
    finally:
        children.stop_all()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("queries", "sampling"))
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args(argv)
    seed = _setup()
    if args.mode == "queries":
        queries(seed)
    else:
        sampling(seed, seconds=args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
