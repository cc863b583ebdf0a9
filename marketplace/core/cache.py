"""A Redis cache that keeps the site up when Redis is not.

The cache holds throttle counters and lock-outs only (sessions live in the database). When
Redis refuses or times out, each call falls back to this process's memory: the limits keep
working per process, slightly looser, instead of every request failing with a 500. A
warning is logged once per outage, not per call.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
# A dead Redis must cost a request a second at most, not the OS's connect timeout.
DEFAULT_SOCKET_TIMEOUT_S = 1.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object on every cache call, and building one copies
    redis-py's table of ~170 response callbacks: on an API request with two throttles that
    was more CPU than the four round trips themselves. A client is thread-safe (each command
    borrows a connection from the pool), so one per pool serves every call."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(index)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", DEFAULT_SOCKET_TIMEOUT_S)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT_S)
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._fallback = LocMemCache(
            f"redis-fallback-{id(self)}", {"TIMEOUT": self.default_timeout}
        )
        self._redis_down = False

    def _call(self, method: str, *args, **kwargs):
        return self._guarded(
            lambda: getattr(super(FailoverRedisCache, self), method)(*args, **kwargs),
            lambda memory: getattr(memory, method)(*args, **kwargs),
        )

    def _guarded(self, on_redis: Callable[[], Any], on_memory: Callable[[Any], Any]) -> Any:
        try:
            result = on_redis()
        except REDIS_DOWN as error:
            if not self._redis_down:
                logger.warning("cache: Redis unavailable (%s); using process memory", error)
                self._redis_down = True
            return on_memory(self._fallback)
        if self._redis_down:
            logger.warning("cache: Redis is back")
            self._redis_down = False
        return result

    def on_redis(self, call: Callable[[Any], Any], *, fallback: Callable[[Any], Any]) -> Any:
        """``call(redis_client)`` for what the cache API cannot say in one round trip (a
        script); ``fallback(memory_cache)`` while Redis is down, like every other call."""
        return self._guarded(lambda: call(self._cache.get_client(write=True)), fallback)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
