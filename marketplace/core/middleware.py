import secrets

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

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


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without looking for a language code in the path where no URL pattern starts
    with one (ours do not: the language comes from the cookie the language switcher sets, else
    Accept-Language). Django looks anyway, twice a request, and only uses what it finds with
    i18n_patterns; it takes the first segment of every path ("api", "catalog") for a code,
    and a code that is not a language is not cached, so each look fails afresh (0.05 M
    instructions a request; a bid is 4.05 M, docs/benchmarks.md). With prefixed patterns,
    Django's own steps run."""

    def process_request(self, request: HttpRequest) -> None:
        if _language_prefixed_urls(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if _language_prefixed_urls(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _language_prefixed_urls(request: HttpRequest) -> bool:
    return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]
