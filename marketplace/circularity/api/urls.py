from django.urls import path

from marketplace.circularity.api import views

urlpatterns = [
    path(
        "packs/<int:pk>/passport/",
        views.PackPassportView.as_view(),
        name="circularity-pack-passport",
    ),
    path(
        "passport/import/", views.PassportImportView.as_view(), name="circularity-passport-import"
    ),
    path("outflow/", views.OutflowView.as_view(), name="circularity-outflow"),
    path("outflow/staff/", views.StaffOutflowView.as_view(), name="circularity-outflow-staff"),
    path("orders/<int:pk>/score/", views.OrderScoreView.as_view(), name="circularity-order-score"),
    path(
        "organisations/<int:pk>/score/",
        views.OrganisationScoreView.as_view(),
        name="circularity-organisation-score",
    ),
    path(
        "domestic-first/",
        views.DomesticFirstPolicyView.as_view(),
        name="circularity-domestic-first",
    ),
]
