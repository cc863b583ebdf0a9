from django.urls import include, path

from marketplace.accounts import views
from marketplace.accounts.auth_views import LoginView, PasswordResetView

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisation/", views.organisation_detail, name="organisation"),
    path("organisation/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisation/permits/add/", views.permit_add, name="permit-add"),
    path("organisation/permits/<int:pk>/delete/", views.permit_delete, name="permit-delete"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("staff/organisations/", views.staff_organisations, name="staff-organisations"),
    path(
        "staff/organisations/<int:pk>/",
        views.staff_organisation_review,
        name="staff-organisation-review",
    ),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
]
