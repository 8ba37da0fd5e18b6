"""The dunning ladder walked with the test clock: each stage, sweep, reminders, hold, letter."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from collection_flow import (
    CONTACTS,
    START,
    book,
    collection,
    complete,
    late_invoice,
    money,
    new_customer,
    stages,
    task_names,
    tick,
)
from pypdf import PdfReader

from web.extensions import db

DUE = START - dt.timedelta(days=1)  # one day past due on START


def on(days_past_due: int) -> dt.date:
    return DUE + dt.timedelta(days=days_past_due)


def test_every_stage_of_the_ladder_with_the_test_clock(app, api):
    cid = new_customer(api)
    book(app, cid, "L-1", "12000.00", DUE)
    assert collection(api, cid)["stage"] == "none"

    tick(api, on(1))
    view = collection(api, cid)
    assert (view["stage"], view["days_past_due"], money(view["overdue_amount"])) == (
        "reminder_1",
        1,
        money("12000.00"),
    )
    tick(api, on(6))
    assert collection(api, cid)["stage"] == "reminder_1"
    tick(api, on(7))
    assert collection(api, cid)["stage"] == "reminder_2"
    tick(api, on(15))
    view = collection(api, cid)
    assert (view["stage"], task_names(view), view["on_hold"]) == ("call", ["call_customer"], False)
    r = complete(api, "collector1", cid, "call_customer", {"outcome": "reached", "notes": "CFO"})
    assert r.status_code == 200, r.get_json()
    tick(api, on(30))
    view = collection(api, cid)
    assert (view["stage"], task_names(view), view["on_hold"]) == ("hold", [], True)
    tick(api, on(45))
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("demand_letter", ["send_demand_letter"])
    r = complete(
        api,
        "collector1",
        cid,
        "send_demand_letter",
        {"sent_on": on(45).isoformat(), "channel": "courier"},
    )
    assert r.status_code == 200, r.get_json()
    tick(api, on(60))
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("legal", ["legal_review"])
    r = complete(api, "legal1", cid, "legal_review", {"decision": "write_off", "comment": "gone"})
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == (
        "write_off",
        ["approve_write_off_finance_director"],
    )
    tick(api, on(62))
    assert (
        complete(
            api, "director1", cid, "approve_write_off_finance_director", {"decision": "approve"}
        ).status_code
        == 200
    )
    tick(api, on(63))
    assert (
        complete(
            api, "gm1", cid, "approve_write_off_general_manager", {"decision": "approve"}
        ).status_code
        == 200
    )

    view = collection(api, cid)
    assert view["stage"] == "closed"
    assert money(view["overdue_amount"]) == 0
    assert view["on_hold"] is True  # a written-off customer stays on hold
    assert stages(view) == [
        "reminder_1",
        "reminder_2",
        "call",
        "hold",
        "demand_letter",
        "legal",
        "write_off",
        "closed",
    ]
    with app.app_context():
        from credit.models import Adjustment, Invoice

        invoice = db.session.scalar(sa.select(Invoice).where(Invoice.number == "L-1"))
        entry = db.session.scalar(sa.select(Adjustment).where(Adjustment.invoice_id == invoice.id))
        assert (invoice.status, invoice.open_amount) == ("written_off", 0)
        assert (entry.kind, entry.amount, entry.dated_on) == ("write_off", 12000, on(63))
        assert entry.created_by == "gm1"


def test_a_task_left_open_is_superseded_by_the_next_stage(app, api):
    cid, _ = late_invoice(app, api, 15)
    tick(api, START)
    assert task_names(collection(api, cid)) == ["call_customer"]
    tick(api, START + dt.timedelta(days=15))
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("hold", [])


@pytest.mark.parametrize(
    ("dpd", "stage", "tasks"),
    [
        (1, "reminder_1", []),
        (8, "reminder_2", []),
        (20, "call", ["call_customer"]),
        (40, "hold", []),
        (50, "demand_letter", ["send_demand_letter"]),
        (200, "legal", ["legal_review"]),
    ],
)
def test_a_customer_first_found_late_starts_at_the_stage_of_its_days_past_due(
    app, api, dpd, stage, tasks
):
    cid, _ = late_invoice(app, api, dpd)
    tick(api, START)
    view = collection(api, cid)
    assert (view["stage"], view["days_past_due"], task_names(view)) == (stage, dpd, tasks)
    assert stages(view) == [stage]
    assert view["on_hold"] is (dpd >= 30)


def test_not_yet_late_or_paid_customers_get_no_escalation(app, api):
    due_today = new_customer(api)
    book(app, due_today, "NL-1", "500.00", START)
    tick(api, START)
    assert collection(api, due_today)["stage"] == "none"


def test_the_sweep_starts_one_escalation_per_customer_and_is_idempotent(app, api):
    cid, _ = late_invoice(app, api, 3)
    book(app, cid, f"X-{cid}", "10.00", START - dt.timedelta(days=9))
    first = tick(api, START)["sweeps"]["collections"]
    assert first["started"] >= 1
    second = tick(api, START)["sweeps"]["collections"]
    assert (second["started"], second["woken"]) == (0, 0)
    with app.app_context():
        from engine.models import ProcessInstance

        count = db.session.scalar(
            sa.select(sa.func.count()).where(
                ProcessInstance.process_key == "collection_escalation",
                ProcessInstance.business_key == str(cid),
            )
        )
    assert count == 1
    assert collection(api, cid)["days_past_due"] == 9  # the oldest open invoice counts


def test_reminders_go_by_email_to_the_customers_contacts_once_per_stage(app, api):
    cid, _ = late_invoice(app, api, 1)
    tick(api, START)
    tick(api, START + dt.timedelta(days=2))
    tick(api, START + dt.timedelta(days=6))
    with app.app_context():
        from notifications.models import Notification

        rows = db.session.scalars(
            sa.select(Notification).where(Notification.template.like("collection_reminder_%"))
        ).all()
        sent = sorted((r.template, r.channel, r.address) for r in rows)
        assert sent == sorted(
            (f"collection_reminder_{n}", "email", c["email"]) for n in (1, 2) for c in CONTACTS
        )
        first = next(r for r in rows if r.template == "collection_reminder_1")
        assert "1,000.00" in first.body or "1000.00" in first.body
        assert first.language == "zh"


def test_the_hold_stops_new_orders_and_tells_the_credit_managers(app, api):
    cid, _ = late_invoice(app, api, 30)
    tick(api, START)
    assert collection(api, cid)["on_hold"] is True
    r = api.get("manager1", "/api/v1/notifications?recipient=me")
    templates = [n["template"] for n in r.get_json()["items"]]
    assert "collection_hold" in templates
    with app.app_context():
        from credit.holds import active_holds

        (hold,) = active_holds(db.session, cid)
        assert (hold.source, hold.placed_by) == ("collection", "system")


def test_the_demand_letter_is_a_pdf_in_chinese_and_english(app, api):
    cid, number = late_invoice(app, api, 46, amount="34567.89")
    early, _ = late_invoice(app, api, 20)
    tick(api, START)
    r = api.get("collector1", f"/api/v1/customers/{cid}/demand-letter?lang=zh")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    for expected in ("催款函", number, "34,567.89", "46", "王采购"):
        assert expected in text
    english = api.get("collector1", f"/api/v1/customers/{cid}/demand-letter?lang=en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(english.data)).pages)
    assert "Demand for payment" in text and number in text
    assert api.get("collector1", f"/api/v1/customers/{early}/demand-letter").status_code == 409
    nobody = new_customer(api)
    assert api.get("collector1", f"/api/v1/customers/{nobody}/demand-letter").status_code == 404
    bad = api.get("collector1", f"/api/v1/customers/{cid}/demand-letter?lang=fr")
    assert bad.status_code == 422
