"""Helpers that walk a customer through the dunning ladder with the test clock and the API."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from credit.uscc import make_uscc

_serial = itertools.count(1)
START = dt.date(2026, 3, 2)  # a Monday; invoices fall due relative to it
CONTACTS = [
    {"name": "王采购", "email": "buyer@customer.example", "phone": "13900000000"},
    {"name": "赵财务", "email": "ap@customer.example", "phone": "13900000001"},
]


def moment(day: dt.date, hour: int = 9) -> str:
    """An ISO moment on a day in Beijing time."""
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


def set_clock(api, day: dt.date, hour: int = 9) -> None:
    """Put the test clock on a day."""
    r = api.put("admin", "/api/v1/admin/clock", json={"now": moment(day, hour)})
    assert r.status_code == 200, r.get_json()


def tick(api, day: dt.date | None = None) -> dict:
    """Run every scheduler job (the daily sweep among them), on ``day`` if given."""
    if day is not None:
        set_clock(api, day)
    r = api.post("admin", "/api/v1/admin/tick")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def new_customer(api, contacts=CONTACTS, name: str | None = None) -> int:
    """Open a credit file with contacts (for the reminders) and return its id."""
    n = next(_serial)
    r = api.post(
        "sales1",
        "/api/v1/customers",
        json={
            "name": name or f"催收客户 {n}",
            "uscc": make_uscc(f"91440300MC{n:06d}"),
            "industry": "wholesale",
            "industry_risk": "medium",
            "address": "深圳市南山区科技园 1 号",
            "contacts": contacts,
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def book(app, customer_id: int, number: str, amount: str, due_on: dt.date, issued_on=None):
    """Book an invoice through the receivables service."""
    from ledger_setup import book as book_invoice

    from web.extensions import db

    with app.app_context():
        issued = issued_on or due_on - dt.timedelta(days=30)
        invoice = book_invoice(customer_id, number, amount, issued, due_on)
        db.session.commit()
        return invoice.id


def pay(app, customer_id: int, number: str, amount: str, paid_on: dt.date) -> bool:
    """Record a payment and tell the escalation, as the payments API does."""
    from ledger_setup import pay as record_payment

    from credit.collection_requests import payment_recorded
    from engine.actor import Actor
    from web.extensions import db

    with app.app_context():
        record_payment(customer_id, number, amount, paid_on, reference=f"PAY-{number}-{amount}")
        rt = app.extensions["creditflow.runtime"]
        told = payment_recorded(
            db.session, rt, Actor("erp1", frozenset({"integration"})), customer_id
        )
        db.session.commit()
        return told


def collection(api, customer_id: int, user: str = "collector1") -> dict:
    """GET /customers/{id}/collection."""
    r = api.get(user, f"/api/v1/customers/{customer_id}/collection")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def open_task(api, user: str, customer_id: int, name: str) -> dict:
    """The open task of that name in the customer's escalation, as the user sees it."""
    r = api.get(user, f"/api/v1/tasks?scope=candidate&name={name}&business_key={customer_id}")
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["items"]
    assert len(items) == 1, (name, items)
    return items[0]


def complete(api, user: str, customer_id: int, name: str, data: dict):
    """Complete the escalation's open task as the user; return the response."""
    task = open_task(api, user, customer_id, name)
    return api.post(user, f"/api/v1/tasks/{task['id']}/complete", json={"data": data})


def task_names(view: dict) -> list[str]:
    """Names of the escalation's open tasks."""
    return [t["name"] for t in view["open_tasks"]]


def stages(view: dict) -> list[str]:
    """The stages of the escalation's history, in order."""
    return [h["stage"] for h in view["history"]]


def late_invoice(app, api, dpd: int, amount: str = "1000.00", today: dt.date = START):
    """A new customer with one invoice ``dpd`` days past due on ``today``; (customer, number)."""
    customer_id = new_customer(api)
    number = f"INV-{customer_id}-{next(_serial)}"
    book(app, customer_id, number, amount, today - dt.timedelta(days=dpd))
    return customer_id, number


def money(value) -> Decimal:
    """A decimal from the API's money."""
    return Decimal(str(value))
