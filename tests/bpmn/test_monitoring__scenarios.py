"""Scenarios of the shipped periodic_review and early_warning models through the engine.

At every user task the live-workflow cache is dropped, so each step restores the instance from
its stored snapshot: persistence round-trips at every wait state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from monitoring_setup import DAY0, limited_customer, report, set_day
from test_credit_application__scenario import _open_task, _restore_next

from credit.models import CreditReview, Customer, WarningChange
from credit.reviews import start_review
from engine.instances import Actor, complete_task
from engine.models import ProcessInstance
from web.extensions import db

ANALYST = Actor("analyst2", frozenset({"credit_analyst"}))
MANAGER = Actor("manager1", frozenset({"credit_manager"}))
MANAGER2 = Actor("manager2", frozenset({"credit_manager", "finance_director"}))
DIRECTOR = Actor("director1", frozenset({"finance_director"}))
GM = Actor("gm1", frozenset({"general_manager"}))
LEGAL = Actor("legal1", frozenset({"legal"}))


def _walk(rt, instance_id, steps):
    for name, actor, data in steps:
        _restore_next(rt, instance_id)
        task = _open_task(instance_id)
        assert task is not None and task.name == name, (name, task and task.name)
        complete_task(rt, db.session, task.id, actor, data)
        db.session.commit()
    return db.session.get(ProcessInstance, instance_id)


def test_periodic_review_with_a_return_and_three_tiers_round_trips(app):
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        set_day(DAY0)
        cid = limited_customer(1, limit="1000000", grade="A")
        review = start_review(db.session, rt, cid, "manual", "manager1", "scenario")
        db.session.commit()
        increase = {
            "recommendation": "increase",
            "proposed_limit": "2500000",
            "qualitative_rating": 5,
            "override_grade": "B",
            "override_reason": "group guarantee",
        }
        row = _walk(
            rt,
            review.process_instance_id,
            [
                ("review_customer", ANALYST, increase),
                ("approve_credit_manager", MANAGER, {"decision": "return", "comment": "proof?"}),
                ("review_customer", ANALYST, {**increase, "comment": "guarantee attached"}),
                ("approve_credit_manager", MANAGER2, {"decision": "approve", "comment": ""}),
                ("approve_finance_director", DIRECTOR, {"decision": "approve", "comment": ""}),
                ("approve_general_manager", GM, {"decision": "approve", "comment": "ok"}),
            ],
        )
        assert row.status == "completed"
        review = db.session.get(CreditReview, review.id)
        assert (review.outcome, review.grade, review.approved_limit) == (
            "increase",
            "B",
            Decimal("2500000.00"),
        )
        customer = db.session.get(Customer, cid)
        assert customer.credit_limit == Decimal("2500000.00")
        assert customer.review_due_on == dt.date(2026, 9, 2)  # grade B: 6 months


def test_early_warning_red_round_trips_through_the_legal_review(app):
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        set_day(DAY0)
        cid = limited_customer(2)
        # An enforcement flag with nothing overdue: the warning's own legal review (with an
        # overdue invoice the collection escalation's legal review would stand for it).
        report(cid, 70, DAY0 - dt.timedelta(days=10), enforcement=True)
        db.session.commit()
        change = db.session.scalar(sa.select(WarningChange).where(WarningChange.customer_id == cid))
        row = _walk(
            rt,
            change.process_instance_id,
            [("legal_review", LEGAL, {"decision": "settle", "comment": "instalments agreed"})],
        )
        assert row.status == "completed"
        db.session.refresh(change)
        assert change.legal_decision == "settle"
