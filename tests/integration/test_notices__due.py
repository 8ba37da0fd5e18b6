"""Notices to the credit managers 30 and 7 days before a security expires or a review is due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from monitoring_setup import DAY0, limited_customer, set_day

from credit.customers import add_security
from credit.models import Customer
from engine.models import AuditEvent
from notifications.models import Notification
from web.extensions import db
from web.scheduling import run_sweeps


def notices(template):
    rows = db.session.execute(
        sa.select(Notification.recipient, Notification.subject).where(
            Notification.template == template, Notification.channel == "inapp"
        )
    )
    return sorted(rows)


def test_each_date_gets_a_30_and_a_7_day_notice_once(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(1)
        db.session.get(Customer, cid).review_due_on = DAY0 + dt.timedelta(days=30)
        add_security(
            db.session,
            dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
            "analyst1",
            cid,
            {
                "kind": "guarantee",
                "amount": Decimal("500000"),
                "expires_on": DAY0 + dt.timedelta(days=45),
            },
        )
        db.session.commit()
        run_sweeps(app)
        assert [r for r, _ in notices("review_due")] == ["manager1", "manager2"]
        assert notices("security_expiring") == []  # 45 days ahead: not yet
        run_sweeps(app)
        set_day(DAY0 + dt.timedelta(days=1))
        run_sweeps(app)
        assert len(notices("review_due")) == 2  # still the 30-day stage: sent once
        set_day(DAY0 + dt.timedelta(days=15))  # security 30 days ahead
        run_sweeps(app)
        assert len(notices("security_expiring")) == 2
        set_day(DAY0 + dt.timedelta(days=23))  # review 7 days ahead
        run_sweeps(app)
        assert len(notices("review_due")) == 4
        set_day(DAY0 + dt.timedelta(days=40))  # security 5 days ahead: the 7-day notice
        run_sweeps(app)
        assert len(notices("security_expiring")) == 4
        set_day(DAY0 + dt.timedelta(days=41))
        run_sweeps(app)
        assert len(notices("security_expiring")) == 4
        subjects = {s for _, s in notices("security_expiring")}
        assert any("5" in s for s in subjects)
        sent = db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "notice_sent")
        )
        assert sent == 4  # one audit event per notice, not per recipient
