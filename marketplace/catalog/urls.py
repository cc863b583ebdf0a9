from django.urls import path

from marketplace.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("mine/", views.my_listings, name="my-listings"),
    path("new/", views.listing_new, name="listing-new"),
    path("new/<str:listing_type>/", views.listing_create, name="listing-create"),
    path("import/", views.import_listings, name="import"),
    path("import/example.<str:file_format>", views.import_example, name="import-example"),
    path("listings/<int:pk>/", views.listing_detail, name="listing-detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("listings/<int:pk>/publish/", views.listing_publish, name="listing-publish"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing-withdraw"),
    path("listings/<int:pk>/relist/", views.listing_relist, name="listing-relist"),
    path("listings/<int:pk>/watch/", views.watch_toggle, name="watch-toggle"),
    path("listings/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment-delete"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("saved-searches/", views.saved_searches, name="saved-searches"),
    path(
        "saved-searches/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved-search-delete",
    ),
]
