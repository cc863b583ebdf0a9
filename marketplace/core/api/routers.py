from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """A SimpleRouter whose default lookup is a whole number.

    DRF's default `[^/.]+` lets `/listings/abc/` reach `.get(pk="abc")`, which raises
    ValueError (a 500). With digits only, a malformed id is a 404 at the URL resolver.
    Viewsets with other keys (a UUID, a slug) set `lookup_value_regex` themselves.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = "[0-9]+"
