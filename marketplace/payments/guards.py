"""Database guard of payments: a cross-border payout needs an approved compliance case."""

from marketplace.core.triggers import RowGuard

PAYOUT_NEEDS_APPROVED_CASE = RowGuard(
    name="payments_payout_needs_approved_case",
    table="payments_payout",
    events="INSERT",
    refuse_when=(
        "NEW.cross_border AND NOT EXISTS (SELECT 1 FROM compliance_shipmentcase"
        " WHERE id = NEW.compliance_case_id AND status = 'approved')"
    ),
    message="a cross-border payout needs an approved compliance case",
)
GUARDS = (PAYOUT_NEEDS_APPROVED_CASE,)
