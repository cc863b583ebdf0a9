from django.urls import path

from marketplace.catalog import views

app_name = "catalog"
urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
]
