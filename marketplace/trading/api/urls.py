from django.urls import path

from marketplace.trading.api import views

urlpatterns = [
    path(
        "reference-prices/",
        views.ReferencePriceListCreateView.as_view(),
        name="api-trading-reference-prices",
    ),
    path("quote/", views.QuoteView.as_view(), name="api-trading-quote"),
]
