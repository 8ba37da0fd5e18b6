"""HTTP-only helpers for the acceptance suites: what a script outside the repository would write.

Nothing here imports creditflow's own packages; every step is a documented API call (api.md),
signed in as the demo users, with the test clock moved through `PUT /admin/clock` and `POST /tick`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

_serial = itertools.count(1)

# GB 32100-2015 (USCC) and GB 11714 (organisation code) check digits, written from the standards.
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

STATEMENT = {
    "period_end": "2025-12-31",
    "currency": "CNY",
    "current_assets": "12000000",
    "current_liabilities": "7000000",
    "inventory": "3000000",
    "total_assets": "30000000",
    "total_liabilities": "16000000",
    "equity": "14000000",
    "revenue": "45000000",
    "net_profit": "2700000",
    "ebit": "4200000",
    "interest_expense": "900000",
    "retained_earnings": "6000000",
    "operating_cash_flow": "3000000",
}
CONTACTS = [{"name": "王采购", "email": "buyer@acceptance.example", "phone": "13900000000"}]


def uscc(n: int) -> str:
    """A valid unified social credit code built around the number n."""
    org8 = f"{n:08d}"
    total = sum(int(c) * w for c, w in zip(org8, _ORG_WEIGHTS, strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = f"91330100{org8}{check}"
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(_USCC_CHARSET.index(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + _USCC_CHARSET[(31 - total % 31) % 31]


def money(value) -> Decimal:
    """Decimal of an API money value (string or number)."""
    return Decimal(str(value))


def ok(response, status: int = 200) -> dict:
    """The JSON of a response that must have the given status."""
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def set_clock(api, day: dt.date, hour: int = 9) -> None:
    """Put the test clock on a day (Beijing time)."""
    ok(api.put("admin", "/api/v1/admin/clock", json={"now": f"{day}T{hour:02d}:00:00+08:00"}))


def tick(api, day: dt.date | None = None) -> dict:
    """Run every scheduler job once at the clock's time (on ``day`` if given)."""
    if day is not None:
        set_clock(api, day)
    return ok(api.post("admin", "/api/v1/admin/tick"))


def new_customer(api, *, score=75, user="sales1", securities=True) -> int:
    """Open a credit file with a statement, a credit report and securities; return its id."""
    n = next(_serial)
    body = {
        "name": f"验收客户 {n}",
        "uscc": uscc(4200 + n),
        "industry": "wholesale",
        "industry_risk": "medium",
        "registered_capital": "5000000",
        "founded_on": "2018-01-10",
        "legal_representative": "张三",
        "address": "杭州市西湖区 1 号",
        "contacts": CONTACTS,
    }
    cid = ok(api.post(user, "/api/v1/customers", json=body), 201)["id"]
    ok(api.post(user, f"/api/v1/customers/{cid}/statements", json=STATEMENT), 201)
    report = {"bureau": "PBOC", "score": score, "report_date": "2026-01-15"}
    ok(api.post(user, f"/api/v1/customers/{cid}/credit-reports", json=report), 201)
    if securities:
        cover = {"kind": "collateral", "amount": "1000000", "expires_on": "2030-12-31"}
        ok(api.post(user, f"/api/v1/customers/{cid}/securities", json=cover), 201)
    return cid


def open_task(api, user: str, name: str, business_key) -> dict:
    """The one open task ``name`` of ``business_key`` that the user may work on."""
    items = ok(api.get(user, "/api/v1/tasks?scope=all&status=open"))["items"]
    found = [t for t in items if t["name"] == name and t["business_key"] == str(business_key)]
    seen = [(t["name"], t["business_key"]) for t in items]
    assert len(found) == 1, (user, name, business_key, seen)
    return found[0]


def has_task(api, user: str, name: str, business_key) -> bool:
    """Whether the user sees an open task ``name`` of ``business_key``."""
    items = ok(api.get(user, "/api/v1/tasks?scope=all&status=open"))["items"]
    return any(t["name"] == name and t["business_key"] == str(business_key) for t in items)


def complete(api, user: str, name: str, business_key, data: dict) -> dict:
    """Claim and complete the open task as the user with exactly ``data``."""
    task = open_task(api, user, name, business_key)
    ok(api.post(user, f"/api/v1/tasks/{task['id']}/claim"))
    return ok(api.post(user, f"/api/v1/tasks/{task['id']}/complete", json={"data": data}))


def grant_limit(api, cid: int, limit: str = "400000") -> dict:
    """File, assess and approve a credit application (grade B ≤ 500,000: credit manager only)."""
    body = {
        "customer_id": cid,
        "requested_limit": limit,
        "currency": "CNY",
        "requested_terms_days": 30,
        "expected_monthly_purchases": "900000",
        "reason": "acceptance",
    }
    app_id = ok(api.post("sales1", "/api/v1/credit-applications", json=body), 201)["id"]
    assessment = {"years_in_business": 8, "qualitative_rating": 3}
    complete(api, "analyst1", "assess_customer", app_id, assessment)
    complete(
        api, "manager1", "approve_credit_manager", app_id, {"decision": "approve", "comment": "ok"}
    )
    decided = ok(api.get("sales1", f"/api/v1/credit-applications/{app_id}"))
    assert decided["status"] == "approved", decided
    return ok(api.get("sales1", f"/api/v1/customers/{cid}"))


def invoice(api, cid, number, amount, issued_on, due_on, order_ref=None, status=201) -> dict:
    """POST an invoice as the ERP."""
    body = {
        "customer_id": cid,
        "number": number,
        "amount": str(amount),
        "currency": "CNY",
        "issued_on": str(issued_on),
        "due_on": str(due_on),
    }
    if order_ref:
        body["order_ref"] = order_ref
    return ok(api.post("erp1", "/api/v1/invoices", json=body), status)


def pay(api, cid, number, amount, paid_on, reference=None, status=201) -> dict:
    """POST a payment as the ERP."""
    body = {"customer_id": cid, "invoice_number": number, "amount": str(amount)}
    body["paid_on"] = str(paid_on)
    if reference:
        body["reference"] = reference
    return ok(api.post("erp1", "/api/v1/payments", json=body), status)


def check(api, cid, amount, user="erp1", **extra) -> dict:
    """POST /credit-check for a CNY order."""
    body = {"customer_id": cid, "amount": str(amount), "currency": "CNY", **extra}
    return ok(api.post(user, "/api/v1/credit-check", json=body))


def collection(api, cid) -> dict:
    """GET /customers/{id}/collection as the collector."""
    return ok(api.get("collector1", f"/api/v1/customers/{cid}/collection"))


def warnings(api, cid, user="manager1") -> dict:
    """GET /customers/{id}/warnings."""
    return ok(api.get(user, f"/api/v1/customers/{cid}/warnings"))


def notices(api, user: str) -> list[dict]:
    """The user's in-app notifications, newest first."""
    items = ok(api.get(user, "/api/v1/notifications?recipient=me&limit=1000"))["items"]
    return [n for n in items if n["channel"] == "inapp"]
