"""Scenario of the shipped collection_escalation model through the engine's public API.

The clock walks the ladder; the sweep wakes the process; every user task (call, letter, dispute,
legal review, both write-off approvals) is completed after the live workflow was dropped, so each
step restores the instance from its stored snapshot and the snapshot round-trips exactly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from credit.collection_requests import raise_dispute
from credit.collection_sweep import sweep_collections
from credit.collections import collection_view
from credit.models import Customer
from engine.instances import Actor, complete_task
from engine.models import HumanTask, ProcessInstance
from web.clock import write_test_clock
from web.extensions import db

COLLECTOR = Actor("collector1", frozenset({"collector"}))
LEGAL = Actor("legal1", frozenset({"legal"}))
DIRECTOR = Actor("director1", frozenset({"finance_director"}))
GM = Actor("gm1", frozenset({"general_manager"}))
DUE = dt.date(2026, 3, 1)
TZ = dt.timezone(dt.timedelta(hours=8))


def _customer() -> int:
    from credit.invoices import book_invoice

    row = Customer(
        name="场景催收客户",
        uscc="91310000MA1FL8XQ30",
        contacts=[{"name": "钱会计", "email": "ap@scenario.example"}],
        created_at=dt.datetime(2026, 1, 1),
    )
    db.session.add(row)
    db.session.flush()
    values = {
        "customer_id": row.id,
        "number": "SCN-1",
        "amount": Decimal("8800.00"),
        "currency": "CNY",
        "issued_on": DUE - dt.timedelta(days=30),
        "due_on": DUE,
    }
    book_invoice(db.session, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "erp1", values, {"CNY": "1"})
    db.session.commit()
    return row.id


def _day(rt, dpd: int) -> None:
    """Move the clock to a day past due and run the daily sweep."""
    write_test_clock(dt.datetime.combine(DUE + dt.timedelta(days=dpd), dt.time(9), TZ))
    db.session.commit()
    sweep_collections(db.session, rt, rt.clock.today())


def _restored(rt, instance_id: int) -> None:
    """Forget the live workflow; the next step deserializes the stored snapshot."""
    rt.cache.evict(instance_id)
    row = db.session.get(ProcessInstance, instance_id)
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    restored = bundle.serializer.deserialize_json(row.state)
    assert bundle.serializer.serialize_json(restored) == row.state


def _complete(rt, instance_id: int, name: str, actor: Actor, data: dict) -> None:
    _restored(rt, instance_id)
    task = db.session.scalar(
        sa.select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    )
    assert task.name == name
    complete_task(rt, db.session, task.id, actor, data)
    db.session.commit()


def test_the_ladder_to_a_write_off_round_trips_at_every_user_task(app):
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        cid = _customer()
        _day(rt, 1)
        instance_id = db.session.scalar(
            sa.select(ProcessInstance.id).where(ProcessInstance.business_key == str(cid))
        )
        for dpd, stage in [(7, "reminder_2"), (15, "call")]:
            _day(rt, dpd)
            assert collection_view(db.session, cid, rt.clock.today())["stage"] == stage
        _complete(rt, instance_id, "call_customer", COLLECTOR, {"outcome": "not_reached"})
        _day(rt, 30)
        _day(rt, 45)
        raise_dispute(
            db.session, rt, COLLECTOR, cid, {"invoice_number": "SCN-1", "reason": "damaged goods"}
        )
        db.session.commit()
        _complete(
            rt,
            instance_id,
            "resolve_dispute",
            COLLECTOR,
            {"resolution": "valid", "credit_note_amount": Decimal("800.00"), "comment": "2 cases"},
        )
        _complete(
            rt,
            instance_id,
            "send_demand_letter",
            COLLECTOR,
            {"sent_on": rt.clock.today(), "channel": "post"},
        )
        _day(rt, 60)
        _complete(rt, instance_id, "legal_review", LEGAL, {"decision": "write_off", "comment": ""})
        _complete(
            rt, instance_id, "approve_write_off_finance_director", DIRECTOR, {"decision": "approve"}
        )
        _complete(rt, instance_id, "approve_write_off_general_manager", GM, {"decision": "approve"})
        view = collection_view(db.session, cid, rt.clock.today())
        assert [h["stage"] for h in view["history"]] == [
            "reminder_1",
            "reminder_2",
            "call",
            "hold",
            "demand_letter",
            "paused_dispute",
            "demand_letter",
            "legal",
            "write_off",
            "closed",
        ]
        assert db.session.get(ProcessInstance, instance_id).status == "completed"
        assert view["escalation"]["outcome"] == "written_off"
