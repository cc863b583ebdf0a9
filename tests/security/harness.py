"""Walk every URL of the site and every operation of the API; ask each one as each role.

`endpoints()` lists (method, route name, path) for the HTML views (GET and POST) and for every
API operation in the OpenAPI schema; `outcome()` turns a response into "allow" or "deny".
"""

import datetime
import uuid
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.security.world import World

MISSING_UUID = str(uuid.UUID(int=7))
MISSING_ID = 999999

# The admin has a URL per model and action; a few stand for all of it (the admin's own
# permission check is one decorator around every admin view).
ADMIN_SAMPLE = {
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:catalog_listing_changelist",
    "admin:trading_sale_changelist",
    "admin:trading_order_changelist",
    "admin:compliance_shipmentcase_changelist",
    "admin:diagnostics_sohcertificate_changelist",
}


def _params(world: World) -> dict[str, dict[str, object]]:
    """Concrete URL arguments per route name; an object the world lacks gets a missing id."""
    i = world.ids
    return {
        "permit-delete": {"pk": i["permit"]},
        "api-token-revoke": {"pk": i["token"]},
        "staff-organisation-review": {"pk": i["organisation"]},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "catalog:listing-create": {"listing_type": "battery_pack"},
        "catalog:import-example": {"file_format": "csv"},
        "catalog:attachment-download": {"pk": i["attachment"]},
        "catalog:attachment-delete": {"pk": i["attachment"]},
        "catalog:saved-search-delete": {"pk": i["saved_search"]},
        "trading:sale": {"pk": i["sale"]},
        "trading:listing-sale": {"listing_id": i["listing"]},
        "trading:sale-start": {"listing_id": i["draft"]},
        "circularity:passport-detail": {"passport_id": MISSING_UUID},
        "circularity:passport-json": {"passport_id": MISSING_UUID},
        "circularity:passport-qr": {"passport_id": MISSING_UUID},
        "diagnostics:pack-history": {"pk": i["pack"]},
        "diagnostics:guarantee-offer": {"pk": i["pack"]},
        "compliance:case-consent": {"pk": i["case"], "consent_pk": i["consent"]},
        "compliance:case-document": {"pk": i["case"], "document_pk": MISSING_ID},
        "compliance:case-document-file": {"pk": i["case"], "document_pk": MISSING_ID},
        # API
        "organisation-detail": {"pk": i["organisation"]},
        "organisation-reject": {"pk": i["organisation"]},
        "organisation-suspend": {"pk": i["organisation"]},
        "organisation-verify": {"pk": i["organisation"]},
        "permit-detail": {"pk": i["permit"]},
        "api-token-detail": {"pk": i["token"]},
        "watchlist-detail": {"listing": i["watched_listing"]},
        "saved-search-detail": {"pk": i["saved_search"]},
        "api-trading-offer-accept": {"pk": i["offer"]},
        "api-trading-offer-decline": {"pk": i["offer"]},
        "api-trading-offer-counter": {"pk": i["offer"]},
        "api-trading-offer-withdraw": {"pk": i["offer"]},
        "api-trading-tender-bids": {"pk": i["tender"]},
        "api-trading-tender-bid-withdraw": {"pk": i["tender_bid"]},
        "api-trading-offers": {"pk": i["fixed_sale"]},
        "api-trading-order": {"pk": i["order"]},
        "circularity-pack-passport": {"pk": i["pack"]},
        "diagnostics-pack-assessment": {"pk": i["pack"]},
        "diagnostics-provider-method-detail": {"pk": i["method"]},
        "diagnostics-provider-method-retire": {"pk": i["method"]},
        "diagnostics-guarantee-detail": {"pk": MISSING_ID},
        "diagnostics-guarantee-void": {"pk": MISSING_ID},
        "api-compliance-case-consent": {"pk": i["case"], "consent_pk": i["consent"]},
        "api-compliance-case-document": {"pk": i["case"], "document_pk": MISSING_ID},
        "api-payments-deposit": {"sale_id": i["sale"]},
        "payments:deposit": {"sale_id": i["sale"]},
        "circularity-organisation-score": {"pk": i["organisation"]},
    }


# By argument name, for the routes not named above.
_BY_ARGUMENT_PREFIX = {
    "catalog:": {"pk": "draft"},
    "api-trading-": {"pk": "sale"},
    "listing-": {"pk": "draft"},
    "diagnostics": {"uuid": "certificate"},
    "compliance": {"pk": "case"},
    "api-compliance": {"pk": "case"},
    # Order pages and their money: the reuse maker bought, the dealer sold.
    "trading:order": {"pk": "order"},
    "payments:order-": {"pk": "order"},
    "api-payments-": {"pk": "order"},
    "circularity-order-score": {"pk": "order"},
}


def _arguments(name: str, pattern_args: list[str], world: World) -> dict[str, object]:
    explicit = _params(world)
    if name in explicit:
        return explicit[name]
    values: dict[str, object] = {}
    for argument in pattern_args:
        for prefix, by_argument in _BY_ARGUMENT_PREFIX.items():
            if name.startswith(prefix) and argument in by_argument:
                values[argument] = world.ids[by_argument[argument]]
                break
        else:
            values[argument] = MISSING_ID
    return values


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            arguments = list(entry.pattern.regex.groupindex)
            yield f"{namespace}{entry.name}", arguments


def html_routes() -> list[tuple[str, list[str]]]:
    seen: dict[str, list[str]] = {}
    for name, arguments in _walk(get_resolver()):
        if name.startswith("admin:") and name not in ADMIN_SAMPLE:
            continue
        seen.setdefault(name, arguments)
    return [(name, args) for name, args in seen.items() if not _is_api_route(name, args)]


def _is_api_route(name: str, arguments: list[str]) -> bool:
    try:
        path = reverse(name, kwargs=dict.fromkeys(arguments, "1"))
    except Exception:  # noqa: BLE001  (a route that needs other argument shapes: not API)
        return False
    return path.startswith("/api/v1/")


def api_operations() -> list[tuple[str, str]]:
    """(METHOD, path template) for every operation the OpenAPI schema documents."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def api_body_fields() -> dict[tuple[str, str], frozenset[str]]:
    """(METHOD, route name) → the JSON body fields the operation documents: the API refuses
    a field it does not take, so each write gets only its own fields of `write_body`."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    fields = {}
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            body = content.get("application/json", {}).get("schema", {})
            if "$ref" in body:
                body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
            name, _ = api_route_name(template)
            fields[(method.upper(), name)] = frozenset(body.get("properties", {}))
    return fields


def api_route_name(template: str) -> tuple[str, list[str]]:
    """The route name behind an OpenAPI path template like /api/v1/orders/{id}/."""
    arguments = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    probe = template
    for argument in arguments:
        probe = probe.replace("{" + argument + "}", MISSING_UUID if "uuid" in argument else "1")
    match = resolve(probe)
    return match.view_name, list(match.kwargs)


def endpoints(world: World) -> list[tuple[str, str, str]]:
    """(METHOD, route name, concrete path), in a safe order: reads, then writes, then deletes."""
    rows: set[tuple[str, str, str]] = set()
    for name, arguments in html_routes():
        path = reverse(name, kwargs=_arguments(name, arguments, world))
        rows.update({("GET", name, path), ("POST", name, path)})
    for method, template in api_operations():
        name, arguments = api_route_name(template)
        path = reverse(name, kwargs=_arguments(name, arguments, world))
        rows.add((method, name, path))
    return sorted(rows, key=_safe_order)


# Writes that end or remove something run after the others, and logging out runs last, so an
# earlier request does not take away what a later one is about.
_ENDING = (
    "delete",
    "revoke",
    "withdraw",
    "suspend",
    "reject",
    "void",
    "retire",
    "decline",
    "accept",
    "approve",
    "decide",
)


def _safe_order(row: tuple[str, str, str]) -> tuple[int, str]:
    method, name, _ = row
    if name == "logout":
        return (4, name)
    if method == "DELETE" or any(word in name for word in _ENDING):
        return (3, name)
    return (0 if method == "GET" else 1, name)


def write_body(world: World) -> dict[str, object]:
    """The fields the writes need, so a permitted role reaches the service instead of stopping
    at "this field is required"; an API write gets the ones its operation documents."""
    from django.utils import timezone

    return {
        "max_amount": "200000",
        "amount": "400000",
        "fixed_jpy_per_dry_tonne": "500000",
        "reason": "Access matrix test",
        "name": "Access matrix test",
        "listing": world.ids["draft"],
        "ends_at": (timezone.now() + datetime.timedelta(days=4)).isoformat(),
        "material": "used_ev",
        "origin": "JP",
        "destination": "KR",
    }


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome(method: str, response) -> str:
    """allow / deny / n/a (the method does not exist there) / error (a 5xx)."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status == 405:
        return "n/a"
    if status in (401, 403, 404):
        return "deny"
    if 300 <= status < 400:
        location = response.get("Location", "")
        return "deny" if location.startswith(LOGIN_PATHS) else "allow"
    if status == 429:
        return "throttled"
    # 2xx, or 400/409/422: the permission check passed and the (empty) input was judged.
    return "allow"
