"""The shared PDF renderer fetches nothing but the site's own static files while printing."""

from pathlib import Path

import pytest
import weasyprint
from django.conf import settings

from marketplace.core.pdf import _url_fetcher

BASE_URL = "http://testserver/"


def test_static_files_are_read_from_the_finders_not_over_http():
    fetcher = _url_fetcher(weasyprint, BASE_URL)

    response = fetcher(f"{BASE_URL}static/css/site.css?v=3")

    assert response.read() == (Path(settings.BASE_DIR) / "static/css/site.css").read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/static/css/site.css",  # another host
        f"{BASE_URL}media/certificates/raw.csv",  # not a static file
        f"{BASE_URL}static/css/missing.css",
        "file:///etc/passwd",
    ],
)
def test_anything_else_is_refused(url):
    fetcher = _url_fetcher(weasyprint, BASE_URL)

    with pytest.raises(ValueError, match="Not fetched while printing|disallowed protocol"):
        fetcher(url)
