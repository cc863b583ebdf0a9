"""The general and action limits are checked together, with DRF's rule: a request passes a
scope if fewer than N of that scope passed in the period; refused requests do not count.

Each rule test runs twice: on Redis (one script, inside Redis) and on a cache in process
memory (what the throttle uses when Redis is down, or with no Redis at all)."""

import pytest
import redis
from django.core.cache import cache, caches

from marketplace.core.api.throttles import RequestRateThrottle

pytestmark = pytest.mark.django_db

PRECHECK = "/api/v1/compliance/precheck/"
OUTFLOW = "/api/v1/circularity/outflow/"  # public: anonymous visitors may read it
BODY = {"material": "black_mass", "origin": "JP", "destination": "KR"}


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.needs_redis), "memory"])
def store(request, settings):
    if request.param == "memory":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return request.param


@pytest.fixture
def clock(monkeypatch, store):
    now = [1_800_000_000.0]
    monkeypatch.setattr(RequestRateThrottle, "timer", staticmethod(lambda: now[0]))
    cache.clear()
    return now


def _limits(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **rates,
        },
    }


def test_a_refused_request_is_not_counted_against_the_next_period(
    api_client, buyer, settings, clock
):
    _limits(settings, precheck="1/minute")
    api_client.force_authenticate(buyer)
    first = api_client.post(PRECHECK, BODY, format="json")
    clock[0] += 30
    refused = api_client.post(PRECHECK, BODY, format="json")
    clock[0] += 31  # 61 s after the first, 31 s after the refused one
    again = api_client.post(PRECHECK, BODY, format="json")

    assert (first.status_code, refused.status_code, again.status_code) == (200, 429, 200)
    assert int(refused["Retry-After"]) == 30  # until the first leaves the period


def test_a_limit_of_zero_refuses_every_request_for_the_whole_period(
    api_client, buyer, settings, clock
):
    _limits(settings, precheck="0/minute")
    api_client.force_authenticate(buyer)
    refused = api_client.post(PRECHECK, BODY, format="json")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60


def test_the_general_user_limit_applies_beside_the_action_limit(api_client, buyer, settings, clock):
    _limits(settings, user="2/minute", precheck="100/minute")
    api_client.force_authenticate(buyer)
    statuses = [api_client.post(PRECHECK, BODY, format="json").status_code for _ in range(3)]
    other_route = api_client.get("/api/v1/listings/")

    assert statuses == [200, 200, 429]
    assert other_route.status_code == 429  # the per-user limit covers every route


def test_anonymous_requests_are_limited_by_address(api_client, settings, clock):
    _limits(settings, anon="2/minute")
    from_one = [api_client.get(OUTFLOW, REMOTE_ADDR="192.0.2.1").status_code for _ in range(3)]
    from_another = api_client.get(OUTFLOW, REMOTE_ADDR="192.0.2.2")

    assert from_one == [200, 200, 429]
    assert from_another.status_code == 200


def test_an_anonymous_client_cannot_pick_its_address_with_a_forwarded_header(
    api_client, settings, clock
):
    _limits(settings, anon="2/minute")
    statuses = [
        api_client.get(
            OUTFLOW, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_behind_the_proxy_the_address_is_the_one_the_proxy_sets(api_client, settings, clock):
    _limits(settings, anon="2/minute")
    settings.MIDDLEWARE = [
        "marketplace.core.middleware.ProxiedClientAddressMiddleware",
        *settings.MIDDLEWARE,
    ]
    through_proxy = {"REMOTE_ADDR": ""}  # nginx talks to gunicorn over a unix socket
    from_one = [
        api_client.get(OUTFLOW, HTTP_X_REAL_IP="192.0.2.1", **through_proxy).status_code
        for _ in range(3)
    ]
    from_another = api_client.get(OUTFLOW, HTTP_X_REAL_IP="192.0.2.2", **through_proxy)

    assert from_one == [200, 200, 429]
    assert from_another.status_code == 200


def test_without_the_proxy_a_real_ip_header_is_the_clients_own_claim(api_client, settings, clock):
    _limits(settings, anon="2/minute")
    statuses = [
        api_client.get(
            OUTFLOW, REMOTE_ADDR="192.0.2.1", HTTP_X_REAL_IP=f"198.51.100.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


def _throttled_precheck_calls(api_client, buyer, monkeypatch, counted) -> list[str]:
    """The calls ``counted`` sees while one authenticated pre-check (scopes: user, precheck)
    is throttled; one request before it loads the script and opens the connections."""
    api_client.force_authenticate(buyer)
    assert api_client.post(PRECHECK, BODY, format="json").status_code == 200
    calls = []
    inside = []  # a cache's get_many calls its own get: count the outermost call only
    for owner, name in counted:
        original = getattr(owner, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            if not inside:
                calls.append(_name)
            inside.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(owner, name, spy)
    assert api_client.post(PRECHECK, BODY, format="json").status_code == 200
    return calls


@pytest.mark.needs_redis
def test_on_redis_every_scope_of_a_request_is_one_round_trip(
    api_client, buyer, settings, monkeypatch
):
    cache.clear()
    round_trips = [(redis.Redis, "execute_command"), (redis.client.Pipeline, "execute")]

    calls = _throttled_precheck_calls(api_client, buyer, monkeypatch, round_trips)

    assert calls == ["execute_command"]  # EVALSHA of the script, both scopes inside it


def test_in_memory_every_scope_of_a_request_is_one_read_and_one_write(
    api_client, buyer, settings, monkeypatch
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    memory = caches["default"]
    cache_calls = [(memory, name) for name in ("get", "set", "get_many", "set_many")]

    calls = _throttled_precheck_calls(api_client, buyer, monkeypatch, cache_calls)

    assert calls == ["get_many", "set_many"]  # user and precheck scopes together
