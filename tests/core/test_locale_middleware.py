"""The locale middleware picks the language and writes the headers exactly as Django's does
where no URL pattern carries a language prefix (ours), without reading the path for one."""

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.urls import path
from django.utils import translation

from marketplace.core.middleware import LocaleMiddleware

REQUESTS = [
    ("/api/v1/listings/", {}, {}),
    ("/api/v1/me/", {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, {}),
    ("/catalog/", {"HTTP_ACCEPT_LANGUAGE": "ja,en;q=0.5"}, {}),
    ("/en/catalog/", {"HTTP_ACCEPT_LANGUAGE": "ja"}, {}),  # a prefix that means nothing here
    ("/ja/", {"HTTP_ACCEPT_LANGUAGE": "en"}, {}),
    ("/", {"HTTP_ACCEPT_LANGUAGE": "fr-CA,de;q=0.8"}, {}),  # neither offered: the default
    ("/catalog/", {"HTTP_ACCEPT_LANGUAGE": "ja"}, {settings.LANGUAGE_COOKIE_NAME: "en"}),
    ("/catalog/", {}, {settings.LANGUAGE_COOKIE_NAME: "xx"}),  # a cookie for no language
    ("/" + "a" * 600, {"HTTP_ACCEPT_LANGUAGE": "x" * 600}, {}),
]


# A urlconf with language-prefixed patterns, for the case where Django's own steps run.
urlpatterns = i18n_patterns(path("page/", lambda request: HttpResponse("page")))


def _answer(middleware_class, path, headers, cookies, response_class, urlconf=None):
    factory = RequestFactory()
    request = factory.get(path, **headers)
    if urlconf:
        request.urlconf = urlconf
    request.COOKIES.update(cookies)
    middleware = middleware_class(lambda request: response_class("page"))
    with translation.override(None):
        response = middleware(request)
        language = translation.get_language()
    return language, request.LANGUAGE_CODE, response.status_code, dict(response.headers)


@pytest.mark.parametrize("response_class", [HttpResponse, HttpResponseNotFound])
@pytest.mark.parametrize(("path", "headers", "cookies"), REQUESTS)
def test_the_language_and_headers_are_djangos(path, headers, cookies, response_class):
    ours = _answer(LocaleMiddleware, path, headers, cookies, response_class)
    djangos = _answer(DjangoLocaleMiddleware, path, headers, cookies, response_class)

    assert ours == djangos
    assert ours[2] == response_class.status_code


def test_the_cookie_wins_over_the_browser_and_is_announced():
    language, code, _, response_headers = _answer(
        LocaleMiddleware, "/catalog/", {"HTTP_ACCEPT_LANGUAGE": "ja"},
        {settings.LANGUAGE_COOKIE_NAME: "en"}, HttpResponse,
    )  # fmt: skip

    assert (language, code) == ("en", "en")
    assert response_headers["Content-Language"] == "en"
    assert response_headers["Vary"] == "Accept-Language"


@pytest.mark.parametrize("response_class", [HttpResponse, HttpResponseNotFound])
@pytest.mark.parametrize("page", ["/en/page/", "/ja/page/", "/page/"])
def test_with_language_prefixed_patterns_djangos_steps_run(page, response_class):
    ours = _answer(LocaleMiddleware, page, {}, {}, response_class, urlconf=__name__)
    djangos = _answer(DjangoLocaleMiddleware, page, {}, {}, response_class, urlconf=__name__)

    assert ours == djangos
