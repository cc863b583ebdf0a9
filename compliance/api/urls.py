from django.urls import path

from compliance.api import views

urlpatterns = [
    path("precheck/", views.PrecheckView.as_view(), name="api-compliance-precheck"),
    path("rules/", views.RulesetView.as_view(), name="api-compliance-rules"),
]
