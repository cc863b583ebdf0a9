from django.urls import path

from marketplace.circularity import dashboard_views, views

app_name = "circularity"
urlpatterns = [
    path("passport/import/", views.passport_import, name="passport-import"),
    path("passport/import/confirm/", views.passport_import_confirm, name="passport-import-confirm"),
    path("passport/mapping/", views.passport_mapping, name="passport-mapping"),
    path("passport/<uuid:passport_id>/", views.passport_detail, name="passport-detail"),
    path("passport/<uuid:passport_id>/passport.json", views.passport_json, name="passport-json"),
    path("passport/<uuid:passport_id>/qr.svg", views.passport_qr, name="passport-qr"),
    path("outflow/", dashboard_views.outflow_dashboard, name="outflow"),
    path("outflow.csv", dashboard_views.outflow_csv, name="outflow-csv"),
    path("staff/outflow/", dashboard_views.staff_outflow_dashboard, name="staff-outflow"),
    path("staff/outflow.csv", dashboard_views.staff_outflow_csv, name="staff-outflow-csv"),
    path(
        "staff/domestic-first/",
        dashboard_views.domestic_first_policy,
        name="domestic-first-policy",
    ),
    path("organisation/", dashboard_views.organisation_circularity, name="organisation"),
]
