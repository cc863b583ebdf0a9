"""Search baselines: the SQL the listings API runs for each filter combination, timed on
psycopg directly, and the server time of the same requests from gunicorn's access log.

The SQL is captured from a real request through the Django test client in this process
(CaptureQueriesContext), so it is exactly what the API sends, parameters and all.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import psycopg
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Five searches buyers run: a reuse maker after healthy NMC packs, a dealer after cheap EVs, a
# recycler after black mass, a storage integrator after B2 capacity, a text search.
QUERIES: dict[str, str] = {
    "packs_nmc_soh80": (
        "listing_type=battery_pack&chemistry=NMC622&chemistry=NMC532&soh_min=80"
        "&ordering=-published_at"
    ),
    "ev_cheap_by_price": "listing_type=used_ev&price_max=1500000&country=JP&ordering=price",
    "black_mass_published": "listing_type=black_mass&status=published&ordering=-published_at",
    "storage_b2_capacity": "grade=B2&grade=C&capacity_min=20&ordering=-capacity",
    "text_leaf_fukuoka": "q=Leaf&region=Fukuoka",
}
SQL_RUNS = 30
SQL_BUDGET_S = 6.0  # per query: slow queries get fewer runs, the bench stays bounded
ACCESS_LINE = re.compile(r'^"GET (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) (?P<micros>\d+)$')


@dataclass
class CapturedSql:
    statements: list[str]  # those that read catalog_listing (count and page)
    other: list[str]  # authentication, throttling side reads


def capture_sql(*, token: str, query: str) -> CapturedSql:
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/listings/?{query}")
    if response.status_code != 200:
        raise RuntimeError(f"capturing SQL of {query!r}: HTTP {response.status_code}")
    statements, other = [], []
    for entry in captured.captured_queries:
        sql = entry["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        (statements if '"catalog_listing"' in sql else other).append(sql)
    return CapturedSql(statements=statements, other=other)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_sql(dsn: str, statements: list[str], runs: int = SQL_RUNS) -> tuple[float, float]:
    """(median, p95) in ms of running all ``statements`` one after the other on psycopg."""
    totals = []
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cursor:
        for sql in statements:  # warm the cache, as a live server's would be
            cursor.execute(sql.encode())
            cursor.fetchall()
        deadline = time.monotonic() + SQL_BUDGET_S
        for _ in range(runs):
            if totals and time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql.encode())
                cursor.fetchall()
            totals.append((time.perf_counter() - started) * 1000)
    return statistics.median(totals), _percentile(totals, 0.95)


def server_times(access_log: Path, queries: dict[str, str]) -> dict[str, list[float]]:
    """Request times (ms) gunicorn logged for each listings query (format '"%(r)s" %(s)s %(D)s')."""
    by_path = {f"/api/v1/listings/?{query}": name for name, query in queries.items()}
    times: dict[str, list[float]] = {name: [] for name in queries}
    for line in access_log.read_text(encoding="utf-8").splitlines():
        match = ACCESS_LINE.match(line.strip())
        if not match:
            continue
        path = match["path"]
        name = by_path.get(path) or by_path.get(unquote(path))
        if name and match["status"] == "200":
            times[name].append(int(match["micros"]) / 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    return _percentile(values, fraction) if values else float("nan")
