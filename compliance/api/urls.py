from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-compliance-case")

urlpatterns = [
    path("precheck/", views.PrecheckView.as_view(), name="api-compliance-precheck"),
    path("rules/", views.RulesetView.as_view(), name="api-compliance-rules"),
    *router.urls,
]
