from django.urls import path

from marketplace.accounts.api import views
from marketplace.core.api.routers import Router

router = Router()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("permits", views.PermitViewSet, basename="permit")
router.register("tokens", views.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("auth/signup/", views.SignUpView.as_view(), name="api-signup"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
