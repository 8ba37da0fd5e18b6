"""Payments, promises (kept and broken) and disputes (valid and invalid) at each ladder stage."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from collection_flow import (
    START,
    book,
    collection,
    complete,
    late_invoice,
    money,
    new_customer,
    pay,
    stages,
    task_names,
    tick,
)

from web.extensions import db

# days past due on START that put a new escalation at each ladder stage
AT_STAGE = {
    "reminder_1": 1,
    "reminder_2": 7,
    "call": 15,
    "hold": 30,
    "demand_letter": 45,
    "legal": 60,
}
# one stage further, where a broken promise resumes (the ladder ends at legal)
BEYOND = {
    "reminder_1": "reminder_2",
    "reminder_2": "call",
    "call": "hold",
    "hold": "demand_letter",
    "demand_letter": "legal",
    "legal": "legal",
}
TASK_OF = {"call": "call_customer", "demand_letter": "send_demand_letter", "legal": "legal_review"}


def escalated(app, api, stage: str, amount: str = "5000.00"):
    cid, number = late_invoice(app, api, AT_STAGE[stage], amount)
    tick(api, START)
    assert collection(api, cid)["stage"] == stage
    return cid, number


def days(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@pytest.mark.parametrize("stage", list(AT_STAGE))
def test_a_payment_that_clears_the_overdue_ends_the_escalation(app, api, stage):
    cid, number = escalated(app, api, stage)
    assert pay(app, cid, number, "1000.00", START) is False  # partial: the ladder goes on
    assert collection(api, cid)["stage"] == stage
    assert pay(app, cid, number, "4000.00", START) is True
    view = collection(api, cid)
    assert (view["stage"], view["open_tasks"], view["on_hold"]) == ("closed", [], False)
    assert stages(view)[-1] == "closed"


@pytest.mark.parametrize("stage", ["hold", "demand_letter", "legal"])
def test_closing_lifts_only_the_hold_this_escalation_placed(app, api, stage):
    from credit import holds

    cid, number = escalated(app, api, stage)
    with app.app_context():
        holds.place_hold(db.session, START_NOW, "system", cid, "early_warning", "red level")
        db.session.commit()
    pay(app, cid, number, "5000.00", START)
    assert collection(api, cid)["stage"] == "closed"
    with app.app_context():
        (left,) = holds.active_holds(db.session, cid)
        assert left.source == "early_warning"
    assert collection(api, cid)["on_hold"] is True


START_NOW = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)


def promise(api, cid, amount, on: dt.date, user="collector1"):
    return api.post(
        user,
        f"/api/v1/customers/{cid}/promises",
        json={"amount": amount, "promise_date": on.isoformat()},
    )


@pytest.mark.parametrize("stage", list(AT_STAGE))
def test_a_kept_promise_pauses_the_ladder_and_the_payment_closes_it(app, api, stage):
    cid, number = escalated(app, api, stage)
    r = promise(api, cid, "5000.00", days(10))
    assert r.status_code == 201, r.get_json()
    view = r.get_json()
    assert (view["stage"], view["promise_to_pay_until"], view["open_tasks"]) == (
        "paused_promise",
        days(10).isoformat(),
        [],
    )
    tick(api, days(13))  # the promised date + 3 days: still paused
    assert collection(api, cid)["stage"] == "paused_promise"
    pay(app, cid, number, "5000.00", days(13))
    assert collection(api, cid)["stage"] == "closed"


@pytest.mark.parametrize("stage", list(AT_STAGE))
def test_a_broken_promise_resumes_one_stage_further(app, api, stage):
    cid, _ = escalated(app, api, stage)
    assert promise(api, cid, "5000.00", days(2)).status_code == 201
    tick(api, days(5))
    assert collection(api, cid)["stage"] == "paused_promise"
    tick(api, days(6))  # the end of promised date + 3 days has passed
    view = collection(api, cid)
    expected = BEYOND[stage]  # six more days past due never reach the stage after that
    assert view["stage"] == expected
    assert stages(view)[-3:] == [stage, "paused_promise", expected]
    if expected in TASK_OF:
        assert task_names(view) == [TASK_OF[expected]]


def test_a_promise_from_the_call_pauses_and_the_collectors_hear_when_it_is_broken(app, api):
    cid, _ = escalated(app, api, "call")
    r = complete(
        api,
        "collector1",
        cid,
        "call_customer",
        {
            "outcome": "promise_to_pay",
            "notes": "pays next week",
            "promise_amount": "5000.00",
            "promise_date": days(7).isoformat(),
        },
    )
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert (view["stage"], view["promise_to_pay_until"]) == ("paused_promise", days(7).isoformat())
    assert money(view["promise_amount"]) == money("5000.00")
    tick(api, days(11))
    assert collection(api, cid)["stage"] == "hold"
    r = api.get("collector1", "/api/v1/notifications?recipient=me")
    assert "collection_promise_broken" in [n["template"] for n in r.get_json()["items"]]


def test_a_new_promise_replaces_the_one_that_pauses(app, api):
    cid, _ = escalated(app, api, "reminder_2")
    promise(api, cid, "100.00", days(2))
    r = promise(api, cid, "5000.00", days(9))
    assert r.status_code == 201
    tick(api, days(12))
    assert collection(api, cid)["stage"] == "paused_promise"
    tick(api, days(13))
    assert collection(api, cid)["stage"] == "call"  # one beyond reminder_2 (20 days: call too)


def dispute(api, cid, number, user="collector1", reason="wrong quantity delivered"):
    return api.post(
        user,
        f"/api/v1/customers/{cid}/disputes",
        json={"invoice_number": number, "reason": reason},
    )


@pytest.mark.parametrize("stage", list(AT_STAGE))
def test_an_invalid_dispute_resumes_where_the_ladder_paused(app, api, stage):
    cid, number = escalated(app, api, stage)
    r = dispute(api, cid, number)
    assert r.status_code == 201, r.get_json()
    view = r.get_json()
    assert (view["stage"], task_names(view)) == ("paused_dispute", ["resolve_dispute"])
    tick(api, days(1))
    r = complete(
        api, "collector1", cid, "resolve_dispute", {"resolution": "invalid", "comment": "signed"}
    )
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert view["stage"] == stage
    assert task_names(view) == ([TASK_OF[stage]] if stage in TASK_OF else [])
    assert stages(view)[-2:] == ["paused_dispute", stage]


@pytest.mark.parametrize("stage", list(AT_STAGE))
def test_a_valid_dispute_issues_a_credit_note(app, api, stage):
    cid, number = escalated(app, api, stage)
    dispute(api, cid, number)
    r = complete(
        api,
        "collector1",
        cid,
        "resolve_dispute",
        {"resolution": "valid", "credit_note_amount": "1500.00", "comment": "short delivery"},
    )
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert money(view["overdue_amount"]) == money("3500.00")
    assert view["stage"] == stage
    with app.app_context():
        from credit.models import Adjustment

        (note,) = db.session.scalars(sa.select(Adjustment)).all()
        assert (note.kind, note.amount, note.created_by) == ("credit_note", 1500, "collector1")


def test_a_valid_dispute_of_everything_overdue_closes_the_escalation(app, api):
    cid, number = escalated(app, api, "hold")
    dispute(api, cid, number)
    complete(
        api,
        "collector1",
        cid,
        "resolve_dispute",
        {"resolution": "valid", "credit_note_amount": "5000.00", "comment": "not ours"},
    )
    view = collection(api, cid)
    assert (view["stage"], view["on_hold"]) == ("closed", False)


def test_a_dispute_from_the_call_is_about_the_oldest_overdue_invoice(app, api):
    cid, number = escalated(app, api, "call")
    book(app, cid, f"NEW-{cid}", "10.00", START - dt.timedelta(days=2))
    r = complete(api, "collector1", cid, "call_customer", {"outcome": "dispute", "notes": "price"})
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("paused_dispute", ["resolve_dispute"])
    with app.app_context():
        from credit.collection_models import CollectionCase
        from credit.models import Invoice

        case = db.session.scalar(sa.select(CollectionCase).where(CollectionCase.customer_id == cid))
        assert db.session.get(Invoice, case.dispute_invoice_id).number == number


def test_sales_may_raise_disputes_but_not_promises(app, api):
    cid, number = escalated(app, api, "reminder_1")
    assert promise(api, cid, "10.00", days(3), user="sales1").status_code == 403
    assert dispute(api, cid, number, user="sales1").status_code == 201
    assert dispute(api, cid, number).status_code == 409  # one dispute at a time
    assert promise(api, cid, "10.00", days(3)).status_code == 409  # paused for the dispute
    assert api.get("auditor1", f"/api/v1/customers/{cid}/collection").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "promise_date": "2026-03-05"}, "amount"),
        ({"amount": "10.001", "promise_date": "2026-03-05"}, "amount"),
        ({"amount": "NaN", "promise_date": "2026-03-05"}, "amount"),
        ({"amount": "10", "promise_date": "2026-03-01"}, "promise_date"),
        ({"amount": "10"}, "promise_date"),
    ],
)
def test_a_bad_promise_is_refused_naming_the_field(app, api, body, field):
    cid, _ = escalated(app, api, "reminder_1")
    r = api.post("collector1", f"/api/v1/customers/{cid}/promises", json=body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert collection(api, cid)["stage"] == "reminder_1"


def test_a_dispute_needs_an_open_invoice_of_the_customer_and_a_reason(app, api):
    cid, number = escalated(app, api, "reminder_1")
    other, other_number = late_invoice(app, api, 3)
    r = dispute(api, cid, other_number)
    assert (r.status_code, list(r.get_json()["errors"])) == (422, ["invoice_number"])
    r = api.post("collector1", f"/api/v1/customers/{cid}/disputes", json={"invoice_number": number})
    assert (r.status_code, list(r.get_json()["errors"])) == (422, ["reason"])
    r = dispute(api, cid, number, reason="   ")
    assert (r.status_code, list(r.get_json()["errors"])) == (422, ["reason"])


def test_without_a_running_escalation_promises_and_disputes_conflict(app, api):
    cid = new_customer(api)
    book(app, cid, f"NONE-{cid}", "10.00", START + dt.timedelta(days=5))
    assert promise(api, cid, "10.00", days(3)).status_code == 409
    assert dispute(api, cid, f"NONE-{cid}").status_code == 409
    assert promise(api, 999999, "10.00", days(3)).status_code == 404
    assert collection(api, cid)["stage"] == "none"
