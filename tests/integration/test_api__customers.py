"""Customer credit files through the API: create, search, summary, statements, securities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flow import WORKED_STATEMENT

from credit.uscc import CHARSET, make_uscc

BASE = "/api/v1/customers"

WORKED_EXAMPLE = {**WORKED_STATEMENT, "operating_cash_flow": "3500000"}


def uscc(n: int) -> str:
    return make_uscc(f"91310000MA{n:06d}")


def customer_body(n: int = 1, **overrides) -> dict:
    body = {
        "name": f"华东精密机械有限公司 {n}",
        "uscc": uscc(n),
        "industry": "通用设备制造",
        "industry_risk": "medium",
        "registered_capital": "20000000",
        "founded_on": "2018-03-01",
        "legal_representative": "陈建华",
        "address": "上海市浦东新区川沙路 1188 号",
        "contacts": [{"name": "王敏", "email": "wang.min@example.com", "phone": "021-5888 1234"}],
    }
    return {**body, **overrides}


@pytest.fixture
def customer_id(api) -> int:
    r = api.post("sales1", BASE, json=customer_body())
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def audit_actions(app, customer_id: int) -> list[tuple[str, str]]:
    from engine.models import AuditEvent
    from web.extensions import db

    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.subject == f"customer:{customer_id}")
            .order_by(AuditEvent.seq)
        ).all()
        return [(row.actor, row.action) for row in rows]


# --- creating a customer -------------------------------------------------------------------


def test_create_customer_returns_201_with_its_fields(api):
    r = api.post("sales1", BASE, json=customer_body())
    assert r.status_code == 201
    body = r.get_json()
    assert isinstance(body["id"], int)
    assert body["name"] == "华东精密机械有限公司 1"
    assert body["uscc"] == uscc(1)
    assert body["industry_risk"] == "medium"
    assert body["registered_capital"] == "20000000.00"
    assert body["founded_on"] == "2018-03-01"
    assert body["contacts"] == customer_body()["contacts"]
    assert body["currency"] == "CNY"
    assert body["created_by"] == "sales1"
    assert dt.datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert body["grade"] is None and body["credit_limit"] is None and body["on_hold"] is False


@pytest.mark.parametrize("user", ["sales1", "analyst1", "manager1", "admin"])
def test_every_writing_group_may_create_a_customer(api, user):
    assert api.post(user, BASE, json=customer_body()).status_code == 201


@pytest.mark.parametrize("user", ["auditor1", "erp1", "collector1", "designer1"])
def test_other_groups_may_not_create_a_customer(api, user):
    r = api.post(user, BASE, json=customer_body())
    assert r.status_code == 403
    assert r.content_type == "application/problem+json"


def test_creating_without_a_token_is_401(api):
    assert api.post(None, BASE, json=customer_body()).status_code == 401


def test_wrong_uscc_check_digit_is_422_on_uscc(api):
    valid = uscc(1)
    wrong = valid[:17] + next(c for c in CHARSET if c != valid[17])
    r = api.post("sales1", BASE, json=customer_body(uscc=wrong))
    assert r.status_code == 422
    assert r.content_type == "application/problem+json"
    assert "check digit" in r.get_json()["errors"]["uscc"][0]


def test_missing_name_is_422_on_name(api):
    body = customer_body()
    del body["name"]
    r = api.post("sales1", BASE, json=body)
    assert r.status_code == 422
    assert "name" in r.get_json()["errors"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "   "),
        ("industry_risk", "extreme"),
        ("registered_capital", "-1"),
        ("registered_capital", "1.005"),
        ("founded_on", "2999-01-01"),
        ("founded_on", "not a date"),
        ("currency", "RMB1"),
    ],
)
def test_invalid_profile_field_is_422_naming_it(api, field, value):
    r = api.post("sales1", BASE, json=customer_body(**{field: value}))
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


def test_contact_with_bad_email_is_422_naming_the_contact_field(api):
    r = api.post("sales1", BASE, json=customer_body(contacts=[{"name": "王敏", "email": "nope"}]))
    assert r.status_code == 422
    assert "contacts.0.email" in r.get_json()["errors"]


def test_unknown_field_is_422_naming_it(api):
    r = api.post("sales1", BASE, json=customer_body(colour="blue"))
    assert r.status_code == 422
    assert "colour" in r.get_json()["errors"]


def test_malformed_json_is_400(api):
    r = api.post("sales1", BASE, data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.content_type == "application/problem+json"


def test_duplicate_uscc_is_409_naming_the_existing_customer(api, customer_id):
    r = api.post("analyst1", BASE, json=customer_body(name="另一家公司"))
    assert r.status_code == 409
    body = r.get_json()
    assert body["existing_customer_id"] == customer_id
    assert str(customer_id) in body["detail"]


def test_lower_case_uscc_is_stored_in_upper_case(api):
    r = api.post("sales1", BASE, json=customer_body(uscc=uscc(7).lower()))
    assert r.status_code == 201
    assert r.get_json()["uscc"] == uscc(7)


def test_rejected_customer_leaves_nothing_behind(app, api):
    from credit.models import Customer
    from engine.models import AuditEvent
    from web.extensions import db

    valid = uscc(1)
    wrong = valid[:17] + next(c for c in CHARSET if c != valid[17])
    assert api.post("sales1", BASE, json=customer_body(uscc=wrong)).status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "customer_created")
            )
            == 0
        )


# --- statements ------------------------------------------------------------------------------


def test_worked_example_statement_gives_the_policy_ratios(api, customer_id):
    r = api.post("analyst1", f"{BASE}/{customer_id}/statements", json=WORKED_EXAMPLE)
    assert r.status_code == 201
    body = r.get_json()
    assert body["period_end"] == "2025-12-31"
    assert body["current_assets"] == "12000000.00"
    assert body["ratios"] == {
        "current_ratio": 1.7143,
        "quick_ratio": 1.2857,
        "debt_to_asset": 0.5333,
        "net_margin": 0.06,
        "roa": 0.09,
        "interest_coverage": 4.6667,
        "ocf_to_current_liabilities": 0.5,
        "altman_z2": 3.6049,
        "altman_zone": "safe",
    }
    assert body["ratios_not_available"] == {}


def test_zero_current_liabilities_gives_null_ratios_with_reasons(api, customer_id):
    statement = {**WORKED_EXAMPLE, "current_liabilities": "0"}
    r = api.post("analyst1", f"{BASE}/{customer_id}/statements", json=statement)
    assert r.status_code == 201
    body = r.get_json()
    assert body["ratios"]["current_ratio"] is None
    assert body["ratios"]["quick_ratio"] is None
    assert "current_liabilities is zero" in body["ratios_not_available"]["current_ratio"]
    assert body["ratios"]["debt_to_asset"] == 0.5333


def test_statement_with_missing_figures_reports_why_each_ratio_is_null(api, customer_id):
    r = api.post("analyst1", f"{BASE}/{customer_id}/statements", json={"period_end": "2025-06-30"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["currency"] == "CNY"
    assert body["ratios"]["altman_zone"] == "not_available"
    assert set(body["ratios_not_available"]) == {
        "current_ratio",
        "quick_ratio",
        "debt_to_asset",
        "net_margin",
        "roa",
        "interest_coverage",
        "ocf_to_current_liabilities",
        "altman_z2",
    }


@pytest.mark.parametrize(
    "change, field",
    [
        ({"period_end": None}, "period_end"),
        ({"current_assets": "12.345"}, "current_assets"),
        ({"total_assets": "-1"}, "total_assets"),
        ({"revenue": "lots"}, "revenue"),
        ({"currency": "YUAN"}, "currency"),
        ({"goodwill": "1"}, "goodwill"),
    ],
)
def test_invalid_statement_is_422_naming_the_field(api, customer_id, change, field):
    statement = {
        key: value for key, value in {**WORKED_EXAMPLE, **change}.items() if value is not None
    }
    r = api.post("analyst1", f"{BASE}/{customer_id}/statements", json=statement)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


def test_statements_are_listed_latest_period_first(api, customer_id):
    for period in ("2024-12-31", "2025-12-31", "2023-12-31"):
        api.post(
            "analyst1",
            f"{BASE}/{customer_id}/statements",
            json={**WORKED_EXAMPLE, "period_end": period},
        )
    r = api.get("auditor1", f"{BASE}/{customer_id}/statements")
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [s["period_end"] for s in items] == ["2025-12-31", "2024-12-31", "2023-12-31"]
    assert items[0]["ratios"]["current_ratio"] == 1.7143


# --- credit reports and securities -----------------------------------------------------------


def test_credit_report_is_201(api, customer_id):
    report = {
        "bureau": "中国人民银行征信中心",
        "score": 75,
        "report_date": "2026-01-15",
        "enforcement_flag": False,
    }
    r = api.post("analyst1", f"{BASE}/{customer_id}/credit-reports", json=report)
    assert r.status_code == 201
    body = r.get_json()
    assert (body["bureau"], body["score"], body["report_date"]) == (
        "中国人民银行征信中心",
        75,
        "2026-01-15",
    )
    assert body["enforcement_flag"] is False


@pytest.mark.parametrize(
    "change, field",
    [
        ({"score": 101}, "score"),
        ({"score": -1}, "score"),
        ({"score": 75.5}, "score"),
        ({"score": "75"}, "score"),
        ({"report_date": None}, "report_date"),
        ({"bureau": ""}, "bureau"),
    ],
)
def test_invalid_credit_report_is_422_naming_the_field(api, customer_id, change, field):
    report = {"bureau": "PBOC", "score": 75, "report_date": "2026-01-15", **change}
    report = {key: value for key, value in report.items() if value is not None}
    r = api.post("analyst1", f"{BASE}/{customer_id}/credit-reports", json=report)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


def test_security_is_201_in_the_customers_currency_by_default(api, customer_id):
    r = api.post(
        "manager1",
        f"{BASE}/{customer_id}/securities",
        json={"kind": "collateral", "amount": "1000000", "expires_on": "2027-06-30"},
    )
    assert r.status_code == 201
    body = r.get_json()
    assert (body["kind"], body["amount"], body["currency"], body["expires_on"]) == (
        "collateral",
        "1000000.00",
        "CNY",
        "2027-06-30",
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "cash"}, "kind"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": None}, "amount"),
        ({"expires_on": "someday"}, "expires_on"),
    ],
)
def test_invalid_security_is_422_naming_the_field(api, customer_id, change, field):
    security = {"kind": "guarantee", "amount": "500000", **change}
    security = {key: value for key, value in security.items() if value is not None}
    r = api.post("manager1", f"{BASE}/{customer_id}/securities", json=security)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


@pytest.mark.parametrize(
    "path, body",
    [
        ("statements", WORKED_EXAMPLE),
        ("credit-reports", {"bureau": "PBOC", "score": 75, "report_date": "2026-01-15"}),
        ("securities", {"kind": "deposit", "amount": "1"}),
    ],
)
def test_auditor_may_not_add_to_a_credit_file(api, customer_id, path, body):
    assert api.post("auditor1", f"{BASE}/{customer_id}/{path}", json=body).status_code == 403


def test_securities_list_tells_which_are_active(api, customer_id):
    api.post(
        "manager1",
        f"{BASE}/{customer_id}/securities",
        json={"kind": "guarantee", "amount": "100", "expires_on": "2000-01-01"},
    )
    api.post(
        "manager1", f"{BASE}/{customer_id}/securities", json={"kind": "deposit", "amount": "5"}
    )
    r = api.get("erp1", f"{BASE}/{customer_id}/securities")
    assert r.status_code == 200
    assert [(s["kind"], s["active"]) for s in r.get_json()["items"]] == [
        ("guarantee", False),
        ("deposit", True),
    ]


# --- the credit file ---------------------------------------------------------------------------


def test_new_customer_summary_has_every_field_and_no_terms(api, customer_id):
    r = api.get("auditor1", f"{BASE}/{customer_id}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["name"] == "华东精密机械有限公司 1" and body["uscc"] == uscc(1)
    for field in (
        "grade",
        "score",
        "credit_limit",
        "payment_terms_days",
        "available",
        "review_due_on",
        "warning_level",
        "latest_statement",
        "latest_credit_report",
    ):
        assert body[field] is None, field
    assert Decimal(body["exposure"]) == 0
    assert body["on_hold"] is False
    assert body["currency"] == "CNY"
    assert body["securities"] == [] and body["history"] == [] and body["applications"] == []


def test_summary_shows_the_latest_statement_report_and_securities(api, customer_id):
    url = f"{BASE}/{customer_id}"
    api.post(
        "analyst1",
        f"{url}/statements",
        json={**WORKED_EXAMPLE, "period_end": "2024-12-31", "current_liabilities": "0"},
    )
    api.post("analyst1", f"{url}/statements", json=WORKED_EXAMPLE)
    api.post(
        "analyst1",
        f"{url}/credit-reports",
        json={"bureau": "A", "score": 60, "report_date": "2025-01-10"},
    )
    api.post(
        "analyst1",
        f"{url}/credit-reports",
        json={"bureau": "B", "score": 75, "report_date": "2026-01-10"},
    )
    api.post("analyst1", f"{url}/securities", json={"kind": "insurance", "amount": "500000"})
    body = api.get("sales1", url).get_json()
    assert body["latest_statement"]["period_end"] == "2025-12-31"
    assert body["latest_statement"]["ratios"]["altman_z2"] == 3.6049
    assert body["latest_credit_report"]["score"] == 75
    assert [(s["kind"], s["amount"], s["active"]) for s in body["securities"]] == [
        ("insurance", "500000.00", True)
    ]


def test_exposure_counts_open_receivables_and_available_subtracts_it(app, api, customer_id):
    from ledger_setup import book, pay

    from credit.adjustments import write_off
    from credit.models import Customer
    from web.extensions import db

    issued, due = dt.date(2026, 1, 1), dt.date(2026, 2, 15)
    with app.app_context():
        book(customer_id, "INV-1", "1000.00", issued, due)
        pay(customer_id, "INV-1", "400.00", due)  # 600 open
        book(customer_id, "INV-2", "250.50", issued, due)  # 250.50 open
        book(customer_id, "INV-3", "800.00", issued, due)
        pay(customer_id, "INV-3", "800.00", due)  # paid
        written = book(customer_id, "INV-4", "9999.00", issued, due)
        write_off(db.session, dt.datetime.now(dt.UTC), "system", written.id, due, "bankrupt")
        db.session.get(Customer, customer_id).credit_limit = Decimal("2000000")
        db.session.commit()
    body = api.get("sales1", f"{BASE}/{customer_id}").get_json()
    assert body["exposure"] == "850.50"
    assert body["credit_limit"] == "2000000.00"
    assert body["available"] == "1999149.50"


def test_unknown_customer_is_404(api):
    assert api.get("sales1", f"{BASE}/999999").status_code == 404
    assert api.get("sales1", f"{BASE}/999999/statements").status_code == 404
    assert api.get("sales1", f"{BASE}/999999/securities").status_code == 404
    r = api.post("analyst1", f"{BASE}/999999/statements", json=WORKED_EXAMPLE)
    assert r.status_code == 404
    assert r.content_type == "application/problem+json"


def test_reading_needs_a_signed_in_user(api, customer_id):
    assert api.get(None, f"{BASE}/{customer_id}").status_code == 401
    assert api.get(None, BASE).status_code == 401


# --- search ----------------------------------------------------------------------------------


def test_search_matches_name_or_uscc_case_insensitively(api):
    api.post("sales1", BASE, json=customer_body(1, name="华东精密机械有限公司"))
    api.post("sales1", BASE, json=customer_body(2, name="Shenzhen Hengxin Electronics"))
    api.post("sales1", BASE, json=customer_body(3, name="浙江宏远纺织贸易有限公司"))

    def names(query: str) -> tuple[list[str], int]:
        r = api.get("auditor1", f"{BASE}?{query}")
        assert r.status_code == 200
        body = r.get_json()
        return [c["name"] for c in body["items"]], body["total"]

    assert names("q=精密") == (["华东精密机械有限公司"], 1)
    assert names("q=HENGXIN") == (["Shenzhen Hengxin Electronics"], 1)
    assert names(f"q={uscc(3)[10:].lower()}") == (["浙江宏远纺织贸易有限公司"], 1)
    assert names("q=") == (
        ["华东精密机械有限公司", "Shenzhen Hengxin Electronics", "浙江宏远纺织贸易有限公司"],
        3,
    )
    assert names("q=%25") == ([], 0)
    assert names("limit=1&offset=1") == (["Shenzhen Hengxin Electronics"], 3)


@pytest.mark.parametrize(
    "query, field", [("limit=0", "limit"), ("limit=x", "limit"), ("offset=-1", "offset")]
)
def test_bad_paging_is_422(api, query, field):
    r = api.get("sales1", f"{BASE}?{query}")
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


# --- audit -----------------------------------------------------------------------------------


def test_every_write_is_audited_on_the_customer(app, api, customer_id):
    url = f"{BASE}/{customer_id}"
    assert api.post("analyst1", f"{url}/statements", json=WORKED_EXAMPLE).status_code == 201
    assert (
        api.post(
            "analyst1",
            f"{url}/credit-reports",
            json={"bureau": "PBOC", "score": 75, "report_date": "2026-01-15"},
        ).status_code
        == 201
    )
    assert (
        api.post(
            "manager1", f"{url}/securities", json={"kind": "collateral", "amount": "1000000"}
        ).status_code
        == 201
    )
    assert audit_actions(app, customer_id) == [
        ("sales1", "customer_created"),
        ("analyst1", "statement_added"),
        ("analyst1", "credit_report_added"),
        ("manager1", "security_added"),
    ]


def test_audit_chain_still_verifies_after_customer_writes(app, api, customer_id):
    from engine.audit import verify
    from web.extensions import db

    api.post(
        "manager1", f"{BASE}/{customer_id}/securities", json={"kind": "deposit", "amount": "1"}
    )
    with app.app_context():
        assert verify(db.session).ok
