"""Helpers that drive a credit application through the API as the demo users would."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from acceptance_api import STATEMENT as WORKED_STATEMENT

from credit.uscc import make_uscc

_serial = itertools.count(1)


def new_customer(
    api,
    *,
    statement=None,
    score=75,
    enforcement=False,
    industry_risk="medium",
    founded_years=8,
    securities=(("collateral", "1000000"), ("insurance", "500000")),
    user="sales1",
) -> int:
    """Create a customer with a statement, a credit report and securities; return its id."""
    n = next(_serial)
    founded = dt.date.today().replace(year=dt.date.today().year - founded_years) - dt.timedelta(
        days=30
    )
    r = api.post(
        user,
        "/api/v1/customers",
        json={
            "name": f"测试客户 {n}",
            "uscc": make_uscc(f"91310000MA{n:06d}"[:16]),
            "industry": "machinery",
            "industry_risk": industry_risk,
            "registered_capital": "5000000",
            "founded_on": founded.isoformat(),
            "legal_representative": "张三",
            "address": "上海",
            "contacts": [{"name": "李四", "email": "li@example.com", "phone": "13800000000"}],
        },
    )
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    r = api.post(user, f"/api/v1/customers/{cid}/statements", json=statement or WORKED_STATEMENT)
    assert r.status_code == 201, r.get_json()
    r = api.post(
        user,
        f"/api/v1/customers/{cid}/credit-reports",
        json={
            "bureau": "PBOC",
            "score": score,
            "report_date": "2026-01-15",
            "enforcement_flag": enforcement,
        },
    )
    assert r.status_code == 201, r.get_json()
    for kind, amount in securities:
        r = api.post(
            user,
            f"/api/v1/customers/{cid}/securities",
            json={"kind": kind, "amount": amount, "expires_on": "2030-12-31"},
        )
        assert r.status_code == 201, r.get_json()
    return cid


def application_body(customer_id, limit="400000", terms=30, monthly="900000") -> dict:
    """The body of POST /credit-applications."""
    return {
        "customer_id": customer_id,
        "requested_limit": limit,
        "currency": "CNY",
        "requested_terms_days": terms,
        "expected_monthly_purchases": monthly,
        "reason": "new distributor",
    }


def file_application(
    api, customer_id, limit="400000", terms=30, monthly="900000", user="sales1"
) -> dict:
    """File an application and return its JSON."""
    r = api.post(
        user,
        "/api/v1/credit-applications",
        json=application_body(customer_id, limit, terms, monthly),
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def find_task(api, user, name, application_id, scope="candidate") -> dict:
    """The open task `name` of the application visible to user."""
    r = api.get(user, f"/api/v1/tasks?scope={scope}&status=open")
    assert r.status_code == 200, r.get_json()
    for item in r.get_json()["items"]:
        if item["name"] == name and item["business_key"] == str(application_id):
            return item
    raise AssertionError(
        f"{user} sees no task {name} for application {application_id}: "
        f"{[(i['name'], i['business_key']) for i in r.get_json()['items']]}"
    )


def work(api, user, name, application_id, data) -> dict:
    """Claim and complete a task; return the completion response."""
    task = find_task(api, user, name, application_id)
    r = api.post(user, f"/api/v1/tasks/{task['id']}/claim")
    assert r.status_code == 200, r.get_json()
    r = api.post(user, f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def assess(api, application_id, user="analyst1", rating=3, **extra) -> dict:
    """The analyst's assessment; return the completion response."""
    return work(
        api,
        user,
        "assess_customer",
        application_id,
        {"years_in_business": 8, "qualitative_rating": rating, **extra},
    )


def approve(api, user, tier, application_id, decision="approve", comment="ok", **extra) -> None:
    """One tier's decision."""
    work(
        api,
        user,
        f"approve_{tier}",
        application_id,
        {"decision": decision, "comment": comment, **extra},
    )


def application(api, application_id, user="sales1") -> dict:
    """GET the application."""
    r = api.get(user, f"/api/v1/credit-applications/{application_id}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def money(value) -> Decimal:
    """Decimal of an API money value."""
    return Decimal(str(value))
