"""API rate limits: the general ones (anonymous, per user) and tighter ones for the actions
people (or scripts) hammer: bidding and the pre-check.

The general per-user throttle (settings: "user") allows bursts a bidding bot would love; the
action scopes count per user (per address when anonymous) and per scope, on top of it, and
answer 429 with Retry-After like every DRF throttle.

``RequestRateThrottle`` checks every scope that applies to a request at once. The rule is DRF's
``SimpleRateThrottle`` rule, unchanged: a request passes a scope if fewer than N requests of
that scope passed in the last period; a refused request is not counted; Retry-After is the
longest wait among the refusing scopes.

On Redis the request times of a scope are a sorted set, and one script checks and records
every scope of the request in one round trip, inside Redis. DRF keeps them as one pickled list
per scope, read and written whole: at the bench's bid rate a bidder's list held about 1,800
times, and decoding and encoding it was a fifth of a bid's CPU (docs/benchmarks.md). With
another cache, or while Redis is down (core.cache.FailoverRedisCache), the same rule runs here
on the cache's lists.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from marketplace.core.cache import FailoverRedisCache

# route name → scope; "bids" counts writes only, "precheck" every call (it is the costly one).
SCOPE_BY_ROUTE = {
    "api-trading-bids": "bids",
    "api-trading-tender-bids": "bids",
    "api-trading-offers": "bids",
    "api-trading-buy-now": "bids",
    "api-compliance-precheck": "precheck",
    "api-trading-sale-precheck": "precheck",
}
WRITES_ONLY = {"bids"}


_PERIOD_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# KEYS: one sorted set per scope (member: one request, score: its time).
# ARGV: now, a member unique to this request, then limit and period (s) per key.
# Returns nil when every scope passes (the request is recorded in each), else the longest wait
# in seconds as a string (nothing recorded: a refused request does not count).
_CHECK_AND_RECORD = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
    local limit = tonumber(ARGV[1 + 2 * i])
    local period = tonumber(ARGV[2 + 2 * i])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
    local count = redis.call('ZCARD', key)
    if count >= limit then
        local scope_wait = period  -- a limit of 0: nothing ever passes
        if limit > 0 then
            local leaving = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
            scope_wait = period - (now - tonumber(leaving[2]))
        end
        if scope_wait > wait then wait = scope_wait end
    end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i]) * 1000))
end
return nil
"""


def _parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate as DRF does: "60/minute" is (60, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIOD_S[period[0]]


@dataclass
class _Scope:
    name: str
    ident: str
    num_requests: int
    duration_s: int

    @property
    def key(self) -> str:
        return f"throttle:{self.name}:{self.ident}"


class RequestRateThrottle(BaseThrottle):
    """anon (anonymous requests, by address), user (by user, or address when anonymous) and
    the route's action scope (SCOPE_BY_ROUTE), checked and recorded together."""

    cache_alias = "default"
    timer = time.time

    def __init__(self) -> None:
        self._wait: float | None = None

    def _scopes(self, request) -> list[_Scope]:
        user = request.user
        authenticated = bool(user and user.is_authenticated)
        ident = str(user.pk) if authenticated else self.get_ident(request)
        names = ["user"] if authenticated else ["anon", "user"]
        match = request.resolver_match
        action = SCOPE_BY_ROUTE.get(match.url_name if match else "")
        if action and not (action in WRITES_ONLY and request.method in SAFE_METHODS):
            names.append(action)
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        return [_Scope(name, ident, *_parse_rate(rates[name])) for name in names if rates.get(name)]

    def allow_request(self, request, view) -> bool:
        scopes = self._scopes(request)
        if not scopes:
            return True
        now = self.timer()
        cache = caches[self.cache_alias]
        if isinstance(cache, FailoverRedisCache):
            wait = cache.on_redis(
                lambda client: _check_in_redis(cache, client, scopes, now),
                fallback=lambda memory: _check_in_cache(memory, scopes, now),
            )
        else:
            wait = _check_in_cache(cache, scopes, now)
        self._wait = wait
        return wait is None

    def wait(self) -> float | None:
        return self._wait


_scripts: dict[int, object] = {}


def _check_in_redis(cache, client, scopes: list[_Scope], now: float) -> float | None:
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts.setdefault(id(client), client.register_script(_CHECK_AND_RECORD))
    args: list[object] = [repr(now), f"{now!r}:{secrets.token_hex(6)}"]
    for scope in scopes:
        args += [scope.num_requests, scope.duration_s]
    keys = [cache.make_key(scope.key) for scope in scopes]  # our keys: short, no spaces
    wait = script(keys=keys, args=args, client=client)
    return None if wait is None else float(wait)


def _check_in_cache(cache, scopes: list[_Scope], now: float) -> float | None:
    """The same rule on any Django cache: one list of times per scope, newest first."""
    stored = cache.get_many([scope.key for scope in scopes])
    histories = {}
    waits = []
    for scope in scopes:
        history = [t for t in stored.get(scope.key, []) if t > now - scope.duration_s]
        histories[scope.key] = history
        if len(history) >= scope.num_requests:
            if scope.num_requests <= 0:  # nothing ever passes
                waits.append(scope.duration_s)
                continue
            leaving = history[scope.num_requests - 1]
            waits.append(scope.duration_s - (now - leaving))
    if waits:
        return max(waits)
    cache.set_many(
        {key: [now, *history] for key, history in histories.items()},
        max(scope.duration_s for scope in scopes),
    )
    return None
