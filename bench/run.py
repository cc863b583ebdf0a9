"""`make bench`: the performance issue's benchmarks, each against a baseline of the same run.

Phases: fresh bench database (`<DATABASE_URL's db>_bench`) and Redis DB (REDIS_URL) → seed
(100,000 listings, bidders, auctions) → gunicorn → pgbench of the bid transaction (hot lot,
then 1,000 lots) → the same bids through the HTTP API, checked row by row against the database
→ searches vs their raw SQL → compliance pre-checks in process → closing storm on 2 real Celery
workers → RSS.
Writes bench/results/latest.json and prints a summary; `--record` also appends a row to the
history table of docs/benchmarks.md. Exits non-zero on any error or lost/duplicated bid.
Every child process is stopped on exit, Ctrl-C or error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VAR = BENCH / "var"
LOGS = VAR / "logs"
RESULTS = BENCH / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
PY = sys.executable


def _bench_db_name() -> str:
    """BENCH_DB_NAME, else `<the DATABASE_URL's database>_bench`, else marketplace_bench: a
    developer's own database (and the test databases derived from it) is never the one dropped."""
    if os.environ.get("BENCH_DB_NAME"):
        return os.environ["BENCH_DB_NAME"]
    configured = urllib.parse.urlparse(os.environ.get("DATABASE_URL", "")).path.strip("/")
    return f"{configured}_bench" if configured else "marketplace_bench"


DB_NAME = _bench_db_name()
if not DB_NAME.replace("_", "").isalnum():
    raise SystemExit(f"bench: the database name {DB_NAME!r} must be letters, digits and _ only")
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BENCH_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# BENCH_REDIS_URL, else REDIS_URL (each run flushes that DB), else DB 2.
REDIS_URL = (
    os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or ("redis://127.0.0.1:6379/2")
)
PGBENCH = shutil.which("pgbench") or "/usr/bin/pgbench"
FULL_SIZE = ("listings", "spread", "storm", "seconds")
HISTORY_MARKER = "<!-- bench history: run.py --record appends rows above this line -->"


def environment() -> dict[str, str]:
    """Production-like settings against the bench database; throttles far above the load."""
    return {
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "MARKETPLACE_VAR_DIR": str(VAR),
        "API_THROTTLE_USER": "1000000/minute",
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_SIGNUP": "1000000/minute",
        "API_THROTTLE_TOKENS": "1000000/minute",
        "API_THROTTLE_BIDS": "1000000/minute",
        "API_THROTTLE_PRECHECK": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# --- Child processes ------------------------------------------------------------------


class Children:
    """Processes this run started, each in its own session; stopped by pid, never by name."""

    def __init__(self) -> None:
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list[Any] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (LOGS / f"{name}.log").open("wb")
        self.logs.append(log)
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()


def _raise_on_signal(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, *, timeout_s: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - 127.0.0.1 only
                return
        except urllib.error.HTTPError as error:
            if error.code not in (502, 504):  # nginx is up, gunicorn not yet
                return  # it answers; the status is not what we wait for
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout_s:.0f} s")


def web_sizes(workers: int | None, threads: int | None) -> tuple[int, int]:
    """The gunicorn processes and threads a run uses: the arguments, else gunicorn.conf.py's."""
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return workers or config["workers"], threads or config["threads"]


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def start_web(children: Children, env: dict[str, str], *, port: int, workers: int | None,
              threads: int | None, access_log: Path | None = None) -> subprocess.Popen:  # fmt: skip
    """The production web tier on 127.0.0.1:``port``: nginx (bench/nginx.conf) in front of
    gunicorn with the production configuration (gunicorn.conf.py) on a unix socket;
    ``workers``/``threads`` override gunicorn's figures when given. Returns gunicorn."""
    if not Path(NGINX).exists():
        raise SystemExit(
            "bench: nginx is missing (the production web tier is nginx in front of gunicorn): "
            "apt-get install nginx-light"
        )
    socket_path = VAR / "web.sock"
    socket_path.unlink(missing_ok=True)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (VAR / "nginx" / temp).mkdir(parents=True, exist_ok=True)
    config = VAR / "nginx.conf"
    config.write_text(
        (BENCH / "nginx.conf").read_text().format(var=VAR, logs=LOGS, socket=socket_path, port=port)
    )
    logging = ["--access-logfile", str(access_log), "--access-logformat", '"%(r)s" %(s)s %(D)s']
    sizes = [*(["--workers", str(workers)] if workers else []),
             *(["--threads", str(threads)] if threads else [])]  # fmt: skip
    gunicorn = children.start(
        "gunicorn",
        [
            PY, "-m", "gunicorn", "marketplace.wsgi:application",
            "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"unix:{socket_path}",
            *sizes,
            *(logging if access_log else []),
            "--log-level", "warning",
        ],
        {**env, "BEHIND_PROXY": "true"},
    )  # fmt: skip
    children.start("nginx", [NGINX, "-c", str(config), "-e", str(LOGS / "nginx-error.log")], env)
    return gunicorn


# --- Database -------------------------------------------------------------------------


def fresh_database(env: dict[str, str]) -> None:
    import psycopg
    import redis

    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(BENCH_DSN) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- pgbench --------------------------------------------------------------------------


def pgbench(*, sale_min: int, sale_max: int, seeded, clients: int, seconds: int) -> dict:
    command = [
        PGBENCH,
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-n",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "-f",
        str(BENCH / "pgbench_bid.sql"),
        "-D",
        f"sale_min={sale_min}",
        "-D",
        f"sale_max={sale_max}",
        "-D",
        f"organisation={seeded.pgbench_organisation_id}",
        "-D",
        f"user={seeded.pgbench_user_id}",
        DB_NAME,
    ]
    result = subprocess.run(  # noqa: S603 - pgbench with our arguments
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"pgbench failed: {result.stderr.strip()[-500:]}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    if not tps:
        raise RuntimeError(f"pgbench output not understood:\n{result.stdout}")
    return {
        "tps": round(float(tps[1]), 1),
        "latency_avg_ms": float(latency[1]) if latency else None,
        "failed": int(failed[1]) if failed else 0,
        "clients": clients,
        "seconds": seconds,
    }


# --- Bids -----------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def verify_bids(run, sale_ids: list[int]) -> dict:
    """Every 201 has exactly one bid row (user, sale, maximum); no row lacks its 201."""
    from django.db.models import Count, Q

    from marketplace.trading.models import Bid, Sale

    rows = Counter(
        Bid.objects.filter(sale_id__in=sale_ids, is_automatic=False).values_list(
            "placed_by_id", "sale_id", "max_amount"
        )
    )
    accepted = Counter((a.user_id, a.sale_id, a.amount) for a in run.accepted)
    unknown = Counter(run.unknown_outcome)
    lost = sum(max(0, count - rows[key]) for key, count in accepted.items())
    duplicated = sum(count - 1 for count in rows.values() if count > 1)
    without_response = sum(
        max(0, count - accepted[key] - unknown[key]) for key, count in rows.items()
    )
    # The counters the service keeps must agree with the rows it wrote.
    stored = {
        row["pk"]: row
        for row in Sale.objects.filter(pk__in=sale_ids)
        .annotate(placed=Count("bids", filter=Q(bids__is_automatic=False)))
        .values("pk", "bid_count", "placed")
    }
    count_mismatches = sum(1 for row in stored.values() if row["bid_count"] != row["placed"])
    return {
        "rows": sum(rows.values()),
        "lost": lost,
        "duplicated": duplicated + without_response,
        "rows_without_response": without_response,
        "bid_count_mismatches": count_mismatches,
    }


# pgbench and the API take turns in slices of a phase: the machine's speed drifts by a third
# within minutes here (docs/benchmarks.md), so one 20-s run of each measured two different
# machines. Alternating short slices puts the drift on both sides of the ratio.
SLICES = 4


def next_start_prices(sale_ids: list[int]) -> dict[int, Decimal]:
    """Each sale's start price, or above the highest maximum bid on it so far."""
    from django.db.models import Max

    from bench.load import LADDER_STEP
    from marketplace.trading.models import Bid, Sale

    prices = dict(Sale.objects.filter(pk__in=sale_ids).values_list("pk", "start_price"))
    highest = dict(
        Bid.objects.filter(sale_id__in=sale_ids)
        .values("sale_id")
        .annotate(top=Max("max_amount"))
        .values_list("sale_id", "top")
    )
    return {
        pk: (highest[pk] + LADDER_STEP if pk in highest else price) for pk, price in prices.items()
    }


def _merged_runs(runs: list) -> Any:
    from bench.load import BidRun

    merged = BidRun(clients=runs[0].clients)
    for run in runs:
        merged.seconds += run.seconds
        merged.accepted += run.accepted
        merged.refused.update(run.refused)
        merged.refused_latencies_ms += run.refused_latencies_ms
        merged.errors += run.errors
        merged.unknown_outcome += run.unknown_outcome
    return merged


def _merged_baselines(baselines: list[dict]) -> dict:
    seconds = sum(b["seconds"] for b in baselines)
    latencies = [b["latency_avg_ms"] for b in baselines if b["latency_avg_ms"] is not None]
    return {
        "tps": round(sum(b["tps"] * b["seconds"] for b in baselines) / seconds, 1),
        "latency_avg_ms": round(sum(latencies) / len(latencies), 3) if latencies else None,
        "failed": sum(b["failed"] for b in baselines),
        "clients": baselines[0]["clients"],
        "seconds": seconds,
        "slices_tps": [b["tps"] for b in baselines],
    }


@dataclass(frozen=True)
class BidLeg:
    """One bid comparison: the API's ``clients`` bidders on ``sale_ids`` against pgbench's
    ``pgbench_clients`` on its own lots ``pgbench_sales`` (first, last); 0 clients: no pgbench."""

    name: str
    sale_ids: list[int]
    clients: int
    pgbench_sales: tuple[int, int]
    pgbench_clients: int


def paired_bid_phase(*, name: str, base_url: str, seeded, sale_ids: list[int], clients: int,
                     seconds: float, pgbench_sales: tuple[int, int], pgbench_clients: int,
                     slices: int = SLICES) -> dict:  # fmt: skip
    """pgbench on its own lots, then the API's bidders on theirs, ``slices`` times in turn,
    ``seconds`` in all for each; the ratio is of their totals. ``pgbench_clients=0``: the API
    alone (no ratio)."""
    leg = BidLeg(name, sale_ids, clients, pgbench_sales, pgbench_clients)
    slices = slices if pgbench_clients else 1  # nothing to take turns with
    return interleaved_bid_phases(
        legs=[leg], base_url=base_url, seeded=seeded, seconds=seconds, slices=slices
    )[name]


def interleaved_bid_phases(*, legs: list[BidLeg], base_url: str, seeded, seconds: float,
                           slices: int = SLICES) -> dict[str, dict]:  # fmt: skip
    """Every leg's pgbench slice and API slice, leg after leg, ``slices`` rounds: each figure
    is the total of its slices, so the machine's drift lands on every side alike, between the
    hot lot and the spread as between the API and pgbench."""
    from bench.load import bid_load

    slice_s = max(1, round(seconds / slices))
    baselines: dict[str, list[dict]] = {leg.name: [] for leg in legs}
    runs: dict[str, list] = {leg.name: [] for leg in legs}
    for _ in range(slices):
        for leg in legs:
            if leg.pgbench_clients:
                baselines[leg.name].append(
                    pgbench(
                        sale_min=leg.pgbench_sales[0],
                        sale_max=leg.pgbench_sales[1],
                        seeded=seeded,
                        clients=leg.pgbench_clients,
                        seconds=slice_s,
                    )
                )
            bidders = list(zip(seeded.bidder_user_ids, seeded.bidder_tokens, strict=True))
            runs[leg.name].append(
                bid_load(
                    base_url=base_url,
                    bidders=bidders[: leg.clients],
                    start_prices=next_start_prices(leg.sale_ids),
                    seconds=slice_s,
                )
            )
    results = {}
    for leg in legs:
        baseline = {"tps": 0.0, "failed": 0}
        if baselines[leg.name]:
            baseline = _merged_baselines(baselines[leg.name])
            print(f"  pgbench {leg.name}: {baseline['tps']} tps (slices {baseline['slices_tps']})")
        result = bid_result(
            name=leg.name,
            run=_merged_runs(runs[leg.name]),
            sale_ids=leg.sale_ids,
            clients=leg.clients,
            baseline=baseline,
        )
        result["slices_api_bids_per_s"] = [
            round(len(r.accepted) / r.seconds, 1) for r in runs[leg.name]
        ]
        results[leg.name] = result
    return results


def bid_result(*, name: str, run, sale_ids: list[int], clients: int, baseline: dict) -> dict:
    """The figures of a bid run, every accepted bid checked against the database."""
    check = verify_bids(run, sale_ids)
    latencies = [a.latency_ms for a in run.accepted]
    accepted_per_s = len(run.accepted) / run.seconds if run.seconds else 0.0
    result = {
        "pgbench_tps": baseline["tps"],
        "api_bids_per_s": round(accepted_per_s, 1),
        "ratio": round(accepted_per_s / baseline["tps"], 3) if baseline["tps"] else None,
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "lost": check["lost"],
        "duplicated": check["duplicated"],
        "clients": clients,
        "auctions": len(sale_ids),
        "seconds": round(run.seconds, 2),
        "accepted": len(run.accepted),
        "refused_too_low": run.refused["bid_too_low"],
        "answered_per_s": round((len(run.accepted) + run.refused["bid_too_low"]) / run.seconds, 1)
        if run.seconds
        else 0.0,
        "refused_p50_ms": round(_percentile(run.refused_latencies_ms, 0.50), 1),
        "errors": len(run.errors),
        "error_samples": run.errors[:5],
        "unknown_outcome": len(run.unknown_outcome),
        "rows_checked": check["rows"],
        "bid_count_mismatches": check["bid_count_mismatches"],
        "pgbench": baseline,
        "latency_measured": "client side, loopback (aiohttp), accepted bids only",
    }
    print(
        f"  {name}: {result['api_bids_per_s']}/s accepted "
        f"({result['accepted']} ok, {result['refused_too_low']} too low, "
        f"{result['errors']} errors) p50 {result['p50_ms']} ms p99 {result['p99_ms']} ms; "
        f"lost {result['lost']} duplicated {result['duplicated']}"
    )
    return result


# --- Search ---------------------------------------------------------------------------


def search_phase(*, base_url: str, seeded, access_log: Path, rounds: int) -> list[dict]:
    from bench import search

    captured = {
        name: search.capture_sql(token=seeded.search_token, query=query)
        for name, query in search.QUERIES.items()
    }
    offset = access_log.stat().st_size if access_log.exists() else 0
    run = search.paired_run(
        dsn=BENCH_DSN,
        base_url=base_url,
        token=seeded.search_token,
        statements={name: sql.statements for name, sql in captured.items()},
        rounds=rounds,
        budget_s=90,
    )
    if run.errors:
        raise RuntimeError(f"search errors: {run.errors[:3]}")
    time.sleep(1.0)  # gunicorn writes the access log line after the response
    log_tail = LOGS / "access-search.log"
    with access_log.open("rb") as handle:
        handle.seek(offset)
        log_tail.write_bytes(handle.read())
    server = search.server_times(log_tail, search.QUERIES)
    first_seen = search.server_times(log_tail, search.QUERIES, first_seen=True)
    results = []
    for name in search.QUERIES:
        sql_ms, server_ms = run.sql_ms.get(name, []), server[name]
        p95, sql_p95 = search.percentile(server_ms, 0.95), search.percentile(sql_ms, 0.95)
        first_p95 = search.percentile(first_seen[name], 0.95)
        results.append(
            {
                "name": name,
                "p95_ms": round(p95, 2),
                "sql_ms": round(sql_p95, 2),
                "ratio": round(p95 / sql_p95, 2) if sql_p95 else None,
                "p50_ms": round(search.percentile(server_ms, 0.50), 2),
                "sql_median_ms": round(search.percentile(sql_ms, 0.50), 2),
                "client_p95_ms": round(search.percentile(run.client_ms.get(name, []), 0.95), 2),
                # The same search as a query string the worker had not seen (search.py)
                "first_seen_p95_ms": round(first_p95, 2),
                "first_seen_ratio": round(first_p95 / sql_p95, 2) if sql_p95 else None,
                "first_seen_requests": len(first_seen[name]),
                "requests": len(server_ms),
                "sql_runs": len(sql_ms),
                "matches": run.counts.get(name),
                "statements": len(captured[name].statements),
                "other_statements": len(captured[name].other),
                "query": search.QUERIES[name],
                "sql": captured[name].statements,
            }
        )
        print(
            f"  {name}: p95 {p95:.1f} ms server (client {results[-1]['client_p95_ms']} ms), "
            f"SQL p95 {sql_p95:.1f} ms → ×{results[-1]['ratio']} ({len(server_ms)} requests); "
            f"first seen p95 {first_p95:.1f} ms ×{results[-1]['first_seen_ratio']}"
        )
    return results


# --- Memory ---------------------------------------------------------------------------


def rss_mb(children: Children) -> dict:
    import psutil

    def tree(name: str) -> list[psutil.Process]:
        process = children.processes.get(name)
        if process is None or process.poll() is not None:
            return []
        root = psutil.Process(process.pid)
        return [root, *root.children(recursive=True)]

    web = list(tree("gunicorn")[1:])  # the workers; the master only forks them
    worker = [p for name in ("celery1", "celery2") for p in tree(name)]
    web_mb = [round(p.memory_info().rss / 2**20, 1) for p in web]
    worker_mb = [round(p.memory_info().rss / 2**20, 1) for p in worker]
    return {
        "web": max(web_mb, default=None),
        "worker": max(worker_mb, default=None),
        "web_processes": web_mb,
        "worker_processes": worker_mb,
    }


# --- Reporting ------------------------------------------------------------------------


def machine() -> dict:
    import psutil

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match[1].strip() if match else ""
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "postgresql": postgres_version(),
        "os": platform.platform(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


TARGETS = {
    "bids_ratio_ge_0.5": lambda r: r["bids"]["ratio"] >= 0.5,
    "bids_p99_lt_100ms": lambda r: r["bids"]["p99_ms"] < 100,
    "bids_exact": lambda r: r["bids"]["lost"] == 0 and r["bids"]["duplicated"] == 0,
    "spread_ge_hot": lambda r: r["spread_bids"]["api_bids_per_s"] >= r["bids"]["api_bids_per_s"],
    "search_p95_lt_50ms": lambda r: all(s["p95_ms"] < 50 for s in r["search"]),
    "search_within_2x_sql": lambda r: all(s["ratio"] <= 2 for s in r["search"]),
    "storm_le_60s": lambda r: (
        r["closing_storm"]["completed"] and r["closing_storm"]["seconds"] <= 60
    ),
    "precheck_ge_2000": lambda r: r["precheck_per_s"] >= 2000,
    "rss_lt_150mb": lambda r: max(r["rss_mb"]["web"] or 0, r["rss_mb"]["worker"] or 0) < 150,
}


def evaluate(result: dict) -> dict[str, bool | None]:
    verdicts: dict[str, bool | None] = {}
    for name, check in TARGETS.items():
        try:
            verdicts[name] = bool(check(result))
        except (KeyError, TypeError):
            verdicts[name] = None
    return verdicts


def summary(result: dict) -> str:
    bids, spread, storm = result["bids"], result["spread_bids"], result["closing_storm"]
    lines = [
        f"Benchmarks {result['date']} on {result['machine']['cores']} cores "
        f"({result['machine']['cpu']}), PostgreSQL {result['machine']['postgresql']}",
        f"  hot lot   : API {bids['api_bids_per_s']}/s vs pgbench {bids['pgbench_tps']}/s "
        f"= {bids['ratio']:.0%} (target ≥ 50 %), p50 {bids['p50_ms']} ms, "
        f"p99 {bids['p99_ms']} ms (< 100), lost {bids['lost']}, duplicated {bids['duplicated']}",
        f"  spread    : API {spread['api_bids_per_s']}/s vs pgbench {spread['pgbench_tps']}/s "
        f"= {spread['ratio']:.0%}; ×{spread['api_bids_per_s'] / bids['api_bids_per_s']:.2f} "
        f"the hot lot (target ≥ 1), p99 {spread['p99_ms']} ms, lost {spread['lost']}, "
        f"duplicated {spread['duplicated']}",
    ]
    for search in result["search"]:
        lines.append(
            f"  search    : {search['name']:<22} p95 {search['p95_ms']:>7} ms "
            f"(< 50), SQL p95 {search['sql_ms']} ms, ×{search['ratio']} (≤ 2); "
            f"first seen {search.get('first_seen_p95_ms')} ms ×{search.get('first_seen_ratio')}"
        )
    lines += [
        f"  storm     : {storm['closed']}/{storm['auctions']} auctions closed in "
        + (
            f"{storm['seconds']:.1f} s (≤ 60)"
            if storm["completed"]
            else f"the time limit; at {storm['closes_per_s']}/s all would take "
            f"{storm['projected_seconds']} s (≤ 60)"
        )
        + f", {storm['orders']} orders",
        f"  pre-check : {result['precheck_per_s']:.0f}/s (≥ 2000)",
        f"  RSS       : web {result['rss_mb']['web']} MB, worker {result['rss_mb']['worker']} MB "
        "(< 150)",
        "  targets   : "
        + ", ".join(
            f"{name} {'ok' if ok else ('MISSED' if ok is False else '?')}"
            for name, ok in result["targets"].items()
        ),
    ]
    return "\n".join(lines)


def history_row(result: dict) -> str:
    bids, spread, storm = result["bids"], result["spread_bids"], result["closing_storm"]
    worst_search = max(result["search"], key=lambda s: s["p95_ms"])
    worst_ratio = max(s["ratio"] for s in result["search"])
    return (
        f"| {result['date'][:16].replace('T', ' ')} | {result.get('git', '')} "
        f"| {bids['pgbench_tps']:.0f} | {bids['api_bids_per_s']:.0f} ({bids['ratio']:.0%}) "
        f"| {bids['p99_ms']:.0f} | {bids['lost']}/{bids['duplicated']} "
        f"| {spread['api_bids_per_s']:.0f} ({spread['ratio']:.0%}) "
        f"| {worst_search['p95_ms']:.0f} ({worst_search['name']}) | ×{worst_ratio:.1f} "
        f"| {storm['seconds'] if storm['completed'] else '>' + str(storm['projected_seconds'])} "
        f"| {result['precheck_per_s']:.0f} "
        f"| {result['rss_mb']['web']:.0f}/{result['rss_mb']['worker']:.0f} |"
    )


def record_history(result: dict) -> None:
    text = DOCS.read_text(encoding="utf-8")
    if HISTORY_MARKER not in text:
        raise RuntimeError(f"{DOCS} has no history marker; add {HISTORY_MARKER!r}")
    DOCS.write_text(
        text.replace(HISTORY_MARKER, f"{history_row(result)}\n{HISTORY_MARKER}"), encoding="utf-8"
    )


def git_revision() -> str:
    try:
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# --- Main -----------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--spread", type=int, default=1_000, help="auctions of the spread run")
    parser.add_argument("--storm", type=int, default=10_000, help="auctions of the storm")
    parser.add_argument("--seconds", type=float, default=20, help="each bid run and pgbench")
    parser.add_argument(
        "--web-workers", type=int, default=None, help="gunicorn processes (gunicorn.conf.py's)"
    )
    parser.add_argument("--web-threads", type=int, default=None, help="(gunicorn.conf.py's)")
    parser.add_argument(
        "--worker-concurrency", type=int, default=2, help="prefork processes per Celery worker"
    )
    parser.add_argument("--search-rounds", type=int, default=40, help="within a 90-s budget")
    parser.add_argument(
        "--storm-timeout", type=float, default=150, help="stop waiting for the storm after this"
    )
    parser.add_argument(
        "--record", action="store_true", help="append this run to docs/benchmarks.md's history"
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace, children: Children) -> dict:
    env = {**os.environ, **environment()}
    os.environ.update(environment())
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_at_start = os.getloadavg()[0]

    def phase(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {text}", flush=True)

    phase(f"fresh database {DB_NAME}, Redis {REDIS_URL}, migrate")
    fresh_database(env)
    import django

    django.setup()
    from bench import precheck, seed, storm

    phase(f"seed: {args.listings:,} listings, {1 + args.spread} + {1 + args.spread} + "
          f"{args.storm:,} auctions")  # fmt: skip
    seeded = seed.seed(listings=args.listings, spread=args.spread, storm=args.storm)
    from django.db import connection

    connection.close()  # the web tier and pgbench get the server to themselves

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    access_log = LOGS / "access.log"
    args.web_workers, args.web_threads = web_sizes(args.web_workers, args.web_threads)
    phase(f"gunicorn: {args.web_workers} workers × {args.web_threads} threads on {base_url}")
    gunicorn = start_web(
        children,
        env,
        port=port,
        workers=args.web_workers,
        threads=args.web_threads,
        access_log=access_log,
    )
    wait_http(f"{base_url}/healthz", timeout_s=30, process=gunicorn)
    from bench.load import warm_up

    # A seller with no listings: the listings view is imported without a heavy query.
    idle_seller = seeded.bidder_organisation_ids[-1]
    for _ in range(2):
        warm_up(
            base_url=base_url,
            token=seeded.search_token,
            paths=[
                f"/api/v1/trading/sales/{seeded.hot_sale_id}/",
                f"/api/v1/listings/?page_size=1&seller={idle_seller}",
            ],
            parallel=args.web_workers * args.web_threads,
        )

    seconds = int(args.seconds)
    phase(f"bids: the hot lot (pgbench 8 clients, the API 16 bidders) and the spread over "
          f"{args.spread} lots (32 and 32), each side in turn, {SLICES} rounds of "
          f"{seconds // SLICES} s each")  # fmt: skip
    ids = seeded.pgbench_spread_sale_ids
    hot_sale, pgbench_hot = seeded.hot_sale_id, seeded.pgbench_hot_sale_id
    legs = [
        BidLeg("hot", [hot_sale], 16, (pgbench_hot, pgbench_hot), 8),
        BidLeg("spread", seeded.spread_sale_ids, 32, (min(ids), max(ids)), 32),
    ]
    phases = interleaved_bid_phases(legs=legs, base_url=base_url, seeded=seeded, seconds=seconds)
    bids, spread = phases["hot"], phases["spread"]
    spread["hot_pgbench_tps"] = bids["pgbench_tps"]
    spread["vs_hot"] = round(spread["api_bids_per_s"] / bids["api_bids_per_s"], 2)

    phase("search: 5 filter combinations, API (server time from gunicorn) vs raw SQL")
    search_results = search_phase(
        base_url=base_url, seeded=seeded, access_log=access_log, rounds=args.search_rounds
    )

    phase("compliance pre-check in process")
    prechecks = precheck.precheck_rate()
    print(f"  {prechecks['per_s']}/s")

    phase("closing storm: 2 Celery workers")
    celery = [PY, "-m", "celery", "-A", "marketplace", "worker",
              "-c", str(args.worker_concurrency),
              "--without-gossip", "--without-mingle", "--loglevel=WARNING"]  # fmt: skip
    for number in (1, 2):
        children.start(f"celery{number}", [*celery, "-n", f"bench{number}@%h"], env)
    workers = wait_workers(2, timeout_s=60)
    phase(f"closing storm: {len(seeded.storm_sale_ids):,} close tasks queued, auctions due")
    storm_run = storm.run_storm(
        sale_ids=seeded.storm_sale_ids,
        expected_orders=seeded.storm_expected_orders,
        timeout_s=args.storm_timeout,
        workers=workers,
    )
    print(
        f"  closed {storm_run.closed:,}/{storm_run.auctions:,} in "
        f"{storm_run.observed_seconds:.1f} s ({storm_run.closes_per_s:.0f}/s), "
        f"{storm_run.orders:,} orders (queueing took {storm_run.enqueue_seconds:.1f} s)"
        + ("" if storm_run.completed else " — time limit reached, storm not finished")
    )
    memory = rss_mb(children)
    print(f"  RSS web {memory['web_processes']} MB, worker {memory['worker_processes']} MB")

    errors = [
        *(f"hot: {e}" for e in bids["error_samples"]),
        *(f"spread: {e}" for e in spread["error_samples"]),
        *storm_run.errors,
    ]
    if bids["pgbench"]["failed"] or spread["pgbench"]["failed"]:
        errors.append("pgbench reported failed transactions")
    result = {
        "machine": machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "bids": bids,
        "spread_bids": spread,
        "search": search_results,
        "search_time_measured": (
            "server: gunicorn access-log %(D)s; SQL: psycopg on 127.0.0.1, "
            "alternating with the requests"
        ),
        "closing_storm": {
            "auctions": storm_run.auctions,
            "seconds": round(storm_run.seconds, 1),
            "completed": storm_run.completed,
            "closed": storm_run.closed,
            "closes_per_s": round(storm_run.closes_per_s, 1),
            "projected_seconds": round(storm_run.auctions / storm_run.closes_per_s, 1)
            if storm_run.closes_per_s
            else None,
            "orders": storm_run.orders,
            "expected_orders": storm_run.expected_orders,
            "enqueue_seconds": round(storm_run.enqueue_seconds, 2),
            "workers": f"2 × celery worker -c {args.worker_concurrency} (prefork)",
            "timeline": storm_run.timeline[:: max(1, len(storm_run.timeline) // 40)],
        },
        "precheck_per_s": prechecks["per_s"],
        "precheck": prechecks,
        "rss_mb": memory,
        "seed": seeded.as_dict(),
        "config": {
            "web": f"gunicorn gthread {args.web_workers} workers × {args.web_threads} threads",
            "seconds": args.seconds,
        },
        "errors": errors,
        "bench_seconds": round(time.monotonic() - started, 1),
    }
    # Other work on the machine skews absolute figures; the ratios share the same skew.
    result["machine"]["load_average_at_start"] = round(load_at_start, 2)
    result["targets"] = evaluate(result)
    return result


def wait_workers(count: int, *, timeout_s: float) -> list[str]:
    """The names of the bench workers once ``count`` of them answer a ping."""
    from marketplace.celery import app

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        names = sorted(name for reply in replies for name in reply if name.startswith("bench"))
        if len(names) >= count:
            return names
    raise RuntimeError(f"{count} Celery workers did not answer within {timeout_s:.0f} s")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _raise_on_signal)
    children = Children()
    try:
        result = run(args, children)
    except KeyboardInterrupt:
        print("interrupted; stopping child processes", file=sys.stderr)
        return 130
    finally:
        children.stop_all()
    stamp = result["date"].replace(":", "").replace("-", "")
    text = json.dumps(_clean(result), indent=2, default=str, allow_nan=False)
    (RESULTS / f"run-{stamp}.json").write_text(text + "\n", encoding="utf-8")
    print(summary(result))
    # Only a run at the sizes replaces latest.json; a smoke run keeps its own file.
    full_size = all(getattr(args, name) == parse_args([]).__dict__[name] for name in FULL_SIZE)
    written = RESULTS / f"run-{stamp}.json"
    if full_size:
        written = RESULTS / "latest.json"
        written.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {written} ({result['bench_seconds']:.0f} s)")
    if args.record and full_size:
        record_history(result)
        print(f"appended a history row to {DOCS}")
    failed = result["errors"] or any(
        result[key]["lost"] or result[key]["duplicated"] for key in ("bids", "spread_bids")
    )
    if failed:
        print("FAILED: " + "; ".join(result["errors"][:5] or ["lost or duplicated bids"]))
        return 1
    return 0


def _clean(value: Any) -> Any:
    """JSON has no NaN: a figure that could not be measured is null."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
