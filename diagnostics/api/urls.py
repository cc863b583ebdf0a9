from django.urls import path
from rest_framework.routers import SimpleRouter

from diagnostics.api import views

router = SimpleRouter()
router.register(
    "provider-methods", views.RegisteredMethodViewSet, basename="diagnostics-provider-method"
)

urlpatterns = [
    path("diagnose/", views.DiagnoseView.as_view(), name="diagnostics-diagnose"),
    path("methods/", views.MethodCatalogueView.as_view(), name="diagnostics-methods"),
    *router.urls,
]
