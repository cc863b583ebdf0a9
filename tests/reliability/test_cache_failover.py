"""With Redis unreachable, the cache answers from process memory (and says so once)."""

import logging
import time

from marketplace.core.cache import FailoverRedisCache
from tests.reliability.servers import free_port


def test_a_dead_redis_falls_back_to_memory_quickly_and_warns_once(caplog):
    cache = FailoverRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    caplog.set_level(logging.WARNING, logger="marketplace.core.cache")
    started = time.monotonic()

    cache.add("ratelimit:login:kenji", 0, timeout=60)
    counts = [cache.incr("ratelimit:login:kenji") for _ in range(3)]
    cache.set("lockout", "yes", timeout=60)

    assert counts == [1, 2, 3]
    assert cache.get("lockout") == "yes"
    assert cache.get_many(["lockout", "absent"]) == {"lockout": "yes"}
    assert time.monotonic() - started < 5  # refused at once, never the OS connect timeout
    (warning,) = caplog.records  # once per outage, not once per call
    assert warning.getMessage().startswith("cache: Redis unavailable (")
