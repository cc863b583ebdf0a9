"""Secure headers on every page, and no script the Content-Security-Policy would not allow."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.django_db
def test_pages_carry_csp_with_a_fresh_nonce_and_the_other_security_headers(client):
    first = client.get("/")
    second = client.get("/")

    policy = first["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert nonce not in second["Content-Security-Policy"]
    assert first["X-Frame-Options"] == "DENY"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Referrer-Policy"] == "same-origin"
    assert first["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_every_inline_script_in_the_templates_carries_the_csp_nonce():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {tag}")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline event handler (on...=)")
    assert offenders == [], (
        'The CSP blocks these: give inline <script> nonce="{{ request.csp_nonce }}" and '
        "move on...= handlers into static/js"
    )


def test_api_docs_page_has_no_inline_script(client):
    page = client.get("/api/docs/").content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
