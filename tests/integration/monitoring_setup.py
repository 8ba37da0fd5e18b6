"""Customers with a limit, a sales rep and ledger entries, for the monitoring tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from ledger_setup import customer_row

from credit.models import CreditApplication, CustomerWarning, WarningChange
from engine.models import HumanTask, ProcessInstance
from notifications.models import Notification
from web.clock import write_test_clock
from web.extensions import db

DAY0 = dt.date(2026, 3, 2)
ZONE = dt.timezone(dt.timedelta(hours=8))


def set_day(day: dt.date, hour: int = 9) -> None:
    """Move the test clock to a day (09:00 in Shanghai) and commit."""
    write_test_clock(dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZONE))
    db.session.commit()


def limited_customer(n: int, limit: str = "1000000", grade: str = "B", rep: str = "sales1"):
    """A customer with an active limit whose latest application was filed by `rep`."""
    cid = customer_row(
        n, limit=limit, grade=grade, payment_terms_days=45, review_due_on=DAY0.replace(year=2027)
    )
    db.session.add(
        CreditApplication(
            customer_id=cid,
            requested_limit=Decimal(limit),
            requested_terms_days=45,
            expected_monthly_purchases=Decimal(limit),
            status="approved",
            applicant=rep,
            analyst="analyst1",
            grade=grade,
            score=Decimal(75),
            reason_codes=[],
            assessment={},
            approved_limit=Decimal(limit),
            decided_at=dt.datetime(2025, 12, 1),
            created_at=dt.datetime(2025, 11, 20),
        )
    )
    db.session.commit()
    return cid


def report(cid: int, score: int, on: dt.date, enforcement: bool = False) -> None:
    """Record a credit report through the customers service (an early-warning event)."""
    from credit.customers import add_credit_report

    add_credit_report(
        db.session,
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        "analyst1",
        cid,
        {"bureau": "PBOC", "score": score, "report_date": on, "enforcement_flag": enforcement},
    )


def level(cid: int) -> str:
    row = db.session.get(CustomerWarning, cid)
    db.session.refresh(row) if row is not None else None
    return row.level if row is not None else "none"


def codes(cid: int) -> list[str]:
    row = db.session.get(CustomerWarning, cid)
    db.session.refresh(row)
    return [s["code"] for s in row.signals]


def changes(cid: int) -> list[tuple[str, str, list[str]]]:
    rows = db.session.scalars(
        sa.select(WarningChange).where(WarningChange.customer_id == cid).order_by(WarningChange.id)
    )
    return [(c.from_level, c.to_level, list(c.levels_passed)) for c in rows]


def instances(key: str, cid: int) -> list[ProcessInstance]:
    return list(
        db.session.scalars(
            sa.select(ProcessInstance)
            .where(ProcessInstance.process_key == key, ProcessInstance.business_key == str(cid))
            .order_by(ProcessInstance.id)
        )
    )


def open_tasks(name: str, cid: int) -> list[HumanTask]:
    return list(
        db.session.scalars(
            sa.select(HumanTask).where(
                HumanTask.name == name,
                HumanTask.business_key == str(cid),
                HumanTask.status.in_(("open", "claimed")),
            )
        )
    )


def inapp(template: str) -> list[str]:
    """Recipients of in-app notifications of a template, sorted."""
    return sorted(
        db.session.scalars(
            sa.select(Notification.recipient).where(
                Notification.template == template, Notification.channel == "inapp"
            )
        )
    )
