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
]
