"""Tighter API limits for the actions people (or scripts) hammer: bidding and the pre-check.

The general per-user throttle (settings: "user") allows bursts a bidding bot would love; these
scopes count per user (per address when anonymous) and per scope, on top of it, and answer
429 with Retry-After like every DRF throttle.
"""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import UserRateThrottle

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


class ActionRateThrottle(UserRateThrottle):
    def __init__(self) -> None:  # the scope, and so the rate, is known per request
        self.scope = None

    def get_rate(self) -> str | None:
        # Read at call time, not import time, so a changed setting (tests, reload) applies.
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)

    def allow_request(self, request, view) -> bool:
        match = request.resolver_match
        self.scope = SCOPE_BY_ROUTE.get(match.url_name if match else "")
        if self.scope is None or (self.scope in WRITES_ONLY and request.method in SAFE_METHODS):
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
