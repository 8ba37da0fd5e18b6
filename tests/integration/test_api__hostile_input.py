"""Hostile input gets 400/404/422 with the field named, never a 500 and never a stored value."""

from __future__ import annotations

import json

import pytest
from flow import file_application, new_customer


def _application_body(customer_id, **change):
    body = {
        "customer_id": customer_id,
        "requested_limit": "800000",
        "currency": "CNY",
        "requested_terms_days": 60,
        "expected_monthly_purchases": "300000",
        "reason": "new line",
    }
    body.update(change)
    return body


# JSON texts of the amount, as a client would send them (1e309 parses to a float infinity).
AMOUNTS = [
    "1e309",
    '"1e309"',
    "1e20",
    '"1e20"',
    "1e308",
    "0.001",
    '"0.001"',
    '"1_000"',
    '"NaN"',
    '"Infinity"',
    '""',
    '" 100"',
    "true",
    '"1,000"',
    '"100000000000000000"',
]


def _raw(body: dict, field: str, literal: str) -> str:
    return json.dumps({**body, field: "@@"}).replace('"@@"', literal)


@pytest.mark.parametrize("literal", AMOUNTS)
def test_money_must_be_finite_two_places_and_bounded(api, literal):
    customer = new_customer(api)
    raw = _raw(_application_body(customer), "requested_limit", literal)
    r = api.post("sales1", "/api/v1/credit-applications", data=raw, content_type="application/json")
    assert r.status_code == 422, (literal, r.get_json())
    assert "requested_limit" in r.get_json()["errors"]
    assert api.get("sales1", f"/api/v1/customers/{customer}").get_json()["applications"] == []


def test_json_infinity_literal_is_malformed(api):
    customer = new_customer(api)
    raw = _raw(_application_body(customer), "requested_limit", "Infinity")
    r = api.post("sales1", "/api/v1/credit-applications", data=raw, content_type="application/json")
    assert r.status_code == 400


def test_the_documented_maximum_is_accepted_and_one_cent_more_is_not(api):
    customer = new_customer(api)
    ok = api.post(
        "sales1",
        "/api/v1/credit-applications",
        json=_application_body(customer, requested_limit="9999999999999.99"),
    )
    assert ok.status_code == 201, ok.get_json()
    over = api.post(
        "sales1",
        "/api/v1/credit-applications",
        json=_application_body(customer, requested_limit="10000000000000.00"),
    )
    assert over.status_code == 422


@pytest.mark.parametrize("value", [3.7, "3.7", "1_0", True, 99999999999999999999999, 0, -1])
def test_ids_in_bodies_are_whole_64_bit_integers(api, value):
    r = api.post("sales1", "/api/v1/credit-applications", json=_application_body(value))
    assert r.status_code == 422, (value, r.get_json())
    assert "customer_id" in r.get_json()["errors"]


def test_unknown_currency_is_refused_everywhere(api):
    customer = new_customer(api)
    r = api.post(
        "sales1", "/api/v1/credit-applications", json=_application_body(customer, currency="XXX")
    )
    assert r.status_code == 422 and "currency" in r.get_json()["errors"]
    r = api.post(
        "sales1",
        f"/api/v1/customers/{customer}/securities",
        json={"kind": "deposit", "amount": "100", "currency": "ABC"},
    )
    assert r.status_code == 422 and "currency" in r.get_json()["errors"]
    ok = api.post(
        "sales1",
        f"/api/v1/customers/{customer}/securities",
        json={"kind": "deposit", "amount": "100", "currency": "usd"},
    )
    assert ok.status_code == 201 and ok.get_json()["currency"] == "USD"


@pytest.mark.parametrize("name", ["ACME\x00Ltd", "ACME\x07", "line\nbreak", "x" * 256])
def test_names_refuse_control_characters_and_overlong_text(api, name):
    from credit.uscc import make_uscc

    r = api.post(
        "sales1", "/api/v1/customers", json={"name": name, "uscc": make_uscc("91310000MA1FL0XX")}
    )
    assert r.status_code == 422 and "name" in r.get_json()["errors"]


@pytest.mark.parametrize(
    "day", ["0001-01-01", "9999-12-31", "1899-12-31", "2025-02-30", "20250101000"]
)
def test_dates_outside_a_sane_range_are_refused(api, day):
    customer = new_customer(api)
    r = api.post(
        "sales1",
        f"/api/v1/customers/{customer}/credit-reports",
        json={"bureau": "PBOC", "score": 70, "report_date": day},
    )
    assert r.status_code == 422 and "report_date" in r.get_json()["errors"]


def test_overlong_free_text_is_refused(api):
    customer = new_customer(api)
    r = api.post(
        "sales1", "/api/v1/credit-applications", json=_application_body(customer, reason="x" * 4001)
    )
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]


def test_deep_json_is_400_even_before_authentication(client, api):
    deep = "[" * 2000 + "]" * 2000
    for headers in ({}, {"Authorization": f"Bearer {api.token('sales1')}"}):
        r = client.post(
            "/api/v1/auth/token", data=deep, content_type="application/json", headers=headers
        )
        assert r.status_code == 400
        r = client.post(
            "/api/v1/customers", data=deep, content_type="application/json", headers=headers
        )
        assert r.status_code in (400, 401)
    nested = {"a": 1}
    for _ in range(40):
        nested = {"a": nested}
    r = api.post(
        "admin", "/api/v1/messages", json={"name": "m", "correlation_key": "k", "payload": nested}
    )
    assert r.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/99999999999999999999999",
        "/api/v1/customers/0",
        "/api/v1/customers/2147483648",
        "/api/v1/credit-applications/9223372036854775808",
        "/api/v1/process-instances/99999999999999999999",
        "/api/v1/tasks/not-a-task",
        "/api/v1/tasks/%00",
    ],
)
def test_huge_or_malformed_ids_in_paths_are_404(api, url):
    assert api.get("admin", url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/admin/calendar?year=99999",
        "/api/v1/admin/calendar?year=abc",
        "/api/v1/tasks?process_instance_id=99999999999999999999",
        "/api/v1/tasks?limit=99999999999999999999999",
        "/api/v1/audit-events?instance_id=99999999999999999999",
        "/api/v1/audit-events?customer_id=3.7",
        "/api/v1/notifications?process_instance_id=99999999999999999999",
        "/api/v1/customers?limit=1e3",
    ],
)
def test_bad_integers_in_query_strings_are_422(api, url):
    r = api.get("admin", url)
    assert r.status_code == 422, (url, r.status_code)
    assert r.get_json()["errors"]


def test_unknown_api_path_is_404_not_a_csrf_error(client):
    client.post("/login", data={"username": "sales1", "password": "demo"})
    r = client.post("/api/v1/no-such-thing", json={})
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_a_form_submission_is_bounded_like_any_money(api):
    app = file_application(api, new_customer(api))
    from flow import assess, find_task

    assess(api, app["id"])
    task = find_task(api, "manager1", "approve_credit_manager", app["id"])
    for bad in ("1e309", '"1e20"', "0.001", '"1_000"', "1e20"):
        data = _raw({"decision": "approve", "comment": "ok"}, "approved_limit", bad)
        r = api.post(
            "manager1",
            f"/api/v1/tasks/{task['id']}/complete",
            data=f'{{"data": {data}}}',
            content_type="application/json",
        )
        assert r.status_code == 422, (bad, r.get_json())
        assert "approved_limit" in r.get_json()["errors"]
