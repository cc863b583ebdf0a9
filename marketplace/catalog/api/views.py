"""Catalog API: parse with a serializer, load through a selector, call the service, render."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from marketplace.accounts.permissions import CanTrade
from marketplace.catalog import importing, selectors, services, uploads
from marketplace.catalog.api import serializers
from marketplace.catalog.filters import ListingFilter
from marketplace.catalog.models import Listing, SavedSearch, WatchlistEntry
from marketplace.catalog.search_statements import ListingSearch
from marketplace.core.api.pagination import CappedCountPagination
from marketplace.core.api.renderers import PlainValuesJSONRenderer


class ListingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Listings you may see: every published, in-sale or sold listing, plus your own.

    Create and change need a trading role in a verified organisation; only the seller
    organisation changes a listing, and only while it is a draft or published.
    """

    permission_classes = [CanTrade]
    # Listing answers are text, integers, booleans and nulls (decimals and times as text): no
    # float, so orjson writes DRF's bytes (tests/core/test_renderers.py keeps the serializers
    # float-free; tests/catalog/test_search_pages.py compares a page's bytes).
    renderer_classes = [
        PlainValuesJSONRenderer,
        *(kind for kind in api_settings.DEFAULT_RENDERER_CLASSES if kind is not JSONRenderer),
    ]
    filterset_class = ListingFilter
    pagination_class = CappedCountPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Listing.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.listings_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # Filter, count and choose the page on the listing table alone; then read the rows
        # shown, with their seller and item, by key (one statement compiled once: a join
        # above the LIMIT would join every match first whenever the order cannot come from
        # an index; bench: 4,740 rows joined to five tables and sorted to show 25, 30 ms
        # instead of 5). The count and the keys are sent as they were for the last search
        # with this query string (search_statements); the queryset is built only when new.
        search = ListingSearch(
            user=request.user,
            query_string=request.META.get("QUERY_STRING", ""),
            build=lambda: self.filter_queryset(
                selectors.listings_searchable_for_user(user=request.user)
            ),
        )
        page = self.paginate_queryset(search)
        keys = search[0:None] if page is None else page
        rows = serializers.listing_rows_for_keys(keys, using=search.db)
        if page is None:
            return Response(rows)
        return self.get_paginated_response(rows)

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.ListingInput
        if self.action == "partial_update":
            return serializers.ListingUpdateInput
        return serializers.ListingSerializer

    def get_object(self):
        return selectors.listing_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=serializers.ListingInput, responses={201: serializers.ListingSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.ListingInput(data=request.data)
        body.is_valid(raise_exception=True)
        listing = services.listing_create(actor=request.user, **body.validated_data)
        listing = selectors.listing_get_for_user(user=request.user, pk=listing.pk)
        return Response(serializers.ListingSerializer(listing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ListingUpdateInput, responses=serializers.ListingSerializer)
    def partial_update(self, request, *args, **kwargs):
        listing = selectors.listing_get_for_seller(user=request.user, pk=self.kwargs["pk"])
        body = serializers.ListingUpdateInput(listing, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.listing_update(listing=listing, actor=request.user, **body.validated_data)
        listing = selectors.listing_get_for_user(user=request.user, pk=listing.pk)
        return Response(serializers.ListingSerializer(listing).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses=serializers.ListingSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
        services.listing_publish(listing=listing, actor=request.user)
        listing = selectors.listing_get_for_user(user=request.user, pk=pk)
        return Response(serializers.ListingSerializer(listing).data)

    @extend_schema(request=serializers.WithdrawSerializer, responses=serializers.ListingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
        body = serializers.WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.listing_withdraw(
            listing=listing, actor=request.user, reason=body.validated_data["reason"]
        )
        listing = selectors.listing_get_for_user(user=request.user, pk=pk)
        return Response(serializers.ListingSerializer(listing).data)

    @extend_schema(request=None, responses={201: serializers.ListingSerializer})
    @action(detail=True, methods=["post"])
    def relist(self, request, pk=None):
        """List the item of a withdrawn listing again, as a new draft with the same terms."""
        listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
        relisted = services.listing_relist(listing=listing, actor=request.user)
        relisted = selectors.listing_get_for_user(user=request.user, pk=relisted.pk)
        return Response(
            serializers.ListingSerializer(relisted).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=serializers.ListingEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        listing = selectors.listing_get_for_user(user=request.user, pk=pk)
        events = listing.events.select_related("actor")
        return Response(serializers.ListingEventSerializer(events, many=True).data)

    @extend_schema(
        methods=["get"], request=None, responses=serializers.AttachmentSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": serializers.AttachmentUploadSerializer},
        responses={201: serializers.AttachmentSerializer},
        description=(
            f"Photos: PNG, JPEG or WebP up to {uploads.PHOTO_MAX_BYTES // uploads.MB} MB. "
            f"Documents: PDF, PNG or JPEG up to {uploads.DOCUMENT_MAX_BYTES // uploads.MB} MB."
        ),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        if request.method == "GET":
            listing = selectors.listing_get_for_user(user=request.user, pk=pk)
            attachments = selectors.attachments_for_user(user=request.user, listing=listing)
            return Response(serializers.AttachmentSerializer(attachments, many=True).data)
        listing = selectors.listing_get_for_seller(user=request.user, pk=pk)
        body = serializers.AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            listing=listing,
            actor=request.user,
            kind=body.validated_data["kind"],
            upload=body.validated_data["file"],
        )
        return Response(
            serializers.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request={"multipart/form-data": serializers.ImportUploadSerializer},
        responses={201: serializers.ImportResultSerializer},
        description=(
            "Create draft listings from a CSV or JSON file, all or none. On errors the "
            "answer is 400 with code `import_failed` and `fields` keyed `rows.<row>.<field>`."
        ),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        pagination_class=None,
    )
    def import_file(self, request):
        body = serializers.ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        file_format = uploads.check_import_file(upload=upload)
        rows = importing.parse(content=upload.read(), file_format=file_format)
        created = importing.import_listings(actor=request.user, rows=rows)
        return Response({"created": created}, status=status.HTTP_201_CREATED)


class WatchlistViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Listings you watch. DELETE /watchlist/{listing id}/ stops watching."""

    queryset = WatchlistEntry.objects.none()  # for the schema; requests use get_queryset
    lookup_field = "listing"
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, FormParser]

    def get_queryset(self):
        return selectors.watchlist_for_user(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.WatchedListingSerializer
        return serializers.WatchlistEntrySerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["listing"].queryset = selectors.listings_for_user(
                user=self.request.user
            )
        return serializer

    def perform_create(self, serializer):
        serializer.instance = services.watchlist_add(
            user=self.request.user, listing=serializer.validated_data["listing"]
        )

    @extend_schema(responses={204: OpenApiResponse(description="No longer watched.")})
    def destroy(self, request, *args, **kwargs):
        listing = selectors.listing_get_for_user(user=request.user, pk=self.kwargs["listing"])
        services.watchlist_remove(user=request.user, listing=listing)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your saved searches; `query` is the /listings/ query string to run again."""

    serializer_class = serializers.SavedSearchSerializer
    queryset = SavedSearch.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.saved_searches_for_user(user=self.request.user)

    def get_object(self):
        return selectors.saved_search_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = services.saved_search_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.saved_search_delete(saved_search=instance, actor=self.request.user)
