"""What people and systems ask of a running escalation: promises, disputes, payments, letters.

Promises and disputes become messages to the customer's escalation (correlated by customer id),
so the process pauses itself and records them; a payment that leaves nothing overdue becomes
``payment_received`` and the escalation closes. Each request is checked against the case in the
database first, so a caller gets a clear 404 / 409 / 422 instead of a message kept for nobody.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.collection_ladder import Stage, rank
from credit.collection_models import CollectionCase
from credit.collections import (
    PROCESS_KEY,
    SYSTEM,
    collection_view,
    customer_of,
    load_ladder,
    overdue_facts,
    overdue_invoices,
    require_running,
    running_case,
)
from credit.demand_letter import LetterFacts, OverdueLine, letter_document
from credit.exposure import lock_exposure
from credit.ledger import invoice_by_number
from credit.payments import Recorded
from credit.payments import record_payment as record_ledger_payment
from credit.pdf import render_pdf
from credit.receivable_models import InvoiceStatus
from engine.actor import Actor
from engine.decisions import evaluate
from engine.errors import Conflict, Invalid, NotFound
from engine.instances import start_instance
from engine.messages import deliver_message
from engine.models import InstanceStatus, MessageSubscription, ProcessInstance
from engine.runtime import Runtime

SWEEPER = Actor(SYSTEM, frozenset())


def start_escalation(
    session: so.Session,
    rt: Runtime,
    customer_id: int,
    actor: Actor = SWEEPER,
    known_late: bool = False,
) -> int | None:
    """Start the customer's collection_escalation; return its instance id.

    Nothing happens (None) when one is running already or nothing is overdue. The customer's
    exposure row is locked first, so two callers (sweeps on two workers, an early-warning rise)
    never start two escalations.

    :param known_late: the caller has just read that the customer has overdue invoices.
    """
    lock_exposure(session, customer_id)
    if running_case(session, customer_id) is not None:
        return None
    if not known_late and overdue_facts(session, customer_id, rt.clock.today()).overdue_amount <= 0:
        return None
    change = start_instance(
        rt,
        session,
        PROCESS_KEY,
        actor,
        business_key=str(customer_id),
        subject=f"customer:{customer_id}",
    )
    return change.instance.id


def _deliverable(session: so.Session, case: CollectionCase, name: str) -> bool:
    """Whether the case's instance waits for the message now (and is not in error)."""
    status = session.scalar(
        sa.select(ProcessInstance.status).where(ProcessInstance.id == case.instance_id)
    )
    if status != InstanceStatus.WAITING:
        return False
    return (
        session.scalar(
            sa.select(MessageSubscription.id).where(
                MessageSubscription.instance_id == case.instance_id,
                MessageSubscription.name == name,
            )
        )
        is not None
    )


def _send(
    session: so.Session, rt: Runtime, actor: Actor, case: CollectionCase, name: str, payload: dict
) -> None:
    if not _deliverable(session, case, name):
        raise Conflict(
            f"the collection escalation of customer {case.customer_id} (process instance "
            f"{case.instance_id}) cannot take '{name}' now: it is at {case.stage} or in error"
        )
    deliver_message(rt, session, name, str(case.customer_id), payload, actor)


def promise_to_pay(
    session: so.Session, rt: Runtime, actor: Actor, customer_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Record a promise to pay: the ladder pauses until the promised date + the grace days.

    :raises NotFound: no such customer.
    :raises Conflict: no running escalation, or it is paused for a dispute.
    :raises Invalid: amount not above 0, promised date before today.
    """
    customer_of(session, customer_id)
    today = rt.clock.today()
    case = require_running(running_case(session, customer_id), customer_id)
    if case.stage == Stage.PAUSED_DISPUTE:
        raise Conflict(f"customer {customer_id}'s escalation is paused for a dispute")
    amount: Decimal = values["amount"]
    if amount <= 0:
        raise Invalid.field("amount", "must be greater than 0")
    if values["promise_date"] < today:
        raise Invalid.field("promise_date", f"must be today ({today}) or later")
    payload = {
        "amount": str(amount),
        "promise_date": values["promise_date"].isoformat(),
        "by": actor.username,
    }
    _send(session, rt, actor, case, "promise_to_pay", payload)
    return collection_view(session, customer_id, today)


def raise_dispute(
    session: so.Session, rt: Runtime, actor: Actor, customer_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Record a dispute about one open invoice: the ladder pauses and a collector resolves it.

    :raises NotFound: no such customer.
    :raises Conflict: no running escalation, or a dispute is already open.
    :raises Invalid: the invoice is not an open invoice of the customer; no reason.
    """
    customer_of(session, customer_id)
    today = rt.clock.today()
    case = require_running(running_case(session, customer_id), customer_id)
    if case.stage == Stage.PAUSED_DISPUTE:
        raise Conflict(f"customer {customer_id}'s escalation already has an open dispute")
    invoice = invoice_by_number(session, customer_id, values["invoice_number"])
    if invoice.status != InvoiceStatus.OPEN:
        raise Invalid.field("invoice_number", f"invoice {invoice.number} is {invoice.status}")
    reason = (values.get("reason") or "").strip()
    if not reason:
        raise Invalid.field("reason", "a dispute needs a reason")
    payload = {"invoice_number": invoice.number, "reason": reason, "by": actor.username}
    _send(session, rt, actor, case, "dispute_raised", payload)
    return collection_view(session, customer_id, today)


def payment_recorded(session: so.Session, rt: Runtime, actor: Actor, customer_id: int) -> bool:
    """Tell the customer's escalation when a payment left nothing overdue; True when told.

    Partial payments change nothing on the ladder, so they are not sent. An escalation that
    cannot take the message now (in error) is closed by the next daily sweep instead.
    """
    case = running_case(session, customer_id)
    if case is None:
        return False
    facts = overdue_facts(session, customer_id, rt.clock.today())
    if facts.overdue_amount > 0 or not _deliverable(session, case, "payment_received"):
        return False
    deliver_message(rt, session, "payment_received", str(customer_id), {"by": "payment"}, actor)
    return True


def record_payment(
    session: so.Session, rt: Runtime, actor: Actor, values: dict[str, Any]
) -> Recorded:
    """Record a payment; when it leaves nothing overdue the customer's escalation closes now.

    The daily sweep would close it too, but a paying customer's hold must not wait a day.
    """
    recorded = record_ledger_payment(session, rt.clock.now(), actor.username, values)
    if recorded.created:
        payment_recorded(session, rt, actor, values["customer_id"])
    return recorded


def demand_letter(
    session: so.Session, rt: Runtime, customer_id: int, language: str, company: str
) -> bytes:
    """The demand letter of the customer's running escalation as PDF.

    :raises NotFound: no such customer, or no running escalation.
    :raises Conflict: the escalation has not reached the demand letter stage.
    """
    customer = customer_of(session, customer_id)
    case = running_case(session, customer_id)
    if case is None:
        raise NotFound(f"customer {customer_id} has no running collection escalation")
    if rank(Stage(case.ladder_stage or Stage.CLOSED)) < rank(Stage.DEMAND_LETTER):
        raise Conflict(
            f"the escalation of customer {customer_id} is at {case.stage}; the demand letter "
            "comes with the demand_letter stage"
        )
    today = rt.clock.today()
    version = session.scalar(
        sa.select(ProcessInstance.version).where(ProcessInstance.id == case.instance_id)
    )
    bundle = rt.registry.get(session, PROCESS_KEY, version)

    def decide(decision: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return evaluate(bundle.decisions[decision], inputs, rt.script_engine)

    ladder = load_ladder(decide, customer.grade)
    facts = LetterFacts(
        number=f"CF-DL-{case.id:06d}",
        company=company,
        customer=customer.name,
        address=customer.address,
        contacts=[str(c.get("name")) for c in customer.contacts or [] if c.get("name")],
        today=today,
        pay_days=ladder.terms["demand_payment"],
        total_cny=overdue_facts(session, customer_id, today).overdue_amount,
        lines=[
            OverdueLine(i.number, i.issued_on, i.due_on, Decimal(i.open_amount), i.currency)
            for i in overdue_invoices(session, customer_id, today)
        ],
    )
    return render_pdf(letter_document(facts, language))
