"""Who may use what: (METHOD, route name) → the roles that get through.

Roles: see tests/security/world.py. "Get through" means the permission check passed: a 2xx,
a redirect that is not to the login page, or, for a write sent with an empty body, a 400/409
that judges the input. Everyone else must get 401, 403, 404 or a redirect to the login page.
"""

ANONYMOUS = "anonymous"
DEALER = "dealer"
REUSE_MAKER = "reuse_maker"
RECYCLER = "recycler"
PROVIDER = "diagnostics_provider"
OFFICER = "officer"
STAFF = "staff"
UNVERIFIED = "unverified_dealer"
OTHER_DEALER = "other_dealer"

EVERYONE = frozenset(
    {ANONYMOUS, DEALER, REUSE_MAKER, RECYCLER, PROVIDER, OFFICER, STAFF, UNVERIFIED, OTHER_DEALER}
)
SIGNED_IN = EVERYONE - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()

_NAMES = {
    EVERYONE: "EVERYONE",
    SIGNED_IN: "SIGNED_IN",
    NOBODY: "NOBODY",
}
_CONSTANTS = {
    ANONYMOUS: "ANONYMOUS",
    DEALER: "DEALER",
    REUSE_MAKER: "REUSE_MAKER",
    RECYCLER: "RECYCLER",
    PROVIDER: "PROVIDER",
    OFFICER: "OFFICER",
    STAFF: "STAFF",
    UNVERIFIED: "UNVERIFIED",
    OTHER_DEALER: "OTHER_DEALER",
}


def render_rows(keys, observed_by_role) -> str:
    """Table rows as Python, from what each role got: for the "add these rows" message."""
    lines = []
    for method, name in keys:
        allowed = frozenset(
            role
            for role, observed in observed_by_role.items()
            if observed.get((method, name)) == "allow"
        )
        if allowed in _NAMES:
            roles = _NAMES[allowed]
        elif SIGNED_IN - allowed and allowed <= SIGNED_IN and len(SIGNED_IN - allowed) <= 3:
            roles = (
                "SIGNED_IN - {"
                + ", ".join(sorted(_CONSTANTS[r] for r in SIGNED_IN - allowed))
                + "}"
            )
        else:
            roles = "{" + ", ".join(sorted(_CONSTANTS[r] for r in allowed)) + "}"
        lines.append(f'    ("{method}", "{name}"): {roles},')
    return "\n".join(lines)


# For a write, "allow" can be a 400/409 from the service (the empty or generic body was judged,
# or the world's state forbids it): the permission layer let the role through. HTML forms show
# a service's refusal on the form (200), so their POST rows prove less than the API's.
# Routes whose object the world does not build (a passport, a compliance document, a guarantee)
# are asked with a missing id: NOBODY gets through, which proves only that nothing leaks.
EXPECTED: dict[tuple[str, str], frozenset[str] | set[str]] = {
    # --- API: accounts
    ("DELETE", "api-token-detail"): {DEALER},
    ("DELETE", "permit-detail"): NOBODY,
    ("GET", "api-me"): SIGNED_IN,
    ("GET", "api-token-list"): SIGNED_IN,
    ("GET", "organisation-detail"): {DEALER, STAFF},
    ("GET", "organisation-list"): SIGNED_IN,
    ("GET", "permit-detail"): {DEALER, STAFF},
    ("GET", "permit-list"): SIGNED_IN,
    ("PATCH", "organisation-detail"): {DEALER, STAFF},
    ("POST", "api-signup"): EVERYONE,
    ("POST", "api-token-list"): SIGNED_IN,
    ("POST", "organisation-reject"): {STAFF},
    ("POST", "organisation-suspend"): {STAFF},
    ("POST", "organisation-verify"): {STAFF},
    ("POST", "permit-list"): SIGNED_IN,
    # --- API: catalog
    ("DELETE", "saved-search-detail"): NOBODY,
    ("DELETE", "watchlist-detail"): SIGNED_IN,  # the caller's own entry only
    ("GET", "listing-attachments"): {DEALER, STAFF},
    ("GET", "listing-detail"): {DEALER, STAFF},
    ("GET", "listing-events"): {DEALER, STAFF},
    ("GET", "listing-list"): SIGNED_IN,
    ("GET", "saved-search-detail"): {DEALER},
    ("GET", "saved-search-list"): SIGNED_IN,
    ("GET", "watchlist-list"): SIGNED_IN,
    ("PATCH", "listing-detail"): {DEALER},
    ("POST", "listing-attachments"): {DEALER},
    ("POST", "listing-import-file"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "listing-list"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "listing-publish"): {DEALER},
    ("POST", "listing-relist"): {DEALER},
    ("POST", "listing-withdraw"): {DEALER},
    ("POST", "saved-search-list"): SIGNED_IN,
    ("POST", "watchlist-list"): SIGNED_IN,
    # --- API: circularity
    ("GET", "circularity-pack-passport"): EVERYONE,
    ("POST", "circularity-passport-import"): SIGNED_IN,  # validates input before permission
    # --- API: compliance
    ("GET", "api-compliance-case-detail"): {DEALER, OFFICER, REUSE_MAKER, STAFF},
    ("GET", "api-compliance-case-list"): SIGNED_IN,
    ("GET", "api-compliance-rules"): {OFFICER, STAFF},
    ("PATCH", "api-compliance-case-consent"): NOBODY,
    ("PATCH", "api-compliance-case-document"): NOBODY,
    ("POST", "api-compliance-case-add-document"): {DEALER, OFFICER, REUSE_MAKER, STAFF},
    ("POST", "api-compliance-case-approve"): {OFFICER, STAFF},
    ("POST", "api-compliance-case-list"): SIGNED_IN,  # validates input before permission
    ("POST", "api-compliance-case-recheck"): {OFFICER, STAFF},
    ("POST", "api-compliance-case-reject"): {OFFICER, STAFF},
    ("POST", "api-compliance-case-withdraw"): {OFFICER, STAFF},
    ("POST", "api-compliance-precheck"): SIGNED_IN,
    # --- API: diagnostics
    ("GET", "diagnostics-certificate-detail"): SIGNED_IN - {UNVERIFIED},
    ("GET", "diagnostics-certificate-list"): SIGNED_IN,
    ("GET", "diagnostics-certificate-revoke"): NOBODY,
    ("GET", "diagnostics-certificate-supersede"): NOBODY,
    ("GET", "diagnostics-certificate-verify"): EVERYONE,
    ("GET", "diagnostics-guarantee-detail"): NOBODY,
    ("GET", "diagnostics-guarantee-list"): SIGNED_IN,
    ("GET", "diagnostics-methods"): EVERYONE,
    ("GET", "diagnostics-pack-assessment"): SIGNED_IN - {UNVERIFIED},
    ("GET", "diagnostics-provider-method-detail"): {PROVIDER},
    ("GET", "diagnostics-provider-method-list"): {PROVIDER, STAFF},
    ("POST", "diagnostics-certificate-detail"): NOBODY,
    ("POST", "diagnostics-certificate-list"): {PROVIDER},
    ("POST", "diagnostics-certificate-revoke"): {PROVIDER, STAFF},
    ("POST", "diagnostics-certificate-supersede"): SIGNED_IN
    - {UNVERIFIED},  # validates input before permission
    ("POST", "diagnostics-certificate-verify"): NOBODY,
    ("POST", "diagnostics-diagnose"): SIGNED_IN,
    ("POST", "diagnostics-guarantee-list"): SIGNED_IN,  # validates input before permission
    ("POST", "diagnostics-guarantee-void"): NOBODY,
    ("POST", "diagnostics-provider-method-list"): {PROVIDER, STAFF},
    ("POST", "diagnostics-provider-method-retire"): {PROVIDER},
    # --- API: trading
    ("GET", "api-trading-bids"): SIGNED_IN,
    ("GET", "api-trading-offers"): SIGNED_IN,
    ("GET", "api-trading-order"): {DEALER, REUSE_MAKER},
    ("GET", "api-trading-orders"): SIGNED_IN,
    ("GET", "api-trading-reference-prices"): SIGNED_IN,
    ("GET", "api-trading-sale"): SIGNED_IN,
    ("GET", "api-trading-sale-precheck"): SIGNED_IN,
    ("GET", "api-trading-sales"): SIGNED_IN,
    ("GET", "api-trading-tender-bids"): SIGNED_IN,
    ("POST", "api-trading-bids"): {OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "api-trading-buy-now"): {OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "api-trading-offer-accept"): {DEALER},
    ("POST", "api-trading-offer-counter"): {DEALER},
    ("POST", "api-trading-offer-decline"): {DEALER},
    ("POST", "api-trading-offer-withdraw"): {DEALER, REUSE_MAKER},
    ("POST", "api-trading-offers"): {OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "api-trading-quote"): SIGNED_IN,
    ("POST", "api-trading-reference-prices"): {STAFF},
    ("POST", "api-trading-sales"): {DEALER},
    ("POST", "api-trading-tender-bid-withdraw"): {RECYCLER},
    ("POST", "api-trading-tender-bids"): {RECYCLER},
    # --- HTML: accounts, core, the API schema and the webhook
    ("GET", "api-docs"): EVERYONE,
    ("GET", "api-schema"): EVERYONE,
    ("GET", "api-token-revoke"): NOBODY,
    ("GET", "api-tokens"): SIGNED_IN,
    ("GET", "dashboard"): SIGNED_IN,
    ("GET", "healthz"): EVERYONE,
    ("GET", "home"): EVERYONE,
    ("GET", "login"): EVERYONE,
    ("GET", "organisation"): SIGNED_IN,
    ("GET", "organisation-edit"): SIGNED_IN,
    ("GET", "password_change"): SIGNED_IN,
    ("GET", "password_change_done"): SIGNED_IN,
    ("GET", "password_reset"): EVERYONE,
    ("GET", "password_reset_complete"): EVERYONE,
    ("GET", "password_reset_confirm"): EVERYONE,
    ("GET", "password_reset_done"): EVERYONE,
    ("GET", "permit-add"): SIGNED_IN,
    ("GET", "permit-delete"): NOBODY,
    ("GET", "set_language"): EVERYONE,
    ("GET", "signup"): EVERYONE,
    ("GET", "staff-organisation-review"): {STAFF},
    ("GET", "staff-organisations"): {STAFF},
    ("POST", "api-token-revoke"): {DEALER},
    ("POST", "api-tokens"): SIGNED_IN,
    ("POST", "dashboard"): SIGNED_IN,
    ("POST", "home"): EVERYONE,
    ("POST", "login"): EVERYONE,
    ("POST", "logout"): EVERYONE,
    ("POST", "organisation"): SIGNED_IN,
    ("POST", "organisation-edit"): SIGNED_IN,
    ("POST", "password_change"): SIGNED_IN,
    ("POST", "password_change_done"): NOBODY,
    ("POST", "password_reset"): EVERYONE,
    ("POST", "password_reset_confirm"): EVERYONE,
    ("POST", "permit-add"): SIGNED_IN,
    ("POST", "permit-delete"): {DEALER, STAFF},
    ("POST", "set_language"): EVERYONE,
    ("POST", "signup"): EVERYONE,
    ("POST", "staff-organisation-review"): {STAFF},
    ("POST", "staff-organisations"): {STAFF},
    ("POST", "stripe-webhook"): EVERYONE,
    # --- HTML: catalog
    ("GET", "catalog:attachment-delete"): NOBODY,
    ("GET", "catalog:attachment-download"): {DEALER, STAFF},
    ("GET", "catalog:attachment-upload"): NOBODY,
    ("GET", "catalog:browse"): EVERYONE,
    ("GET", "catalog:import"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("GET", "catalog:import-example"): EVERYONE,
    ("GET", "catalog:listing-create"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("GET", "catalog:listing-detail"): {DEALER, STAFF},
    ("GET", "catalog:listing-edit"): {DEALER},
    ("GET", "catalog:listing-new"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("GET", "catalog:listing-publish"): NOBODY,
    ("GET", "catalog:listing-relist"): NOBODY,
    ("GET", "catalog:listing-withdraw"): NOBODY,
    ("GET", "catalog:my-listings"): SIGNED_IN,
    ("GET", "catalog:saved-search-delete"): NOBODY,
    ("GET", "catalog:saved-searches"): SIGNED_IN,
    ("GET", "catalog:watch-toggle"): NOBODY,
    ("GET", "catalog:watchlist"): SIGNED_IN,
    ("POST", "catalog:attachment-delete"): {DEALER, STAFF},
    ("POST", "catalog:attachment-download"): {DEALER, STAFF},
    ("POST", "catalog:attachment-upload"): {DEALER},
    ("POST", "catalog:browse"): EVERYONE,
    ("POST", "catalog:import"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "catalog:import-example"): EVERYONE,
    ("POST", "catalog:listing-create"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "catalog:listing-detail"): {DEALER, STAFF},
    ("POST", "catalog:listing-edit"): {DEALER},
    ("POST", "catalog:listing-new"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "catalog:listing-publish"): {DEALER},
    ("POST", "catalog:listing-relist"): {DEALER},
    ("POST", "catalog:listing-withdraw"): {DEALER},
    ("POST", "catalog:my-listings"): SIGNED_IN,
    ("POST", "catalog:saved-search-delete"): {DEALER},
    ("POST", "catalog:saved-searches"): SIGNED_IN,
    ("POST", "catalog:watch-toggle"): {DEALER, STAFF},
    ("POST", "catalog:watchlist"): SIGNED_IN,
    # --- HTML: circularity
    ("GET", "circularity:passport-detail"): NOBODY,
    ("GET", "circularity:passport-import"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("GET", "circularity:passport-import-confirm"): NOBODY,
    ("GET", "circularity:passport-json"): NOBODY,
    ("GET", "circularity:passport-mapping"): EVERYONE,
    ("GET", "circularity:passport-qr"): NOBODY,
    ("POST", "circularity:passport-detail"): NOBODY,
    ("POST", "circularity:passport-import"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "circularity:passport-import-confirm"): {DEALER, OTHER_DEALER, RECYCLER, REUSE_MAKER},
    ("POST", "circularity:passport-json"): NOBODY,
    ("POST", "circularity:passport-mapping"): EVERYONE,
    ("POST", "circularity:passport-qr"): NOBODY,
    # --- HTML: compliance
    ("GET", "compliance:case-consent"): NOBODY,
    ("GET", "compliance:case-decide"): NOBODY,
    ("GET", "compliance:case-detail"): {DEALER, OFFICER, REUSE_MAKER, STAFF},
    ("GET", "compliance:case-document"): NOBODY,
    ("GET", "compliance:case-document-add"): NOBODY,
    ("GET", "compliance:case-document-file"): NOBODY,
    ("GET", "compliance:case-list"): SIGNED_IN,
    ("GET", "compliance:case-material"): NOBODY,
    ("GET", "compliance:precheck"): SIGNED_IN,
    ("GET", "compliance:rules"): {OFFICER, STAFF},
    ("POST", "compliance:case-consent"): NOBODY,
    ("POST", "compliance:case-decide"): {OFFICER, STAFF},
    ("POST", "compliance:case-detail"): {DEALER, OFFICER, REUSE_MAKER, STAFF},
    ("POST", "compliance:case-document"): NOBODY,
    ("POST", "compliance:case-document-add"): {OFFICER, STAFF},
    ("POST", "compliance:case-document-file"): NOBODY,
    ("POST", "compliance:case-list"): SIGNED_IN,
    ("POST", "compliance:case-material"): {OFFICER, STAFF},
    ("POST", "compliance:precheck"): SIGNED_IN,
    ("POST", "compliance:rules"): NOBODY,
    # --- HTML: diagnostics
    ("GET", "diagnostics:certificate-detail"): SIGNED_IN - {UNVERIFIED},
    ("GET", "diagnostics:certificate-issue"): {PROVIDER},
    ("GET", "diagnostics:certificate-list"): {PROVIDER},
    ("GET", "diagnostics:certificate-raw"): NOBODY,
    ("GET", "diagnostics:certificate-revoke"): NOBODY,
    ("GET", "diagnostics:certificate-supersede"): {PROVIDER},
    ("GET", "diagnostics:certificate-verify"): EVERYONE,
    ("GET", "diagnostics:estimate"): SIGNED_IN,
    ("GET", "diagnostics:guarantee-offer"): {DEALER},
    ("GET", "diagnostics:methods"): EVERYONE,
    ("GET", "diagnostics:pack-history"): SIGNED_IN - {UNVERIFIED},
    ("POST", "diagnostics:certificate-detail"): SIGNED_IN - {UNVERIFIED},
    ("POST", "diagnostics:certificate-issue"): {PROVIDER},
    ("POST", "diagnostics:certificate-list"): {PROVIDER},
    ("POST", "diagnostics:certificate-raw"): NOBODY,
    ("POST", "diagnostics:certificate-revoke"): {PROVIDER, STAFF},
    ("POST", "diagnostics:certificate-supersede"): {PROVIDER},
    ("POST", "diagnostics:certificate-verify"): EVERYONE,
    ("POST", "diagnostics:estimate"): NOBODY,
    ("POST", "diagnostics:guarantee-offer"): {DEALER},
    ("POST", "diagnostics:pack-history"): SIGNED_IN - {UNVERIFIED},
    # --- HTML: trading
    ("GET", "trading:listing-sale"): EVERYONE,
    ("GET", "trading:my-bids"): SIGNED_IN,
    ("GET", "trading:my-orders"): SIGNED_IN,
    ("GET", "trading:quote"): SIGNED_IN,
    ("GET", "trading:reference-prices"): SIGNED_IN,
    ("GET", "trading:sale"): EVERYONE,
    ("GET", "trading:sale-start"): {DEALER},
    ("POST", "trading:listing-sale"): EVERYONE,
    ("POST", "trading:my-bids"): SIGNED_IN,
    ("POST", "trading:my-orders"): SIGNED_IN,
    ("POST", "trading:quote"): SIGNED_IN,
    ("POST", "trading:reference-prices"): {STAFF},
    ("POST", "trading:sale"): SIGNED_IN,
    ("POST", "trading:sale-start"): {DEALER},
    # --- The admin: staff only (its login page for everyone else)
    ("GET", "admin:accounts_user_changelist"): NOBODY,
    ("GET", "admin:catalog_listing_changelist"): NOBODY,
    ("GET", "admin:compliance_shipmentcase_changelist"): NOBODY,
    ("GET", "admin:diagnostics_sohcertificate_changelist"): NOBODY,
    ("GET", "admin:index"): {STAFF},
    ("GET", "admin:trading_order_changelist"): NOBODY,
    ("GET", "admin:trading_sale_changelist"): NOBODY,
    ("POST", "admin:accounts_user_changelist"): NOBODY,
    ("POST", "admin:catalog_listing_changelist"): NOBODY,
    ("POST", "admin:compliance_shipmentcase_changelist"): NOBODY,
    ("POST", "admin:diagnostics_sohcertificate_changelist"): NOBODY,
    ("POST", "admin:index"): {STAFF},
    ("POST", "admin:trading_order_changelist"): NOBODY,
    ("POST", "admin:trading_sale_changelist"): NOBODY,
}
