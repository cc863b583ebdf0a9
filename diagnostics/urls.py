from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("methods/", views.MethodCatalogueView.as_view(), name="methods"),
    path("estimate/", views.EstimateView.as_view(), name="estimate"),
]
