"""Every write of the payments app, grouped by subject; import from here."""

from marketplace.payments.services.deposits import (
    DepositRequired,
    deposit_authorise,
    deposit_required_amount,
    deposits_renew_due,
    deposits_settle,
    ensure_deposit,
)
from marketplace.payments.services.invoices import (
    assay_record,
    final_assay,
    invoice_issue_final_if_ready,
    invoice_issue_provisional,
    invoice_pay,
    invoice_refund_balance,
    settlement_state,
)
from marketplace.payments.services.payments import (
    payment_cancel,
    payment_capture,
    payment_open,
    payment_refund,
)
from marketplace.payments.services.payouts import PayoutNotAllowed, payout_release
from marketplace.payments.services.settlement import (
    order_amount_due,
    order_amount_paid,
    order_collected,
    order_pay,
    order_refund_all,
)
from marketplace.payments.services.webhooks import WEBHOOK_HANDLERS, webhook_receive

__all__ = [
    "WEBHOOK_HANDLERS",
    "DepositRequired",
    "PayoutNotAllowed",
    "assay_record",
    "deposit_authorise",
    "deposit_required_amount",
    "deposits_renew_due",
    "deposits_settle",
    "ensure_deposit",
    "final_assay",
    "invoice_issue_final_if_ready",
    "invoice_issue_provisional",
    "invoice_pay",
    "invoice_refund_balance",
    "order_amount_due",
    "order_amount_paid",
    "order_collected",
    "order_pay",
    "order_refund_all",
    "payment_cancel",
    "payment_capture",
    "payment_open",
    "payment_refund",
    "payout_release",
    "settlement_state",
    "webhook_receive",
]
