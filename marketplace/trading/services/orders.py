"""The order state machine: paid, held by compliance, released, delivered, settled, cancelled.

Every move goes through `_move`: it refuses what ORDER_TRANSITIONS does not allow, changes the
row with a conditional update on the status the caller saw (a concurrent move makes it fail
rather than overwrite), and appends an OrderEvent (actor, from, to, reason, time).

Payments calls these inside the transaction that records the money (a webhook's StripeEvent
row, a captured deposit), so the order never says "paid" without the payment that paid it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.services.gates import payout_allowed
from marketplace.accounts.models import User
from marketplace.core import outbox
from marketplace.core.exceptions import InvalidTransition, PermissionDeniedError
from marketplace.trading.choices import ORDER_TRANSITIONS, OrderStatus
from marketplace.trading.models import Order, OrderEvent

# The statuses in which compliance decides whether the goods may move.
_AWAITING_CLEARANCE = frozenset({OrderStatus.PAID, OrderStatus.ON_HOLD})


def _move(
    order: Order,
    to_status: str,
    *,
    actor: User | None,
    reason: str,
    now: datetime,
    **updates,
) -> Order:
    from_status = order.status
    if to_status not in ORDER_TRANSITIONS[from_status]:
        raise InvalidTransition(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": OrderStatus(from_status).label, "target": OrderStatus(to_status).label}
        )
    changed = Order.objects.filter(pk=order.pk, status=from_status).update(
        status=to_status, **updates
    )
    if changed != 1:
        raise InvalidTransition(_("The order changed meanwhile; reload it and try again."))
    OrderEvent.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        reason=reason,
        created_at=now,
    )
    order.status = to_status
    for name, value in updates.items():
        setattr(order, name, value)
    return order


def _locked(order: Order) -> Order:
    # Webhooks, the clearance task and people act on the same order; each must see the others'
    # moves, so every transition re-reads the row under its lock.
    return (
        Order.objects.select_for_update()
        .select_related("listing", "buyer_organisation")
        .get(pk=order.pk)
    )


def shipment_case_of(order: Order, *, approved_only: bool = False):
    """The compliance case of this order, or None: the one opened for it
    (ShipmentCase.order_reference), else the case of the same movement (listing, buyer,
    destination), which compliance reuses when it already existed before the award."""
    from compliance.choices import CaseStatus
    from compliance.models import ShipmentCase

    cases = ShipmentCase.objects.filter(
        Q(order_reference=f"order {order.pk}")
        | Q(
            listing_id=order.listing_id,
            buyer_organisation_id=order.buyer_organisation_id,
            destination=order.buyer_organisation.country.code,
        )
    )
    if approved_only:
        cases = cases.filter(status=CaseStatus.APPROVED)
    return cases.order_by("-pk").first()


def order_mark_paid(*, order: Order, reason: str, now: datetime | None = None) -> Order:
    """CREATED → PAID (the platform holds the funds), then apply the compliance gate at once.

    Idempotent: an order already past CREATED is returned unchanged (a duplicate or late
    payment event). Call inside the transaction that records the payment.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(order)
        if locked.status != OrderStatus.CREATED:
            return locked
        _move(locked, OrderStatus.PAID, actor=None, reason=reason, now=now)
        return _apply_clearance(locked, now=now)


def order_evaluate_clearance(*, order: Order, now: datetime | None = None) -> Order:
    """Re-evaluate a paid order against the compliance gate; the target of
    `payments.order_clearance_changed`. Safe to run any number of times.

    Domestic, or cross-border with an approved shipment case: RELEASED. Otherwise it stays (or
    goes) ON_HOLD; a rejected case keeps it there with the officer's reason recorded once.
    An order not yet paid, or past the clearance step, is left alone.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(order)
        if locked.status not in _AWAITING_CLEARANCE:
            return locked
        return _apply_clearance(locked, now=now)


def _apply_clearance(order: Order, *, now: datetime) -> Order:
    if payout_allowed(listing=order.listing, buyer_organisation=order.buyer_organisation):
        reason = (
            "compliance case approved"
            if order.cross_border
            else "domestic order: no shipment case needed"
        )
        return _move(order, OrderStatus.RELEASED, actor=None, reason=reason, now=now)
    case = shipment_case_of(order)
    if case is None:
        reason = "awaiting the compliance shipment case"
    else:
        reason = f"compliance case {case.pk} is {case.status}"
        if case.status == "rejected" and case.decision_reason:
            reason += f": {case.decision_reason}"
    if order.status == OrderStatus.PAID:
        return _move(order, OrderStatus.ON_HOLD, actor=None, reason=reason, now=now)
    # Already on hold: note a new compliance outcome (e.g. a rejection) once, without a move.
    if not OrderEvent.objects.filter(order=order, reason=reason).exists():
        OrderEvent.objects.create(
            order=order,
            from_status=OrderStatus.ON_HOLD,
            to_status=OrderStatus.ON_HOLD,
            reason=reason,
            created_at=now,
        )
    return order


def order_confirm_delivery(*, order: Order, user: User, now: datetime | None = None) -> Order:
    """The buyer confirms the goods arrived: RELEASED → DELIVERED. Only the buying organisation."""
    now = now or timezone.now()
    if not user.is_authenticated or user.organisation_id != order.buyer_organisation_id:
        raise PermissionDeniedError(_("Only the buying organisation can confirm delivery."))
    with transaction.atomic():
        locked = _locked(order)
        if locked.status != OrderStatus.RELEASED:
            raise InvalidTransition(
                _("Delivery can be confirmed once the order is released for shipment.")
            )
        return _move(
            locked,
            OrderStatus.DELIVERED,
            actor=user,
            reason="buyer confirmed delivery",
            now=now,
            delivery_confirmed_at=now,
        )


def order_mark_settled(*, order: Order, actor: User | None, reason: str, now: datetime) -> Order:
    """DELIVERED → SETTLED, by the payout service inside its transaction."""
    return _move(_locked(order), OrderStatus.SETTLED, actor=actor, reason=reason, now=now)


def order_cancel(*, order: Order, actor: User, reason: str, now: datetime | None = None) -> Order:
    """Platform staff call an order off before delivery; whatever was paid is refunded.

    The refunds go to Stripe from a task (`payments.refund_order`, through the outbox), so the
    cancellation commits at once and a Stripe outage delays the refund instead of losing it.
    """
    now = now or timezone.now()
    if not actor.is_staff:
        raise PermissionDeniedError(_("Only platform staff can cancel an order."))
    if not reason.strip():
        raise InvalidTransition(_("Give a reason for the cancellation."))
    with transaction.atomic():
        locked = _locked(order)
        _move(locked, OrderStatus.CANCELLED, actor=actor, reason=reason.strip(), now=now)
        # Also run for an unpaid order: a captured deposit or a pending intent may exist.
        outbox.enqueue("payments.refund_order", order_id=locked.pk)
    return locked
