from django.urls import path

from compliance import views

app_name = "compliance"
urlpatterns = [
    path("precheck/", views.precheck_page, name="precheck"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case-decide"),
    path("cases/<int:pk>/material/", views.case_material, name="case-material"),
    path("cases/<int:pk>/respond/", views.case_respond, name="case-respond"),
    path("cases/<int:pk>/movements/", views.case_movement, name="case-movement"),
    path(
        "cases/<int:pk>/consents/<int:consent_pk>/",
        views.consent_update,
        name="case-consent",
    ),
    path("cases/<int:pk>/documents/", views.document_add, name="case-document-add"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        views.document_update,
        name="case-document",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/file/",
        views.document_download,
        name="case-document-file",
    ),
]
