import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from marketplace.core.api.errors import error_body
from marketplace.core.exceptions import DomainError


class ProxiedClientAddressMiddleware:
    """Behind nginx (BEHIND_PROXY=true) every request arrives from the proxy, over a unix socket
    with no address at all; the client's address is the X-Real-IP header the proxy sets,
    overwriting whatever the client sent (docs/deployment.md). Per-address limits (anonymous
    API throttle, login and password-reset limits) read REMOTE_ADDR, so it is set from that
    header here. Without BEHIND_PROXY the header is the client's own claim and is ignored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = request.META.get("HTTP_X_REAL_IP")
        if address:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


class DomainErrorMiddleware:
    """A DomainError that escapes an HTML view is the user's problem, not a 500.

    Views handle the errors they can put on a form; anything else (a permission check
    deep in a service) ends here as a 4xx page with the service's message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            body = error_body(exception.code, exception.message, exception.fields)
            return JsonResponse(body, status=exception.status)
        template = "errors/403.html" if exception.status == 403 else "errors/400.html"
        return render(request, template, {"message": exception.message}, status=exception.status)


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a fresh nonce per request, and a Permissions-Policy.

    Scripts run only from our own origin or as inline blocks carrying
    `nonce="{{ request.csp_nonce }}"`; inline event handlers are refused. Inline styles stay
    allowed: the server-rendered SVG charts use them, and style injection cannot run code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY.format(nonce=request.csp_nonce)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
