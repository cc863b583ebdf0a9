from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from marketplace.accounts import token_cache
from marketplace.accounts.models import ApiToken
from marketplace.core.prepared import PreparedRead

# Writing last_used_at on every request would put a write on every API read.
LAST_USED_RESOLUTION = timedelta(minutes=1)

# The schemes of "Authorization: <scheme> <key>" that carry an API key (lower case).
TOKEN_KEYWORDS = ("token", "bearer")

# Every API request runs this read: compiled once (core.prepared), not on every request.
_LIVE_TOKEN = PreparedRead(
    lambda key_sha256: (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(key_sha256=key_sha256, revoked_at__isnull=True)
        .order_by("pk")[:1]
    ),
    key_sha256=str,
)


def _live_token(key_sha256: str) -> ApiToken | None:
    """The live token with this key's hash, with its user and organisation: from the rows
    this connection keeps (accounts.token_cache), else read (and then kept)."""
    kept = token_cache.kept_on_connection()
    row = kept.get(key_sha256) if kept is not None else None
    if row is None:
        notices = kept.notices if kept is not None else 0
        found = _LIVE_TOKEN.rows(key_sha256=key_sha256)
        if not found:
            return None  # an unknown key is not kept: guessing keys cannot fill the memory
        row = found[0]
        if kept is not None:
            kept.keep(key_sha256, row, read_after_notices=notices)
    return _LIVE_TOKEN.instance(row)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`) with a key from Account → API tokens."""

    keywords = TOKEN_KEYWORDS

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be 'Token <key>'.")
            )
        key = header[1].decode(errors="replace")
        key_sha256 = ApiToken.hash_key(key)
        token = _live_token(key_sha256)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API token is unknown or revoked."))
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            # That write sends no change notice (change_notices): the kept row would still
            # show the old time, so it goes, and the next call reads the new one.
            token_cache.forget(key_sha256)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, with a key created under Account → API tokens.",
        }
