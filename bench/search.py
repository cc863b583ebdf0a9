"""Search baselines: the SQL the listings API runs for each filter combination, timed on
psycopg directly, and the server time of the same requests from gunicorn's access log.

The SQL is captured from a real request through the Django test client in this process
(CaptureQueriesContext), so it is exactly what the API sends, parameters and all. The SQL runs
and the HTTP requests alternate, so both sides of the ratio see the same machine.

The API keeps a search's statements per query string (catalog.search_statements), so each
query repeated is answered without building its queryset again. Each round therefore also
sends the query once as a query string the worker has not seen (a parameter the API ignores,
numbered by round): the first-seen figure, which pays for the FilterSet and the compiling.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
FIRST_SEEN = "&first_seen="  # ignored by the API; a new number makes a new query string
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


@dataclass
class PairedRun:
    """Per query: SQL times (psycopg) and client times (HTTP) taken in alternation, so a busy
    moment of the machine lands on both sides of the ratio."""

    sql_ms: dict[str, list[float]] = field(default_factory=dict)
    client_ms: dict[str, list[float]] = field(default_factory=dict)
    first_seen_client_ms: dict[str, list[float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def paired_run(
    *,
    dsn: str,
    base_url: str,
    token: str,
    statements: dict[str, list[str]],
    rounds: int,
    budget_s: float,
) -> PairedRun:
    """Rounds of: for each query, its SQL once on psycopg, then the API request once, then
    the same request as a query string not seen before."""
    run = PairedRun()
    address = urlsplit(base_url)
    connection_http = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {"Authorization": f"Token {token}"}
    deadline = time.monotonic() + budget_s
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cursor:
        for sqls in statements.values():  # warm the cache, as a live server's would be
            for sql in sqls:
                cursor.execute(sql.encode())
                cursor.fetchall()
        for number in range(rounds):
            if time.monotonic() >= deadline:
                break
            for name, query in QUERIES.items():
                started = time.perf_counter()
                for sql in statements[name]:
                    cursor.execute(sql.encode())
                    cursor.fetchall()
                run.sql_ms.setdefault(name, []).append((time.perf_counter() - started) * 1000)
                for path, times in (
                    (f"/api/v1/listings/?{query}", run.client_ms),
                    (f"/api/v1/listings/?{query}{FIRST_SEEN}{number}", run.first_seen_client_ms),
                ):
                    started = time.perf_counter()
                    connection_http.request("GET", path, headers=headers)
                    response = connection_http.getresponse()
                    body = response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status != 200:
                        run.errors.append(f"{name}: HTTP {response.status} {body[:200]!r}")
                        continue
                    times.setdefault(name, []).append(elapsed)
                    run.counts[name] = json.loads(body).get("count", 0)
    connection_http.close()
    return run


def server_times(
    access_log: Path, queries: dict[str, str], *, first_seen: bool = False
) -> dict[str, list[float]]:
    """Request times (ms) gunicorn logged for each listings query (format '"%(r)s" %(s)s %(D)s'):
    of the query string repeated, or with ``first_seen`` of its first-seen variants."""
    by_path = {f"/api/v1/listings/?{query}": name for name, query in queries.items()}
    times: dict[str, list[float]] = {name: [] for name in queries}
    for line in access_log.read_text(encoding="utf-8").splitlines():
        match = ACCESS_LINE.match(line.strip())
        if not match or match["status"] != "200":
            continue
        path = unquote(match["path"])
        base, marker, number = path.partition(FIRST_SEEN)
        if bool(marker) != first_seen or (marker and not number.isdigit()):
            continue
        name = by_path.get(base)
        if name:
            times[name].append(int(match["micros"]) / 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    return _percentile(values, fraction) if values else float("nan")
