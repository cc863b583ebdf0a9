from django.urls import path

from marketplace.circularity import views

app_name = "circularity"
urlpatterns = [
    path("passport/import/", views.passport_import, name="passport-import"),
    path("passport/import/confirm/", views.passport_import_confirm, name="passport-import-confirm"),
    path("passport/mapping/", views.passport_mapping, name="passport-mapping"),
    path("passport/<uuid:passport_id>/", views.passport_detail, name="passport-detail"),
    path("passport/<uuid:passport_id>/passport.json", views.passport_json, name="passport-json"),
    path("passport/<uuid:passport_id>/qr.svg", views.passport_qr, name="passport-qr"),
]
