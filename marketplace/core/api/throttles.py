"""API rate limits: the general ones (anonymous, per user) and tighter ones for the actions
people (or scripts) hammer: bidding and the pre-check.

The general per-user throttle (settings: "user") allows bursts a bidding bot would love; the
action scopes count per user (per address when anonymous) and per scope, on top of it, and
answer 429 with Retry-After like every DRF throttle.

``RequestRateThrottle`` checks every scope that applies to a request with one cache read and
one cache write, where DRF's own throttle classes take a read and a write per scope (four
round trips to Redis on a bid). The rule is DRF's ``SimpleRateThrottle`` rule, unchanged: a
request passes a scope if fewer than N requests of that scope passed in the last period; a
refused request is not counted; Retry-After is the longest wait among the refusing scopes.
The cache keys are DRF's own (``throttle_<scope>_<ident>``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as default_cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

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


def _parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate as DRF does: "60/minute" is (60, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIOD_S[period[0]]


@dataclass
class _Scope:
    key: str
    num_requests: int
    duration_s: int
    history: list[float]


class RequestRateThrottle(BaseThrottle):
    """anon (anonymous requests, by address), user (by user, or address when anonymous) and
    the route's action scope (SCOPE_BY_ROUTE), in one cache read and one write."""

    cache = default_cache
    timer = time.time

    def __init__(self) -> None:
        self._wait: float | None = None

    def _scopes(self, request) -> list[tuple[str, str]]:
        user = request.user
        authenticated = bool(user and user.is_authenticated)
        ident = str(user.pk) if authenticated else self.get_ident(request)
        scopes = [] if authenticated else [("anon", ident)]
        scopes.append(("user", ident))
        match = request.resolver_match
        action = SCOPE_BY_ROUTE.get(match.url_name if match else "")
        if action and not (action in WRITES_ONLY and request.method in SAFE_METHODS):
            scopes.append((action, ident))
        return scopes

    def allow_request(self, request, view) -> bool:
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        scopes = []
        for scope, ident in self._scopes(request):
            rate = rates.get(scope)
            if rate is None:
                continue
            num_requests, duration_s = _parse_rate(rate)
            scopes.append(_Scope(f"throttle_{scope}_{ident}", num_requests, duration_s, []))
        if not scopes:
            return True
        now = self.timer()
        stored = self.cache.get_many([scope.key for scope in scopes])
        waits = []
        for scope in scopes:
            # Newest first, as DRF keeps it; the oldest still inside the period is the last.
            scope.history = [t for t in stored.get(scope.key, []) if t > now - scope.duration_s]
            if len(scope.history) >= scope.num_requests:
                waits.append(scope.duration_s - (now - scope.history[-1]))
        if waits:
            self._wait = max(waits)
            return False
        self.cache.set_many(
            {scope.key: [now, *scope.history] for scope in scopes},
            max(scope.duration_s for scope in scopes),
        )
        return True

    def wait(self) -> float | None:
        return self._wait
