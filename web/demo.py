"""Demo data: the users of the API spec, their groups, and a few customers."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import sqlalchemy as sa

from engine.models import Group, User
from web.auth import hash_password
from web.extensions import db

GROUPS = {
    "sales": ("Sales", "销售", None),
    "credit_analyst": ("Credit analysts", "信用分析师", "credit_manager"),
    "credit_manager": ("Credit managers", "信用经理", "finance_director"),
    "finance_director": ("Finance directors", "财务总监", "general_manager"),
    "general_manager": ("General managers", "总经理", "general_manager"),
    "collector": ("Collectors", "催收专员", "credit_manager"),
    "legal": ("Legal", "法务", "general_manager"),
    "process_designer": ("Process designers", "流程设计", None),
    "auditor": ("Auditors", "审计", None),
    "admin": ("Administrators", "管理员", None),
    "integration": ("Integrations (ERP)", "系统集成", None),
}

USERS = {
    "sales1": ["sales"],
    "sales2": ["sales"],
    "analyst1": ["credit_analyst"],
    "analyst2": ["credit_analyst"],
    "manager1": ["credit_manager"],
    "manager2": ["credit_manager", "finance_director"],
    "director1": ["finance_director"],
    "gm1": ["general_manager"],
    "collector1": ["collector"],
    "legal1": ["legal"],
    "designer1": ["process_designer"],
    "auditor1": ["auditor"],
    "admin": ["admin"],
    "erp1": ["integration"],
}


def seed_users(password: str = "demo") -> int:
    """Create the demo groups and users that do not exist yet; return how many users were added."""
    for name, (en, zh, supervisor) in GROUPS.items():
        if db.session.get(Group, name) is None:
            db.session.add(Group(name=name, title_en=en, title_zh=zh, supervisor=supervisor))
    db.session.flush()
    added = 0
    hashed = None
    for username, groups in USERS.items():
        if db.session.scalar(sa.select(User).where(User.username == username)):
            continue
        hashed = hashed or hash_password(password)
        db.session.add(
            User(
                username=username,
                password_hash=hashed,
                email=f"{username}@example.com",
                display_name=username,
                language="zh",
                groups=[db.session.get(Group, g) for g in groups],
            )
        )
        added += 1
    db.session.commit()
    return added


def load_demo() -> Iterator[str]:
    """Load demo users and customers; running it twice changes nothing."""
    yield f"users added: {seed_users()}"
    from flask import current_app

    from credit.demo import seed_customers
    from web.runtime_access import runtime

    added = seed_customers(db.session, runtime(), current_app.config["CREDITFLOW"].fx_rates)
    db.session.commit()
    yield f"customers added: {added}"
    yield f"applications added: {seed_applications()}"
    # Today's sweeps, as the scheduler runs them when it starts: customers with overdue demo
    # invoices enter the dunning ladder, warnings are evaluated (nothing runs twice on a day).
    from web.scheduling import run_sweeps

    swept = run_sweeps(current_app._get_current_object(), scheduled=True)
    started = (swept.get("collections") or {}).get("started", 0)
    yield f"collection escalations started: {started}"


def seed_applications() -> int:
    """Two demo applications through the real engine: one approved, one awaiting assessment.

    Idempotent: nothing is added once any application exists.
    """
    from flask import current_app

    from credit.applications import file_application
    from credit.models import CreditApplication, Customer
    from engine.instances import Actor, complete_task
    from engine.models import HumanTask
    from web.runtime_access import runtime

    if db.session.scalar(sa.select(CreditApplication.id).limit(1)) is not None:
        return 0
    customers = db.session.scalars(sa.select(Customer).order_by(Customer.id).limit(2)).all()
    if len(customers) < 2:
        return 0
    rt, rates = runtime(), current_app.config["CREDITFLOW"].fx_rates
    sales = Actor("sales1", frozenset({"sales"}))

    def request(customer: Customer, limit: str) -> dict:
        return {
            "customer_id": customer.id,
            "requested_limit": Decimal(limit),
            "currency": "CNY",
            "requested_terms_days": 45,
            "expected_monthly_purchases": Decimal("900000"),
            "reason": "demo",
        }

    approved = file_application(db.session, rt, sales, request(customers[0], "400000"), rates)
    db.session.commit()
    steps = [
        (
            Actor("analyst1", frozenset({"credit_analyst"})),
            {"years_in_business": 8, "qualitative_rating": 3, "comment": "site visit done"},
        ),
        (
            Actor("manager1", frozenset({"credit_manager"})),
            {"decision": "approve", "comment": "within policy"},
        ),
    ]
    for actor, data in steps:
        task_id = db.session.scalar(
            sa.select(HumanTask.id).where(
                HumanTask.instance_id == approved.process_instance_id, HumanTask.status == "open"
            )
        )
        complete_task(rt, db.session, task_id, actor, data)
        db.session.commit()
    file_application(db.session, rt, sales, request(customers[1], "2500000"), rates)
    db.session.commit()
    return 2
