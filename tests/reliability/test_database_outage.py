"""PostgreSQL restarts under load: the app answers 503 meanwhile, recovers by itself, loses nothing.

The shared PostgreSQL is never touched: Django talks to it through a proxy of our own, and the
proxy's "restart" kills every live connection and refuses new ones for two seconds.
"""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from marketplace.catalog.models import SavedSearch
from tests.reliability.tcp_proxy import RestartableProxy

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proxy():
    """Point every new database connection of this process at a proxy in front of PostgreSQL."""
    database = connections.settings["default"]
    original = (database["HOST"], database["PORT"])
    proxy = RestartableProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))
    proxy.start()
    connections.close_all()
    database["HOST"], database["PORT"] = "127.0.0.1", proxy.port
    yield proxy
    connections.close_all()
    database["HOST"], database["PORT"] = original
    proxy.stop()


def _post_until(stop: threading.Event, user, worker: int, outcomes: list) -> None:
    client = APIClient(raise_request_exception=False)  # see the response a real client would
    client.force_authenticate(user)
    number = 0
    try:
        while not stop.is_set():
            name = f"worker {worker} search {number}"
            response = client.post(
                "/api/v1/saved-searches/", {"name": name, "query": "chemistry=nmc"}, format="json"
            )
            outcomes.append((time.monotonic(), name, response))
            number += 1
            time.sleep(0.02)
    finally:
        connections.close_all()  # this thread's connection, before the test database is dropped


def test_a_database_restart_under_load_loses_no_accepted_request(proxy, buyer):
    outcomes: list = []
    stop = threading.Event()
    workers = [
        threading.Thread(target=_post_until, args=(stop, buyer, n, outcomes)) for n in range(4)
    ]
    for thread in workers:
        thread.start()

    time.sleep(1.5)
    outage_started = time.monotonic()
    proxy.restart(down_for_seconds=2)
    outage_ended = time.monotonic()
    time.sleep(2.5)
    stop.set()
    for thread in workers:
        thread.join(timeout=30)

    statuses = [response.status_code for _, _, response in outcomes]
    assert set(statuses) <= {201, 503}, sorted(set(statuses))
    refused = [response for _, _, response in outcomes if response.status_code == 503]
    assert refused, "the outage was not felt: no request failed while the proxy was down"
    for response in refused:
        assert response["Retry-After"] == "5"
        assert response.json()["error"]["code"] == "service_unavailable"
    # Recovered without a restart of the app: every worker's requests succeed again.
    after = [(name, r.status_code) for t, name, r in outcomes if t > outage_ended + 1.0]
    assert after
    assert {status for _, status in after} == {201}
    # No accepted request is lost: every 201 is in the database, with the id it was given.
    connections.close_all()  # the test's own connection died in the restart too
    accepted = {r.json()["id"]: name for _, name, r in outcomes if r.status_code == 201}
    stored = dict(SavedSearch.objects.filter(user=buyer).values_list("pk", "name"))
    assert {pk: stored.get(pk) for pk in accepted} == accepted
    assert proxy.connections_accepted > 4  # the workers reconnected after the restart
    assert outage_started < outage_ended


def test_pages_and_api_answer_503_with_retry_after_while_the_database_is_down(proxy, buyer):
    client = Client(raise_request_exception=False)
    api_client = APIClient(raise_request_exception=False)
    api_client.force_authenticate(buyer)
    proxy.stop()
    connections.close_all()

    api = api_client.get("/api/v1/listings/")
    page = client.get("/catalog/")
    health = client.get("/healthz")

    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert api.json()["error"]["code"] == "service_unavailable"
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "Temporarily unavailable" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    assert health.status_code == 503
