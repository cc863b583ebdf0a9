from django.urls import path

from marketplace.trading.api import sale_views, views

urlpatterns = [
    path(
        "reference-prices/",
        views.ReferencePriceListCreateView.as_view(),
        name="api-trading-reference-prices",
    ),
    path("quote/", views.QuoteView.as_view(), name="api-trading-quote"),
    path("sales/", sale_views.SaleListCreateView.as_view(), name="api-trading-sales"),
    path("sales/<int:pk>/", sale_views.SaleDetailView.as_view(), name="api-trading-sale"),
    path("sales/<int:pk>/bids/", sale_views.SaleBidsView.as_view(), name="api-trading-bids"),
    path(
        "sales/<int:pk>/buy-now/", sale_views.SaleBuyNowView.as_view(), name="api-trading-buy-now"
    ),
    path(
        "sales/<int:pk>/precheck/",
        sale_views.SalePrecheckView.as_view(),
        name="api-trading-sale-precheck",
    ),
    path("sales/<int:pk>/offers/", sale_views.SaleOffersView.as_view(), name="api-trading-offers"),
    *(
        path(
            f"offers/<int:pk>/{action}/",
            sale_views.OfferActionView.as_view(action_name=action),
            name=f"api-trading-offer-{action}",
        )
        for action in ("accept", "decline", "counter", "withdraw")
    ),
    path(
        "sales/<int:pk>/tender-bids/",
        sale_views.SaleTenderBidsView.as_view(),
        name="api-trading-tender-bids",
    ),
    path(
        "tender-bids/<int:pk>/withdraw/",
        sale_views.TenderBidWithdrawView.as_view(),
        name="api-trading-tender-bid-withdraw",
    ),
    path("orders/", sale_views.OrderListView.as_view(), name="api-trading-orders"),
    path("orders/<int:pk>/", sale_views.OrderDetailView.as_view(), name="api-trading-order"),
]
