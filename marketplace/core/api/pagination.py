from functools import cached_property

from django.core.paginator import InvalidPage, Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class CappedCountPaginator(Paginator):
    """A paginator that counts matches only as far as it needs to.

    The object list is a queryset, or an object with ``count_up_to(limit)`` and slices (a
    listing search, catalog.search_statements).

    ``count`` stops at ``count_limit + 1`` (None: counts all). With a limit at or past the end
    of the page asked for, every page that exists is still found and ``has_next()`` is still
    exact: a page exists when a row exists before its end, a next page when a row exists
    past its end, and both rows lie within the limit.
    """

    def __init__(self, object_list, per_page: int, *, count_limit: int | None) -> None:
        super().__init__(object_list, per_page)
        self.count_limit = count_limit

    @cached_property
    def count(self) -> int:
        if hasattr(self.object_list, "count_up_to"):  # a search that counts for itself
            return self.object_list.count_up_to(self.count_limit)
        if self.count_limit is None:
            return self.object_list.count()
        # SELECT COUNT(*) FROM (SELECT … LIMIT n): stops after n matches instead of visiting
        # every one of them (bench: 13,218 used EVs under the price, 16 → 1 ms).
        return self.object_list.order_by()[: self.count_limit + 1].count()

    def page(self, number):
        if self.orphans:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # A whole page's bounds, the last page's too (Django's would end at the count): the
        # rows past the end are not there to be read, and the statement stays the same as
        # the count changes (catalog.search_statements keeps it).
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def count_is_exact(self) -> bool:
        return self.count_limit is None or self.count <= self.count_limit

    @property
    def count_shown(self) -> int:
        """The exact count, or the limit when there are more matches than that."""
        return self.count if self.count_is_exact else self.count_limit


class CappedCountPagination(StandardPagination):
    """Page-number pagination for large searches: ``count`` is exact up to ``count_limit``
    (or up to the end of the page asked for, if later); past it, ``count_exact`` is false
    and ``count`` means "more than this many". ``next`` and ``previous`` are always exact,
    and ``page=last`` counts everything.

    ``paginate_queryset`` returns the page as its object list gives it: an unevaluated
    queryset, so that the view can join what it shows to the rows of the page only, or a
    listing search's keys.
    """

    count_limit = 1000

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        page_number = request.query_params.get(self.page_query_param) or 1
        paginator = CappedCountPaginator(
            queryset, page_size, count_limit=self._count_limit(page_number, page_size)
        )
        if page_number in self.last_page_strings:
            page_number = paginator.num_pages
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            message = self.invalid_page_message.format(page_number=page_number, message=str(exc))
            raise NotFound(message) from exc
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return self.page.object_list

    def _count_limit(self, page_number, page_size: int) -> int | None:
        if page_number in self.last_page_strings:
            return None  # the last page's number needs the exact count
        try:
            return max(self.count_limit, int(page_number) * page_size)
        except ValueError:
            return self.count_limit  # not a page number: paginator.page() refuses it

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count_shown,
                "count_exact": paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response_schema = super().get_paginated_response_schema(schema)
        properties = response_schema["properties"]
        properties["count"]["description"] = _(
            "Matches, counted up to %(limit)s (or to the end of the page asked for): "
            "when count_exact is false there are more than this many."
        ) % {"limit": self.count_limit}
        response_schema["properties"] = {
            "count": properties.pop("count"),
            "count_exact": {
                "type": "boolean",
                "description": _("False when there are more matches than count."),
            },
            **properties,
        }
        response_schema["required"] = [*response_schema["required"], "count_exact"]
        return response_schema
