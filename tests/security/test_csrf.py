"""Every HTML form needs the CSRF token: a POST without it is refused on every route of the
site, signed in or not. The one exception is Stripe's webhook, which Stripe signs instead."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.harness import _arguments, html_routes
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

# Authenticated by its signature (payments.views.stripe_webhook), not by a browser session.
SIGNED_INSTEAD = {"stripe-webhook"}


def test_a_post_without_the_csrf_token_is_refused_on_every_html_route():
    world = build_world()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["dealer"])
    routes = [(name, args) for name, args in html_routes() if name not in SIGNED_INSTEAD]

    accepted = []
    for name, arguments in routes:
        path = reverse(name, kwargs=_arguments(name, arguments, world))
        response = browser.post(path, {"name": "forged", "reason": "forged"})
        if response.status_code != 403:
            accepted.append(f"{name} {path}: {response.status_code}")

    assert len(routes) > 100  # the walk found the site, not an empty resolver
    assert accepted == []
