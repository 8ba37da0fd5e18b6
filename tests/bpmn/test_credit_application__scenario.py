"""Scenario of the shipped credit_application model through the engine's public API.

At every user task the live-workflow cache is dropped, so each step restores the instance from
its stored snapshot: persistence round-trips at every wait state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from credit.applications import file_application
from credit.models import CreditApplication, CreditReport, Customer, FinancialStatement
from engine.instances import Actor, complete_task
from engine.models import HumanTask, ProcessInstance
from web.extensions import db

SALES = Actor("sales1", frozenset({"sales"}))
ANALYST = Actor("analyst1", frozenset({"credit_analyst"}))
MANAGER = Actor("manager1", frozenset({"credit_manager"}))
DIRECTOR = Actor("director1", frozenset({"finance_director"}))
GM = Actor("gm1", frozenset({"general_manager"}))


@pytest.fixture
def customer(app):
    with app.app_context():
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        c = Customer(
            name="场景客户",
            uscc="91310000MA1FL8XQ30",
            industry_risk="low",
            founded_on=dt.date(2005, 1, 1),
            contacts=[],
            created_at=now,
        )
        db.session.add(c)
        db.session.flush()
        db.session.add(
            FinancialStatement(
                customer_id=c.id,
                period_end=dt.date(2025, 12, 31),
                created_at=now,
                current_assets=Decimal("20000000"),
                current_liabilities=Decimal("8000000"),
                inventory=Decimal("2000000"),
                total_assets=Decimal("40000000"),
                total_liabilities=Decimal("12000000"),
                equity=Decimal("28000000"),
                revenue=Decimal("50000000"),
                net_profit=Decimal("6000000"),
                ebit=Decimal("8000000"),
                interest_expense=Decimal("500000"),
                retained_earnings=Decimal("15000000"),
            )
        )
        db.session.add(
            CreditReport(
                customer_id=c.id,
                bureau="PBOC",
                score=90,
                report_date=dt.date(2026, 1, 1),
                created_at=now,
            )
        )
        db.session.commit()
        return c.id


def _open_task(instance_id: int) -> HumanTask:
    return db.session.scalar(
        sa.select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    )


def _restore_next(rt, instance_id: int) -> None:
    """Forget the live workflow so the next step deserializes the stored snapshot."""
    rt.cache.evict(instance_id)
    row = db.session.get(ProcessInstance, instance_id)
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    restored = bundle.serializer.deserialize_json(row.state)
    assert bundle.serializer.serialize_json(restored) == row.state


def test_three_tier_application_round_trips_at_every_user_task(app, customer):
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        application = file_application(
            db.session,
            rt,
            SALES,
            {
                "customer_id": customer,
                "requested_limit": Decimal("3000000"),
                "currency": "CNY",
                "requested_terms_days": 90,
                "expected_monthly_purchases": Decimal("2000000"),
            },
            app.config["CREDITFLOW"].fx_rates,
        )
        db.session.commit()
        instance_id = application.process_instance_id
        steps = [
            ("assess_customer", ANALYST, {"years_in_business": 21, "qualitative_rating": 5}),
            ("approve_credit_manager", MANAGER, {"decision": "approve", "comment": ""}),
            ("approve_finance_director", DIRECTOR, {"decision": "approve", "comment": ""}),
            ("approve_general_manager", GM, {"decision": "approve", "comment": "ok"}),
        ]
        for name, actor, data in steps:
            _restore_next(rt, instance_id)
            task = _open_task(instance_id)
            assert task.name == name
            complete_task(rt, db.session, task.id, actor, data)
            db.session.commit()
        row = db.session.get(ProcessInstance, instance_id)
        assert row.status == "completed"
        application = db.session.get(CreditApplication, application.id)
        assert application.status == "approved" and application.grade == "A"
        customer_row = db.session.get(Customer, customer)
        assert customer_row.credit_limit == Decimal("3000000")
        assert customer_row.payment_terms_days == 60
