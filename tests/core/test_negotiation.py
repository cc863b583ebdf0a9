"""The API's content negotiation answers as DRF's own does, whatever the client accepts."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory

from marketplace.core.api.negotiation import ContentNegotiation
from marketplace.core.api.renderers import PlainValuesJSONRenderer

RENDERER_LISTS = [
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [PlainValuesJSONRenderer(), JSONRenderer(), BrowsableAPIRenderer()],
    [TemplateHTMLRenderer()],
]
ACCEPT_HEADERS = [
    None,
    "*/*",
    " */* ",
    "application/json",
    "",
    "text/html",
    "application/json; indent=4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/*",
    "image/png",
]


def _answer(negotiation, path: str, accept: str | None, renderers, suffix=None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(path, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except (NotAcceptable, Http404) as refusal:  # no renderer for it, or no such format
        return type(refusal).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("renderers", RENDERER_LISTS, ids=["json", "html-first", "plain", "tpl"])
def test_every_accept_header_gets_drfs_answer(accept, renderers):
    for path, suffix in (("/api/v1/x/", None), ("/api/v1/x/?format=api", None),
                         ("/api/v1/x/", "json")):  # fmt: skip
        ours = _answer(ContentNegotiation(), path, accept, renderers, suffix)
        drfs = _answer(DefaultContentNegotiation(), path, accept, renderers, suffix)
        assert ours == drfs, (path, suffix)


def test_the_api_uses_it():
    assert api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS is ContentNegotiation
