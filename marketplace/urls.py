from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from marketplace.payments.views import stripe_webhook

# Django tries the patterns in order and the first match wins, so the API, the hottest and
# longest-nested prefix, comes first (no HTML route starts with api/); the ""-prefixed
# includes below are searched through in full for every path that reaches them.
urlpatterns = [
    path("api/v1/", include("marketplace.api_urls")),
    path("", include("marketplace.core.urls")),
    path("", include("marketplace.accounts.urls")),
    path("catalog/", include("marketplace.catalog.urls")),
    path("trading/", include("marketplace.trading.urls")),
    path("circularity/", include("marketplace.circularity.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("compliance/", include("compliance.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("payments/", include("marketplace.payments.urls")),
    path("stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from MEDIA_ROOT directly, not even in DEBUG: documents of
# draft listings and raw diagnostics data are private, so each app serves its files
# through a view that checks who is asking.

handler400 = "marketplace.core.views.bad_request"
handler403 = "marketplace.core.views.permission_denied"
handler404 = "marketplace.core.views.page_not_found"
handler500 = "marketplace.core.views.server_error"
