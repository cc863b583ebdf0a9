from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("methods/", views.MethodCatalogueView.as_view(), name="methods"),
    path("estimate/", views.EstimateView.as_view(), name="estimate"),
    path("certificates/", views.certificate_list, name="certificate-list"),
    path("certificates/new/", views.certificate_issue, name="certificate-issue"),
    path("certificates/<uuid:uuid>/", views.certificate_detail, name="certificate-detail"),
    path(
        "certificates/<uuid:uuid>/supersede/",
        views.certificate_supersede,
        name="certificate-supersede",
    ),
    path("certificates/<uuid:uuid>/revoke/", views.certificate_revoke, name="certificate-revoke"),
    path("certificates/<uuid:uuid>/verify/", views.certificate_verify, name="certificate-verify"),
    path("certificates/<uuid:uuid>/raw/", views.certificate_raw_data, name="certificate-raw"),
    path("certificates/<uuid:uuid>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("packs/<int:pk>/history/", views.pack_history, name="pack-history"),
    path("packs/<int:pk>/guarantees/new/", views.guarantee_offer, name="guarantee-offer"),
    path("guarantees/", views.guarantee_list, name="guarantee-list"),
    path("guarantees/<int:pk>/", views.guarantee_detail, name="guarantee-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
]
