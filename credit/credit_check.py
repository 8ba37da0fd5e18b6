"""The credit check an order system asks before it accepts or ships an order.

Policy comes from the DMN tables deployed with the ``credit_decision`` bundle: the check point
(``credit_check_point``: is the check enforced here?), the tolerance by grade
(``credit_check_tolerance``) and the reason codes (``credit_check_reasons``). Python gathers the
facts, asks the tables, and applies the answer:

- Exposure is read from the customer's exposure row. An order that already holds a reservation
  is checked without its old amount (replaced, never counted twice); a blocked re-check keeps
  the old reservation. A cancelled or invoiced order holds nothing, so it is checked in full.
- An enforced, approved check with an order_ref reserves the amount. Such a check locks the
  customer's exposure first, so concurrent checks of one customer cannot both spend the same
  available credit.
- A blocked enforced check of an order with an unused ``release_once`` covering the amount
  passes once with ``RELEASED``; with ``request_release`` it starts a ``credit_decision``.
- Every answer is written to ``credit_check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit import check_facts as facts
from credit.check_facts import CustomerTerms
from credit.check_models import CheckDecision, CreditCheck
from credit.credit_file import ROW_ID_MAX
from credit.exposure import CENT, ZERO, cny, fx_rate, limit_cny, lock_exposure
from credit.releases import consume_release_once
from credit.reservations import hold_for_order, open_amount_cny
from credit.scorecard import dmn_number
from engine.actor import Actor
from engine.clock import to_db
from engine.decisions import evaluate
from engine.errors import Invalid
from engine.models import InstanceStatus, ProcessInstance
from engine.money import MONEY_MAX
from engine.runtime import Runtime

PROCESS_KEY = "credit_decision"
RELEASED = "RELEASED"
CHECK_POINTS = ("order", "delivery", "invoice")


@dataclass(frozen=True)
class CheckResult:
    """The answer to an order system, amounts in CNY after the check."""

    decision: str
    reasons: list[str]
    limit: Decimal | None
    exposure: Decimal
    available: Decimal | None
    tolerance: Decimal
    check_id: int
    credit_decision_instance_id: int | None = None
    currency: str = "CNY"


_ONE_INPUT: dict[tuple[str, int, str, str | None], dict[str, Any]] = {}


class Policy:
    """The credit check's decision tables of the newest credit_decision version."""

    def __init__(self, rt: Runtime, session: so.Session, version: int | None = None) -> None:
        """Load the deployed tables (parsed once per version by the registry).

        :param version: the active version when the caller read it already.
        """
        self._bundle = rt.registry.latest(session, PROCESS_KEY, version)
        self._script_engine = rt.script_engine

    def decide(self, decision_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Evaluate one table."""
        return evaluate(self._bundle.decisions[decision_id], inputs, self._script_engine)

    def decide_once(self, decision_id: str, name: str, value: str | None) -> dict[str, Any]:
        """Evaluate a one-input table, remembered per deployed version (versions never change)."""
        key = (self._bundle.key, self._bundle.version, decision_id, value)
        if key not in _ONE_INPUT:
            _ONE_INPUT[key] = self.decide(decision_id, {name: value})
        return _ONE_INPUT[key]

    def enforced(self, check_point: str) -> bool:
        """Whether the check blocks at this check point."""
        return bool(self.decide_once("credit_check_point", "check_point", check_point)["enforced"])

    def tolerance(self, grade: str | None, limit: Decimal) -> Decimal:
        """min(limit x tolerance % / 100, cap) for the grade."""
        row = self.decide_once("credit_check_tolerance", "grade", grade)
        percent = dmn_number(row["tolerance_percent"], "credit_check_tolerance tolerance_percent")
        cap = dmn_number(row["tolerance_cap"], "credit_check_tolerance tolerance_cap")
        return min(limit * percent / 100, cap).quantize(CENT)

    def reasons(self, facts: dict[str, Any]) -> tuple[list[str], list[str]]:
        """The blocking codes and the approve codes that apply, in the table's order."""
        rows = self.decide("credit_check_reasons", facts)
        codes = zip(rows.get("reason_code") or [], rows.get("blocks") or [], strict=True)
        blocking, approving = [], []
        for code, blocks in codes:
            if code:
                (blocking if blocks else approving).append(str(code))
        return blocking, approving


def check_credit(
    session: so.Session,
    rt: Runtime,
    actor: Actor,
    values: Mapping[str, Any],
    rates: Mapping[str, str],
) -> CheckResult:
    """Answer approve or block for an order, reserving / releasing as the policy says.

    ``values``: customer_id, amount, currency, order_ref?, check_point? ("order"),
    request_release? (False).

    :raises Invalid: unknown customer, currency or check point; amount not above 0;
        request_release without an order_ref.
    :raises Conflict: the order_ref belongs to another customer.
    """
    customer_id = values["customer_id"]
    order_ref = values.get("order_ref") or None
    now, today = rt.clock.now(), rt.clock.today()
    # Without an order_ref nothing is reserved: one statement reads everything. With one, the
    # check point decides whether the exposure is locked before the order's facts are read.
    read, customer = None, None
    if not 1 <= customer_id <= ROW_ID_MAX:
        pass  # a 64-bit id matches nobody and must not reach the 32-bit column
    elif order_ref is None:
        read = facts.read_all(session, PROCESS_KEY, customer_id, None, today)
        customer = read[0] if read else None
    else:
        customer = facts.read_customer(session, PROCESS_KEY, customer_id)
    if customer is None:
        raise Invalid.field("customer_id", f"no customer with id {customer_id}")
    amount: Decimal = values["amount"]
    if not amount.is_finite() or amount <= 0:
        raise Invalid.field("amount", "must be a decimal number greater than 0")
    currency = str(values.get("currency") or "CNY").upper()
    rate = fx_rate(currency, rates)
    amount_cny = cny(amount, rate)
    check_point = values.get("check_point") or "order"
    if values.get("request_release") and not order_ref:
        raise Invalid.field("order_ref", "request_release needs the order_ref of the order")
    policy = Policy(rt, session, customer.policy_version)
    enforced = policy.enforced(check_point)
    reserving = enforced and order_ref is not None
    if read is not None:
        _, held, order = read
    elif reserving:
        held = lock_exposure(session, customer.id)
        order = facts.read_after_lock(session, customer.id, order_ref, today)
    else:
        read = facts.read_all(session, PROCESS_KEY, customer.id, order_ref, today)
        _, held, order = read
    previous = open_amount_cny(order.reservation, customer.id)
    limit = _effective_limit(customer, order.temporary_limits, rates)
    has_limit = limit is not None and limit > 0
    tolerance = policy.tolerance(customer.grade, limit) if has_limit else ZERO
    exposure_before = held.total - previous
    blocking, approving = policy.reasons(
        {
            "on_hold": bool(customer.on_hold),
            "has_limit": has_limit,
            "limit": limit or ZERO,
            "tolerance": tolerance,
            "exposure_after": exposure_before + amount_cny,
            "days_past_due": _days_after(order.oldest_open_due, today),
            "review_days_overdue": _days_after(customer.review_due_on, today) if has_limit else 0,
            "grade": customer.grade,
            "warning_level": customer.warning_level,
        }
    )
    release_id = None
    if reserving and blocking:
        release_id = consume_release_once(
            session, now, actor.username, customer.id, order_ref, amount_cny
        )
    if not enforced:
        decision, reasons = CheckDecision.APPROVE, blocking + approving
    elif release_id is not None:
        decision, reasons = CheckDecision.APPROVE, [RELEASED]
    elif blocking:
        decision, reasons = CheckDecision.BLOCK, blocking
    else:
        decision, reasons = CheckDecision.APPROVE, approving
    exposure_after = held.total
    if reserving and decision == CheckDecision.APPROVE:
        hold_for_order(
            session,
            now,
            actor.username,
            customer.id,
            order_ref,
            amount,
            currency,
            rate,
            amount_cny,
            check_point,
        )
        exposure_after = exposure_before + amount_cny
    check_id = session.execute(
        _LOG,
        {
            "at": to_db(now),
            "actor": actor.username,
            "customer_id": customer.id,
            "order_ref": order_ref,
            "check_point": check_point,
            "amount": amount,
            "currency": currency,
            "amount_cny": amount_cny,
            "decision": decision.value,
            "reasons": reasons,
            "credit_limit": limit,
            "tolerance": tolerance,
            "exposure_before": exposure_before,
            "exposure_after": exposure_after,
            "release_id": release_id,
        },
    ).scalar_one()
    instance_id = None
    if decision == CheckDecision.BLOCK and values.get("request_release"):
        instance_id = request_release(session, rt, actor, check_id, order_ref, customer.id)
    return CheckResult(
        decision=decision.value,
        reasons=reasons,
        limit=limit,
        exposure=exposure_after,
        available=None if limit is None else limit - exposure_after,
        tolerance=tolerance,
        check_id=check_id,
        credit_decision_instance_id=instance_id,
    )


# The check's log row: a Core INSERT (no ORM object to build, track and flush).
_LOG = sa.insert(CreditCheck.__table__).returning(CreditCheck.__table__.c.id)


def _effective_limit(
    customer: CustomerTerms, temporary: Decimal, rates: Mapping[str, str]
) -> Decimal | None:
    """The active limit in CNY plus the temporary increases valid today, at most MONEY_MAX.

    A limit at MONEY_MAX already covers any exposure (every exposure stays below
    EXPOSURE_MAX), so the cap changes no decision; it keeps the check's log row within its
    column however many temporary limits add up.
    """
    base = limit_cny(customer, rates)
    if base is None and not temporary:
        return None
    return min((base or ZERO) + temporary, MONEY_MAX)


def _days_after(day: dt.date | None, today: dt.date) -> int:
    return max(0, (today - day).days) if day is not None else 0


def request_release(
    session: so.Session,
    rt: Runtime,
    actor: Actor,
    check_id: int,
    order_ref: str,
    customer_id: int,
) -> int:
    """Start the order's credit_decision (or return the one already deciding it)."""
    from engine.instances import start_instance

    running = session.scalar(
        sa.select(ProcessInstance.id).where(
            ProcessInstance.process_key == PROCESS_KEY,
            ProcessInstance.business_key == order_ref,
            ProcessInstance.status.in_(
                [InstanceStatus.RUNNING.value, InstanceStatus.WAITING.value]
            ),
        )
    )
    if running is not None:
        return running
    change = start_instance(
        rt,
        session,
        PROCESS_KEY,
        actor,
        business_key=order_ref,
        subject=f"customer:{customer_id}",
        data={"check_id": check_id},
    )
    return change.instance.id
