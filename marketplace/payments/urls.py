from django.urls import path

from marketplace.payments import views

app_name = "payments"
urlpatterns = [
    path("sales/<int:sale_id>/deposit/", views.deposit, name="deposit"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order-pay"),
    path("orders/<int:pk>/confirm-delivery/", views.order_confirm, name="order-confirm"),
    path("orders/<int:pk>/assays/", views.order_assay, name="order-assay"),
    path("orders/<int:pk>/cancel/", views.order_cancel_view, name="order-cancel"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice-pdf"),
    path("invoices/<int:pk>/pay/", views.invoice_pay, name="invoice-pay"),
    path("staff/payouts/", views.staff_payouts, name="staff-payouts"),
    path("staff/refunds/", views.staff_refunds, name="staff-refunds"),
]
