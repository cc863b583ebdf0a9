"""Texts composed from translatable messages: stored as structure, read in any language.

A check's explanation is built once (by the Celery worker, whose default language is
Japanese, or in a web request in the officer's language). Its stored `explanation` is the
canonical English text (the API's stable value); the same text is also stored as structure
(`explanation_text`), so a page renders it in the reader's language:

- a plain string is a literal (a rule id, a permit number, a country code) and is shown as is;
- ``{"msgid": ..., "params": {...}}`` is a message translated at display, its params rendered
  first (a param may itself be a message, e.g. a material or document label);
- ``{"join": separator, "items": [...]}`` renders each item and joins them.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

Text = str | dict[str, Any]


def message(msgid: str, **params: Text) -> dict[str, Any]:
    """A translatable message; mark the msgid for extraction with gettext_noop."""
    return {"msgid": msgid, "params": params} if params else {"msgid": msgid}


def joined(separator: str, items: list[Text]) -> dict[str, Any]:
    return {"join": separator, "items": list(items)}


def render(text: Text | None) -> str:
    """The text in the active language (a message the catalogue lacks stays English)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if "join" in text:
        return text["join"].join(render(item) for item in text["items"])
    msgid = text["msgid"]
    # gettext("") is the catalogue's header, never a message.
    translated = gettext(msgid) if msgid else ""
    params = text.get("params")
    if not params:
        return translated
    return translated % {name: render(value) for name, value in params.items()}


def render_english(text: Text | None) -> str:
    """The canonical English text, whatever language the caller runs in."""
    with translation.override("en"):
        return render(text)
