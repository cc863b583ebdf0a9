from django.urls import path

from marketplace.trading import views

app_name = "trading"
urlpatterns = [
    path("reference-prices/", views.reference_prices, name="reference-prices"),
    path("quote/", views.quote, name="quote"),
]
