from django.urls import path

from marketplace.payments import views as payments_views
from marketplace.trading import sale_pages, views

app_name = "trading"
urlpatterns = [
    path("reference-prices/", views.reference_prices, name="reference-prices"),
    path("quote/", views.quote, name="quote"),
    path("sales/<int:pk>/", sale_pages.sale_detail, name="sale"),
    path("listings/<int:listing_id>/sale/", sale_pages.listing_sale, name="listing-sale"),
    path("listings/<int:listing_id>/start-sale/", sale_pages.sale_start, name="sale-start"),
    path("my-bids/", sale_pages.my_bids, name="my-bids"),
    path("orders/", sale_pages.my_orders, name="my-orders"),
    path("orders/<int:pk>/", payments_views.order_detail, name="order"),
]
