from django.urls import path

from compliance import views

app_name = "compliance"
urlpatterns = [
    path("precheck/", views.precheck_page, name="precheck"),
    path("rules/", views.RulesView.as_view(), name="rules"),
]
