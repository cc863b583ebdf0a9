"""Load generators: concurrent bidders and sequential searches over HTTP on 127.0.0.1.

Bidders are closed loops (send, wait for the answer, send again). Each bid asks for the next
amount of a per-sale ladder that rises by more than the largest increment, so every bid is
either accepted (201) or, when it overtook a later one on the way, refused as too low
(400 bid_too_low): both are correct answers. Anything else is an error.

The bidders speak HTTP/1.1 themselves (``_Connection``: one keep-alive connection each, the
request written whole, the answer read by its length) because the load generator shares the
two cores with what it measures: aiohttp's client took 0.47 ms of CPU per bid, an eighth of
what gunicorn spent on it, and every such millisecond was taken from the server (pgbench, the
baseline, drives PostgreSQL from C). Searches and reads, where one client's CPU does not
bound anything, stay on aiohttp.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import aiohttp

# Above the largest JPY increment of market_rules.yaml (100,000): a bid sent after the previous
# one was applied always clears "current price + increment".
LADDER_STEP = Decimal(200_000)
REQUEST_TIMEOUT_S = 10.0
MAX_BIDS_PER_CLIENT = 50_000


@dataclass
class Accepted:
    user_id: int
    sale_id: int
    amount: Decimal
    latency_ms: float


@dataclass
class BidRun:
    clients: int
    seconds: float = 0.0
    accepted: list[Accepted] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    refused_latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unknown_outcome: list[tuple[int, int, Decimal]] = field(default_factory=list)


class Ladder:
    """The next amount per sale: start price, then +LADDER_STEP per bid handed out."""

    def __init__(self, start_prices: dict[int, Decimal]) -> None:
        self.next_amount = dict(start_prices)

    def take(self, sale_id: int) -> Decimal:
        amount = self.next_amount[sale_id]
        self.next_amount[sale_id] = amount + LADDER_STEP
        return amount


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time: the answer is complete when
    its Content-Length (or its last chunk) has arrived; ``Connection: close`` ends it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        answer = _parse_answer(self.buffer)
        if answer is not None:
            self.waiter.set_result(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection closed: {exc}"))

    async def exchange(self, request: bytes, timeout_s: float) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        self.waiter = waiter = loop.create_future()
        self.transport.write(request)
        timer = loop.call_later(timeout_s, _time_out, waiter)
        try:
            status, body, close = await waiter
        finally:
            timer.cancel()
        if close:
            self.transport.close()
            self.closed = True
        return status, body


def _time_out(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError("no answer in time"))


def _parse_answer(buffer: bytearray) -> tuple[int, bytes, bool] | None:
    """(status, body, server closes) of the complete answer at the start of ``buffer``, which
    it consumes; None while the answer is incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    start = end + 4
    if headers.get("transfer-encoding") == "chunked":
        body, position = bytearray(), start
        while True:
            line_end = buffer.find(b"\r\n", position)
            if line_end < 0:
                return None
            size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
            if len(buffer) < line_end + 2 + size + 2:
                return None
            body += buffer[line_end + 2 : line_end + 2 + size]
            position = line_end + 2 + size + 2
            if size == 0:
                break
    else:
        length = int(headers.get("content-length", "0"))
        if len(buffer) < start + length:
            return None
        body, position = buffer[start : start + length], start + length
    del buffer[:position]
    return status, bytes(body), headers.get("connection") == "close"


def _bid_request(*, host: str, sale_id: int, token: str, amount: Decimal) -> bytes:
    body = b'{"max_amount": "%s"}' % str(amount).encode()
    return (
        b"POST /api/v1/trading/sales/%d/bids/ HTTP/1.1\r\nHost: %s\r\n"
        b"Authorization: Token %s\r\nAccept: application/json\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    ) % (sale_id, host.encode(), token.encode(), len(body), body)


async def _bidder(
    *,
    base_url: str,
    token: str,
    user_id: int,
    sale_ids: list[int],
    ladder: Ladder,
    deadline: float,
    run: BidRun,
    rng: random.Random,
) -> None:
    loop = asyncio.get_running_loop()
    address = urlsplit(base_url)
    connection: _Connection | None = None
    try:
        for _ in range(MAX_BIDS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            if connection is None or connection.closed:
                try:
                    _, connection = await loop.create_connection(
                        _Connection, address.hostname, address.port
                    )
                except OSError as error:  # nothing was sent: an error, not an unknown bid
                    run.errors.append(f"connect: {error}")
                    connection = None
                    await asyncio.sleep(0.1)
                    continue
            sale_id = sale_ids[0] if len(sale_ids) == 1 else rng.choice(sale_ids)
            amount = ladder.take(sale_id)
            request = _bid_request(host=address.netloc, sale_id=sale_id, token=token, amount=amount)
            started = time.perf_counter()
            try:
                status, body = await connection.exchange(request, REQUEST_TIMEOUT_S)
            except (TimeoutError, ConnectionError, ValueError) as error:
                # The server may or may not have applied it: the check against the database
                # counts such a bid as neither lost nor duplicated, but reports it.
                run.unknown_outcome.append((user_id, sale_id, amount))
                run.errors.append(f"{type(error).__name__}: {error}")
                connection.transport.close()
                connection = None
                continue
            latency_ms = (time.perf_counter() - started) * 1000
            if status == 201:
                run.accepted.append(Accepted(user_id, sale_id, amount, latency_ms))
            elif status == 400 and b'"bid_too_low"' in body:
                run.refused["bid_too_low"] += 1
                run.refused_latencies_ms.append(latency_ms)
            else:
                run.errors.append(f"HTTP {status}: {body[:300].decode(errors='replace')}")
    finally:
        if connection is not None and not connection.closed:
            connection.transport.close()


async def _bid_load(
    *,
    base_url: str,
    bidders: list[tuple[int, str]],
    start_prices: dict[int, Decimal],
    seconds: float,
) -> BidRun:
    run = BidRun(clients=len(bidders))
    ladder = Ladder(start_prices)
    sale_ids = sorted(start_prices)
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _bidder(
                base_url=base_url,
                token=token,
                user_id=user_id,
                sale_ids=sale_ids,
                ladder=ladder,
                deadline=deadline,
                run=run,
                rng=random.Random(f"bench-bidder-{index}"),
            )
            for index, (user_id, token) in enumerate(bidders)
        )
    )
    run.seconds = time.monotonic() - started
    return run


def bid_load(
    *,
    base_url: str,
    bidders: list[tuple[int, str]],
    start_prices: dict[int, Decimal],
    seconds: float,
) -> BidRun:
    """``bidders``: (user id, API key) per concurrent client; ``start_prices``: sale → price."""
    return asyncio.run(
        _bid_load(base_url=base_url, bidders=bidders, start_prices=start_prices, seconds=seconds)
    )


@dataclass
class ReadRun:
    answered: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def _read_load(*, base_url: str, tokens: list[str], path: str, seconds: float) -> ReadRun:
    run = ReadRun()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=len(tokens))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.monotonic()
        deadline = started + seconds

        async def reader(token: str) -> None:
            headers = {"Authorization": f"Token {token}"}
            while time.monotonic() < deadline:
                sent = time.perf_counter()
                async with session.get(f"{base_url}{path}", headers=headers) as response:
                    await response.read()
                    status = response.status
                if status != 200:
                    run.errors.append(f"HTTP {status}")
                    continue
                run.answered += 1
                run.latencies_ms.append((time.perf_counter() - sent) * 1000)

        await asyncio.gather(*(reader(token) for token in tokens))
        run.seconds = time.monotonic() - started
    return run


def read_load(*, base_url: str, tokens: list[str], path: str, seconds: float) -> ReadRun:
    """Closed-loop authenticated GETs of one path: what the web tier answers per second with
    authentication, throttles and one read, for comparison with the bid path."""
    return asyncio.run(_read_load(base_url=base_url, tokens=tokens, path=path, seconds=seconds))


@dataclass
class SearchRun:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


async def _search_load(
    *, base_url: str, token: str, queries: dict[str, str], repeats: int, budget_s: float
) -> SearchRun:
    run = SearchRun()
    headers = {"Authorization": f"Token {token}"}
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    deadline = time.monotonic() + budget_s
    async with aiohttp.ClientSession(timeout=timeout) as session:
        # Interleaved rounds: a slow moment of the machine hits every query alike.
        for _ in range(repeats):
            for name, query in queries.items():
                if time.monotonic() >= deadline:
                    return run
                started = time.perf_counter()
                async with session.get(
                    f"{base_url}/api/v1/listings/?{query}", headers=headers
                ) as response:
                    body = await response.json(content_type=None)
                    status = response.status
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    run.errors.append(f"{name}: HTTP {status} {str(body)[:200]}")
                    continue
                run.latencies_ms.setdefault(name, []).append(elapsed)
                run.counts[name] = body.get("count", len(body.get("results", [])))
    return run


def search_load(
    *, base_url: str, token: str, queries: dict[str, str], repeats: int, budget_s: float
) -> SearchRun:
    return asyncio.run(
        _search_load(
            base_url=base_url, token=token, queries=queries, repeats=repeats, budget_s=budget_s
        )
    )


async def _warm_up(*, base_url: str, token: str, paths: list[str], parallel: int) -> int:
    headers = {"Authorization": f"Token {token}"}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one(path: str) -> int:
            async with session.get(f"{base_url}{path}", headers=headers) as response:
                await response.read()
                return response.status

        statuses = await asyncio.gather(*(one(path) for path in paths for _ in range(parallel)))
    return sum(1 for status in statuses if status == 200)


def warm_up(*, base_url: str, token: str, paths: list[str], parallel: int) -> int:
    """Every worker thread imports the views and opens its connections before the clock runs
    (gunicorn imports URLconfs lazily, on each worker's first request)."""
    return asyncio.run(_warm_up(base_url=base_url, token=token, paths=paths, parallel=parallel))
