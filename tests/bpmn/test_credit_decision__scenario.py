"""Scenario of the shipped credit_decision model through the engine's public API.

At every user task the live-workflow cache is dropped and the stored snapshot restored, so each
step runs from persisted state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from credit.check_models import CreditRelease, ReleaseVote
from credit.credit_check import check_credit
from credit.models import Customer
from engine.instances import Actor, complete_task
from engine.models import HumanTask, ProcessInstance
from web.extensions import db

ERP = Actor("erp1", frozenset({"integration"}))
MANAGER = Actor("manager1", frozenset({"credit_manager"}))
DIRECTOR = Actor("director1", frozenset({"finance_director"}))
GM = Actor("gm1", frozenset({"general_manager"}))
RATES = {"CNY": "1"}


@pytest.fixture
def customer(app):
    with app.app_context():
        c = Customer(
            name="放行客户",
            uscc="91310000MA1FL8XQ30",
            grade="B",
            credit_limit=Decimal("1000000"),
            contacts=[],
            created_at=dt.datetime(2026, 1, 1),
        )
        db.session.add(c)
        db.session.commit()
        return c.id


def _restore_next(rt, instance_id: int) -> HumanTask:
    """Forget the live workflow; the next step deserializes the stored snapshot."""
    rt.cache.evict(instance_id)
    row = db.session.get(ProcessInstance, instance_id)
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    restored = bundle.serializer.deserialize_json(row.state)
    assert bundle.serializer.serialize_json(restored) == row.state
    return db.session.scalar(
        sa.select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    )


def _blocked(app, customer, amount, order_ref):
    rt = app.extensions["creditflow.runtime"]
    values = {
        "customer_id": customer,
        "amount": Decimal(amount),
        "order_ref": order_ref,
        "request_release": True,
    }
    result = check_credit(db.session, rt, ERP, values, RATES)
    db.session.commit()
    assert result.decision == "block"
    return rt, result.credit_decision_instance_id


def test_three_tiers_round_trip_and_the_last_decision_applies(app, customer):
    with app.app_context():
        rt, instance_id = _blocked(app, customer, "3500000", "SO-3T")  # excess 2.5M: 3 tiers
        steps = [
            ("credit_manager", MANAGER, {"decision": "release_once", "reason": "key account"}),
            ("finance_director", DIRECTOR, {"decision": "release_once", "reason": "agreed"}),
            (
                "general_manager",
                GM,
                {
                    "decision": "temporary_limit",
                    "reason": "season",
                    "temporary_limit": Decimal("2500000"),
                    "valid_until": dt.date(2099, 1, 31),
                },
            ),
        ]
        for group, actor, data in steps:
            task = _restore_next(rt, instance_id)
            assert (task.name, task.candidate_groups, task.business_key) == (
                "credit_decision",
                [group],
                "SO-3T",
            )
            complete_task(rt, db.session, task.id, actor, data)
            db.session.commit()
        assert db.session.get(ProcessInstance, instance_id).status == "completed"
        votes = db.session.scalars(sa.select(ReleaseVote).order_by(ReleaseVote.id)).all()
        assert [(v.tier, v.user) for v in votes] == [
            ("credit_manager", "manager1"),
            ("finance_director", "director1"),
            ("general_manager", "gm1"),
        ]
        release = db.session.scalar(sa.select(CreditRelease))
        assert (release.kind, release.amount_cny, release.decided_by) == (
            "temporary_limit",
            Decimal("2500000.00"),
            "gm1",
        )


def test_a_reject_at_the_first_tier_ends_the_decision(app, customer):
    with app.app_context():
        rt, instance_id = _blocked(app, customer, "3500000", "SO-RJ")
        task = _restore_next(rt, instance_id)
        complete_task(rt, db.session, task.id, MANAGER, {"decision": "reject", "reason": "no"})
        db.session.commit()
        assert db.session.get(ProcessInstance, instance_id).status == "completed"
        release = db.session.scalar(sa.select(CreditRelease))
        assert (release.kind, release.reason) == ("reject", "no")
