"""Everything under /api/v1/: each app contributes its own api/urls.py."""

from django.urls import include, path

# Prefixed includes first (a path is matched against the "" includes' every pattern), trading
# first of all: it carries the bid path.
urlpatterns = [
    path("trading/", include("marketplace.trading.api.urls")),
    path("circularity/", include("marketplace.circularity.api.urls")),
    path("diagnostics/", include("diagnostics.api.urls")),
    path("compliance/", include("compliance.api.urls")),
    path("payments/", include("marketplace.payments.api.urls")),
    path("", include("marketplace.accounts.api.urls")),
    path("", include("marketplace.catalog.api.urls")),
]
