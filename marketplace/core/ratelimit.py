"""Fixed-window rate limits and lock-outs kept in the cache (Redis in production).

For the HTML front door; the API uses DRF's throttles, which answer 429 with Retry-After
in the same way.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_seconds: int


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # it, and a forged header must not let an attacker reset their own counter.
    return request.META.get("REMOTE_ADDR", "unknown")


def _key(limit: Limit, subject: str) -> str:
    window = int(time.time()) // limit.window_seconds
    return f"ratelimit:{limit.scope}:{subject}:{window}"


def seconds_left(limit: Limit) -> int:
    return limit.window_seconds - int(time.time()) % limit.window_seconds


def hit(limit: Limit, subject: str) -> int | None:
    """Count one hit; return the seconds to wait if the limit is now exceeded."""
    key = _key(limit, subject)
    cache.add(key, 0, timeout=limit.window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=limit.window_seconds + 1)
        count = 1
    return seconds_left(limit) if count > limit.max_hits else None


def exceeded(limit: Limit, subject: str) -> int | None:
    """Seconds to wait if the limit is already exceeded, without counting a hit."""
    count = cache.get(_key(limit, subject), 0)
    return seconds_left(limit) if count >= limit.max_hits else None


def reset(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject))
