from django.urls import path

from marketplace.payments.api import views

urlpatterns = [
    path("sales/<int:sale_id>/deposit/", views.DepositView.as_view(), name="api-payments-deposit"),
    path("orders/<int:pk>/pay/", views.OrderPayView.as_view(), name="api-payments-order-pay"),
    path("orders/<int:pk>/money/", views.OrderMoneyView.as_view(), name="api-payments-money"),
    path(
        "orders/<int:pk>/confirm-delivery/",
        views.OrderConfirmDeliveryView.as_view(),
        name="api-payments-confirm-delivery",
    ),
    path(
        "orders/<int:pk>/invoices/",
        views.OrderInvoicesView.as_view(),
        name="api-payments-invoices",
    ),
    path("orders/<int:pk>/assays/", views.OrderAssaysView.as_view(), name="api-payments-assays"),
    path("invoices/<int:pk>/pay/", views.InvoicePayView.as_view(), name="api-payments-invoice-pay"),
]
