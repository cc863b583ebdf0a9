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


EXPECTED: dict[tuple[str, str], frozenset[str] | set[str]] = {}
