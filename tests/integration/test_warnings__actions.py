"""Each level's actions run once per rise, through the engine, in the event's transaction."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from ledger_setup import book, pay
from monitoring_setup import (
    DAY0,
    changes,
    codes,
    inapp,
    instances,
    level,
    limited_customer,
    open_tasks,
    report,
    set_day,
)

from credit.models import CreditHold, CreditReview, Customer
from credit.monitoring_models import CustomerWarning
from credit.payments import reverse_payment
from engine.actor import Actor
from engine.instances import claim_task, complete_task
from web.extensions import db

MANAGERS = ["manager1", "manager2"]


def days_before(n: int) -> dt.date:
    return DAY0 - dt.timedelta(days=n)


def overdue(cid, number, days, amount="1000"):
    """Book an invoice that is `days` past due today."""
    due = days_before(days)
    return book(cid, number, amount, due - dt.timedelta(days=30), due)


def test_blue_tells_the_sales_rep_once_per_rise(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(1)
        book(cid, "B-1", "850000", DAY0, DAY0 + dt.timedelta(days=30))
        db.session.commit()
        assert (level(cid), codes(cid)) == ("blue", ["UTILIZATION_80"])
        assert inapp("warning_raised") == ["sales1"]
        book(cid, "B-2", "1000", DAY0, DAY0 + dt.timedelta(days=30))
        db.session.commit()
        assert level(cid) == "blue"
        assert inapp("warning_raised") == ["sales1"]  # the same level does not act again
        assert len(instances("early_warning", cid)) == 1
        assert db.session.get(Customer, cid).warning_level == "blue"


def test_a_customer_with_a_limit_carries_the_level_none_until_a_signal_shows(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(8)
        book(cid, "N-1", "1000", DAY0, DAY0 + dt.timedelta(days=30))
        db.session.commit()
        assert (level(cid), db.session.get(Customer, cid).warning_level) == ("none", "none")


def test_yellow_tells_the_credit_managers(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(2)
        overdue(cid, "Y-1", 45)
        db.session.commit()
        assert (level(cid), codes(cid)) == ("yellow", ["OVERDUE_30", "OVERDUE_1"])
        assert inapp("warning_raised") == sorted(["sales1", *MANAGERS])
        assert changes(cid) == [("none", "yellow", ["blue", "yellow"])]


def test_orange_starts_a_periodic_review_unless_one_runs(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(3)
        overdue(cid, "O-1", 65)
        db.session.commit()
        assert level(cid) == "orange"
        review = db.session.scalar(sa.select(CreditReview).where(CreditReview.customer_id == cid))
        assert (review.trigger, review.status) == ("warning", "running")
        assert len(open_tasks("review_customer", cid)) == 1
        # Falling and rising again to orange runs the actions again, but a review is running.
        pay(cid, "O-1", "1000", DAY0)
        db.session.commit()
        assert level(cid) == "none"
        overdue(cid, "O-2", 61)
        db.session.commit()
        assert level(cid) == "orange"
        assert len(instances("early_warning", cid)) == 2
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(CreditReview.customer_id == cid))
            == 1
        )


def test_red_holds_the_customer_and_opens_a_legal_review(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(4)
        report(cid, 70, days_before(10), enforcement=True)
        db.session.commit()
        assert level(cid) == "red"
        assert "ENFORCEMENT_FLAG" in codes(cid)
        hold = db.session.scalar(sa.select(CreditHold).where(CreditHold.customer_id == cid))
        assert (hold.source, hold.lifted_at) == ("early_warning", None)
        assert db.session.get(Customer, cid).on_hold
        [task] = open_tasks("legal_review", cid)
        assert task.candidate_groups == ["legal"]
        rt = app.extensions["creditflow.runtime"]
        legal = Actor("legal1", frozenset({"legal"}))
        claim_task(rt, db.session, task.id, legal)
        complete_task(rt, db.session, task.id, legal, {"decision": "sue", "comment": "court"})
        db.session.commit()
        [instance] = instances("early_warning", cid)
        assert instance.status == "completed"
        assert instances("collection_escalation", cid) == []  # nothing is overdue


def test_a_rise_of_several_levels_runs_each_levels_actions(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(5)
        overdue(cid, "R-1", 95)
        db.session.commit()
        assert changes(cid) == [("none", "red", ["blue", "yellow", "orange", "red"])]
        assert inapp("warning_raised") == sorted(["sales1", *MANAGERS])
        assert (
            db.session.scalar(
                sa.select(CreditReview.trigger).where(CreditReview.customer_id == cid)
            )
            == "warning"
        )
        assert db.session.get(Customer, cid).on_hold
        assert len(open_tasks("legal_review", cid)) == 1
        # Red with an overdue invoice starts the collection escalation, once.
        [escalation] = instances("collection_escalation", cid)
        assert escalation.status == "waiting"  # on its legal review


def test_a_fall_runs_nothing_and_a_new_rise_acts_again(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(6)
        overdue(cid, "F-1", 5)
        db.session.commit()
        assert level(cid) == "blue"
        payment = pay(cid, "F-1", "1000", DAY0, reference="F-1-PAY").payment
        db.session.commit()
        assert level(cid) == "none"
        reverse_payment(
            db.session, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), DAY0, "erp1", payment.id, "bounced"
        )
        db.session.commit()
        # The invoice reopens (blue again) and the bounce is an orange signal.
        assert level(cid) == "orange"
        assert codes(cid) == ["PAYMENT_BOUNCED", "OVERDUE_1"]
        assert changes(cid) == [
            ("none", "blue", ["blue"]),
            ("blue", "none", []),
            ("none", "orange", ["blue", "yellow", "orange"]),
        ]
        assert inapp("warning_raised").count("sales1") == 2


def test_the_daily_sweep_finds_what_time_alone_changed(app):
    from web.scheduling import run_sweeps

    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(7)
        overdue(cid, "S-1", 0)
        db.session.commit()
        assert level(cid) == "none"
        set_day(DAY0 + dt.timedelta(days=31))
        result = run_sweeps(app)
        assert result["early_warning"]["rose"] >= 1
        assert (level(cid), codes(cid)) == ("yellow", ["OVERDUE_30", "OVERDUE_1"])
        again = run_sweeps(app)  # the same day: the sweep does not run twice
        assert again["early_warning"] == {"evaluated": 0, "rose": 0}


def test_the_days_past_due_signal_names_the_first_invoice_of_the_oldest_open_due_day(app):
    with app.app_context():
        set_day(DAY0)
        cid = limited_customer(9)
        paid = overdue(cid, "D-0", 80)  # older, but paid: not open
        pay(cid, paid.number, "1000", DAY0)
        overdue(cid, "D-9", 40)
        overdue(cid, "D-3", 50)
        overdue(cid, "D-5", 50)  # the same day as D-3: the smaller number is named
        overdue(cid, "D-1", 20)
        db.session.commit()
        row = db.session.get(CustomerWarning, cid)
        signal = next(s for s in row.signals if s["code"] == "OVERDUE_30")
        assert signal["values"]["invoice"] == "D-3"
        assert signal["values"]["due_on"] == days_before(50).isoformat()
