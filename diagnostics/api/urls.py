from django.urls import path

from diagnostics.api import views
from marketplace.core.api.routers import Router

router = Router()
router.register(
    "provider-methods", views.RegisteredMethodViewSet, basename="diagnostics-provider-method"
)

urlpatterns = [
    path("diagnose/", views.DiagnoseView.as_view(), name="diagnostics-diagnose"),
    path("methods/", views.MethodCatalogueView.as_view(), name="diagnostics-methods"),
    *router.urls,
]
