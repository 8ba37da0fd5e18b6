"""A blocked order becomes a credit_decision: release once (consumed exactly once), temporary
limit, reject; routed up the approval matrix by the excess; audited; the sales rep is told."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from ledger_setup import NOW, RATES, customer_row

from credit.models import CreditApplication
from engine.actor import Actor
from engine.models import AuditEvent
from web.extensions import db

CHECK = "/api/v1/credit-check"


@pytest.fixture(autouse=True)
def clock(api):
    api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})


def customer(app, limit="1000000", grade="B", rep="sales2"):
    with app.app_context():
        cid = customer_row(next(_serial), limit=limit, grade=grade)
        db.session.add(
            CreditApplication(
                customer_id=cid,
                requested_limit=Decimal(limit),
                requested_terms_days=30,
                expected_monthly_purchases=Decimal(0),
                status="approved",
                applicant=rep,
                created_at=NOW.replace(tzinfo=None),
            )
        )
        db.session.commit()
        return cid


_serial = iter(range(100, 10_000))


def check(api, cid, amount, order_ref, **extra):
    body = {"customer_id": cid, "amount": str(amount), "order_ref": order_ref, **extra}
    r = api.post("erp1", CHECK, json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def decision_task(api, user, order_ref):
    items = api.get(user, "/api/v1/tasks?scope=candidate&status=open").get_json()["items"]
    found = [t for t in items if t["name"] == "credit_decision" and t["business_key"] == order_ref]
    return found[0] if found else None


def decide(api, user, order_ref, status=200, **data):
    task = decision_task(api, user, order_ref)
    assert task is not None, f"{user} sees no credit_decision for {order_ref}"
    r = api.post(user, f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert r.status_code == status, r.get_json()
    return task


def test_release_once_lets_the_next_check_pass_once(api, app):
    cid = customer(app)
    blocked = check(api, cid, "1060000", "SO-1", request_release=True)
    assert (blocked["decision"], blocked["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    instance_id = blocked["credit_decision_instance_id"]
    again = check(api, cid, "1060000", "SO-1", request_release=True)
    assert again["credit_decision_instance_id"] == instance_id  # one decision per order
    task = decision_task(api, "manager1", "SO-1")
    assert task["candidate_groups"] == ["credit_manager"]
    assert task["process_instance_id"] == instance_id
    decide(api, "manager1", "SO-1", status=422, decision="release_once", reason=" ")
    decide(api, "manager1", "SO-1", decision="release_once", reason="year-end stock, pays on time")
    status = api.get("admin", f"/api/v1/process-instances/{instance_id}").get_json()["status"]
    assert status == "completed"
    assert check(api, cid, "1060001", "SO-1")["decision"] == "block"  # above the released amount
    passed = check(api, cid, "1055000", "SO-1")
    assert (passed["decision"], passed["reasons"]) == ("approve", ["RELEASED"])
    assert passed["exposure"] == "1055000.00"
    assert check(api, cid, "1055000", "SO-1")["decision"] == "block"  # used up
    assert check(api, cid, "1000", "SO-OTHER")["decision"] == "block"  # only that order


def test_a_temporary_limit_raises_the_limit_until_its_date(api, app):
    cid = customer(app)
    check(api, cid, "1200000", "SO-T", request_release=True)
    decide(
        api,
        "manager1",
        "SO-T",
        decision="temporary_limit",
        reason="seasonal peak",
        temporary_limit="300000",
        valid_until="2026-03-31",
    )
    body = check(api, cid, "1200000", "SO-T")
    assert (body["decision"], body["limit"]) == ("approve", "1300000.00")
    api.put("admin", "/api/v1/admin/clock", json={"now": "2026-04-01T09:00:00+08:00"})
    assert check(api, cid, "1", "SO-U")["limit"] == "1000000.00"


def test_a_temporary_limit_needs_an_amount_and_a_date(api, app):
    cid = customer(app)
    check(api, cid, "1200000", "SO-T2", request_release=True)
    decide(api, "manager1", "SO-T2", 422, decision="temporary_limit", reason="x")
    decide(
        api,
        "manager1",
        "SO-T2",
        422,
        decision="temporary_limit",
        reason="x",
        temporary_limit="1000",
        valid_until="2026-03-01",
    )


def test_a_rejection_grants_nothing_and_tells_the_sales_rep(api, app):
    cid = customer(app, rep="sales2")
    instance_id = check(api, cid, "1200000", "SO-R", request_release=True)[
        "credit_decision_instance_id"
    ]
    decide(api, "manager1", "SO-R", decision="reject", reason="two invoices disputed")
    assert check(api, cid, "1200000", "SO-R")["decision"] == "block"
    notes = api.get(
        "sales2", f"/api/v1/notifications?recipient=me&process_instance_id={instance_id}"
    )
    items = notes.get_json()["items"]
    assert {(n["template"], n["channel"]) for n in items} == {
        ("credit_decision_reject", "inapp"),
        ("credit_decision_reject", "email"),
    }
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.instance_id == instance_id)
        ).all()
    assert "credit_decision_vote" in actions and "credit_decision_made" in actions


def test_a_large_excess_goes_up_the_matrix_and_each_tier_is_another_person(api, app):
    cid = customer(app, grade="B")  # excess 1,000,000: credit manager -> finance director
    check(api, cid, "2000000", "SO-BIG", request_release=True)
    decide(api, "manager2", "SO-BIG", decision="release_once", reason="key account")
    assert decision_task(api, "manager2", "SO-BIG") is None  # four-eyes: decided a tier already
    task = decision_task(api, "director1", "SO-BIG")
    r = api.post("manager2", f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert r.status_code == 403
    assert task["candidate_groups"] == ["finance_director"]
    assert check(api, cid, "2000000", "SO-BIG")["decision"] == "block"  # not released yet
    decide(api, "director1", "SO-BIG", decision="release_once", reason="agreed")
    assert check(api, cid, "2000000", "SO-BIG")["reasons"] == ["RELEASED"]


def test_a_non_blocked_or_unreferenced_check_starts_nothing(api, app):
    cid = customer(app)
    body = check(api, cid, "1000", "SO-OK", request_release=True)
    assert body["decision"] == "approve"
    assert "credit_decision_instance_id" not in body


@pytest.mark.postgres
def test_concurrent_checks_consume_a_release_exactly_once(api, app, database_url):
    from credit.credit_check import check_credit

    cid = customer(app)
    check(api, cid, "1500000", "SO-C", request_release=True)
    decide(api, "manager1", "SO-C", decision="release_once", reason="ok")
    rt = app.extensions["creditflow.runtime"]
    start, results = threading.Barrier(4), []

    def run() -> None:
        start.wait()
        with app.app_context():
            values = {"customer_id": cid, "amount": Decimal("1500000"), "order_ref": "SO-C"}
            result = check_credit(db.session, rt, Actor("erp1"), values, RATES)
            db.session.commit()
            results.append(result.reasons)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [["LIMIT_EXCEEDED"]] * 3 + [["RELEASED"]]


def test_the_decision_services_run_only_in_their_process(app):
    from credit.decision_tasks import load_release_request
    from engine.errors import Forbidden
    from engine.services import StepContext

    with app.app_context():
        ctx = StepContext(
            session=db.session,
            now=NOW,
            today=dt.date(2026, 3, 2),
            instance_id=1,
            process_key="credit_application",
            business_key="SO-1",
            subject=None,
            actor="designer1",
            decide=lambda *_: {},
        )
        with pytest.raises(Forbidden):
            load_release_request(ctx, {"check_id": 1})
