from django.urls import path

from diagnostics.api import views

urlpatterns = [
    path("diagnose/", views.DiagnoseView.as_view(), name="diagnostics-diagnose"),
    path("methods/", views.MethodCatalogueView.as_view(), name="diagnostics-methods"),
]
