from typing import Any

from rest_framework.renderers import JSONRenderer

from marketplace.trading.pricing import dumps_exact


class ExactDecimalJSONRenderer(JSONRenderer):
    """JSON with Decimals written as numbers from their exact text (DRF would go through float).

    The quote endpoint answers byte-for-byte what `manage.py quote_black_mass --json` prints.
    """

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return dumps_exact(data).encode("utf-8")
