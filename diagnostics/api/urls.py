from django.urls import path

from diagnostics.api import views
from marketplace.core.api.routers import Router

router = Router()
router.register(
    "provider-methods", views.RegisteredMethodViewSet, basename="diagnostics-provider-method"
)

router.register("certificates", views.CertificateViewSet, basename="diagnostics-certificate")
router.register("guarantees", views.GuaranteeViewSet, basename="diagnostics-guarantee")
router.register(
    "guarantee-claims", views.GuaranteeClaimViewSet, basename="diagnostics-guarantee-claim"
)

urlpatterns = [
    path(
        "packs/<int:pk>/assessment/",
        views.PackAssessmentView.as_view(),
        name="diagnostics-pack-assessment",
    ),
    path("diagnose/", views.DiagnoseView.as_view(), name="diagnostics-diagnose"),
    path("methods/", views.MethodCatalogueView.as_view(), name="diagnostics-methods"),
    *router.urls,
]
