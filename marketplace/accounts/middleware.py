"""Session, user and flash-message middleware that an API call with its own token skips.

A request to the API that sends ``Authorization: Token <key>`` (or ``Bearer``) is
authenticated by that key alone (accounts.authentication: a bad key is refused, never
answered from a session), so loading a session, building a lazy session user and attaching
message storage is work nobody reads: 0.14 M of a bid's 4.25 M instructions
(docs/benchmarks.md). Every other request, API calls signed in by session included, goes
through Django's middleware unchanged. The response is the same either way: these three
add a header or a cookie only when a session or a message was used.
"""

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessages
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessions
from django.http import HttpRequest

from marketplace.accounts.authentication import TOKEN_KEYWORDS

API_PREFIX = "/api/v1/"
_MARKER = "marketplace.api_token_request"  # request.META key: the answer, found once


def sends_api_token(request: HttpRequest) -> bool:
    """An API request whose Authorization header names one of the token schemes."""
    found = request.META.get(_MARKER)
    if found is None:
        scheme = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0].lower()
        found = request.path_info.startswith(API_PREFIX) and scheme in TOKEN_KEYWORDS
        request.META[_MARKER] = found
    return found


class _SkippedWithApiToken:
    """Django's middleware, passed through for a request that sends an API token."""

    def __call__(self, request: HttpRequest):
        if sends_api_token(request):
            self.skipped(request)
            return self.get_response(request)
        return super().__call__(request)

    def skipped(self, request: HttpRequest) -> None:
        pass


class SessionMiddleware(_SkippedWithApiToken, DjangoSessions):
    pass


class AuthenticationMiddleware(_SkippedWithApiToken, DjangoAuthentication):
    def skipped(self, request: HttpRequest) -> None:
        # What Django gives a request without a session, until DRF sets the token's user (an
        # error page rendered before that reads it).
        request.user = AnonymousUser()


class MessageMiddleware(_SkippedWithApiToken, DjangoMessages):
    pass
