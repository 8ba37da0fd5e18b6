"""Customer credit files: create, search, read; add statements, credit reports, securities."""

from __future__ import annotations

from typing import Any

from flask import current_app

from credit import customers as service
from credit import file_records as records
from credit.credit_file_sections import credit_reports
from web.api import bp
from web.api.customer_schemas import (
    CreditReportBody,
    CreditReportOut,
    CreditReportPage,
    CustomerBody,
    CustomerOut,
    CustomerPage,
    CustomerQuery,
    CustomerSummaryOut,
    SecurityBody,
    SecurityOut,
    SecurityPage,
    StatementBody,
    StatementOut,
    StatementPage,
)
from web.api.request import body, query, responds
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

WRITERS = ("sales", "credit_analyst", "credit_manager", "admin")


@bp.post("/customers")
@requires(*WRITERS)
@body(CustomerBody, make=lambda: CustomerBody(today=runtime().clock.today()))
@responds(201, CustomerOut)
def create_customer(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Open a customer's credit file."""
    clock = runtime().clock
    customer = service.create_customer(db.session, clock.now(), actor().username, body)
    db.session.commit()
    return CustomerOut().dump(customer), 201


@bp.get("/customers")
@requires()
@query(CustomerQuery)
@responds(200, CustomerPage)
def search_customers(args: dict[str, Any]) -> dict[str, Any]:
    """Search customers by name or USCC (q), a page at a time."""
    page = service.search_customers(db.session, args["q"], args["limit"], args["offset"])
    return {"items": CustomerOut(many=True).dump(page.items), "total": page.total}


@bp.get("/customers/<int:customer_id>")
@requires()
@responds(200, CustomerSummaryOut)
def get_customer(customer_id: int) -> dict[str, Any]:
    """Show the credit file: profile, terms, exposure, latest data, history."""
    summary = service.customer_summary(
        db.session, customer_id, runtime().clock.today(), current_app.config["CREDITFLOW"].fx_rates
    )
    return CustomerSummaryOut().dump(summary)


@bp.post("/customers/<int:customer_id>/statements")
@requires(*WRITERS)
@body(StatementBody)
@responds(201, StatementOut)
def add_statement(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Add a financial statement; the response carries its ratios."""
    result = service.add_statement(
        db.session, runtime().clock.now(), actor().username, customer_id, body
    )
    db.session.commit()
    return StatementOut().dump(result.view()), 201


@bp.get("/customers/<int:customer_id>/statements")
@requires()
@responds(200, StatementPage)
def list_statements(customer_id: int) -> dict[str, Any]:
    """List the statements with their ratios, latest period first."""
    rows = service.list_statements(db.session, customer_id)
    return {"items": StatementOut(many=True).dump([row.view() for row in rows])}


@bp.post("/customers/<int:customer_id>/credit-reports")
@requires(*WRITERS)
@body(CreditReportBody)
@responds(201, CreditReportOut)
def add_credit_report(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Add an external credit report."""
    report = service.add_credit_report(
        db.session, runtime().clock.now(), actor().username, customer_id, body
    )
    db.session.commit()
    return CreditReportOut().dump(report), 201


@bp.post("/customers/<int:customer_id>/securities")
@requires(*WRITERS)
@body(SecurityBody)
@responds(201, SecurityOut)
def add_security(customer_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Add a guarantee, collateral, credit insurance or deposit."""
    security = service.add_security(
        db.session, runtime().clock.now(), actor().username, customer_id, body
    )
    db.session.commit()
    return SecurityOut().dump(security), 201


@bp.get("/customers/<int:customer_id>/securities")
@requires()
@responds(200, SecurityPage)
def list_securities(customer_id: int) -> dict[str, Any]:
    """List the securities; "active" when not expired today."""
    rows = service.list_securities(db.session, customer_id, runtime().clock.today())
    return {"items": SecurityOut(many=True).dump(rows)}


@bp.patch("/customers/<int:customer_id>")
@requires(*WRITERS)
@body(
    CustomerBody,
    make=lambda: CustomerBody(today=runtime().clock.today(), partial=True),
    description="any profile fields; only those sent change",
)
@responds(200, CustomerOut)
def update_customer(customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Correct the profile: only the fields sent change (audited with before and after)."""
    now = runtime().clock.now()
    customer = records.update_profile(db.session, now, actor().username, customer_id, body)
    db.session.commit()
    return CustomerOut().dump(customer)


@bp.put("/customers/<int:customer_id>/statements/<int:statement_id>")
@requires(*WRITERS)
@body(StatementBody)
@responds(200, StatementOut)
def correct_statement(customer_id: int, statement_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Correct a statement: the body replaces every figure; the response has the new ratios."""
    result = records.correct_statement(
        db.session, runtime().clock.now(), actor().username, customer_id, statement_id, body
    )
    db.session.commit()
    return StatementOut().dump(result.view())


@bp.get("/customers/<int:customer_id>/credit-reports")
@requires()
@responds(200, CreditReportPage)
def list_credit_reports(customer_id: int) -> dict[str, Any]:
    """List the credit reports, latest first."""
    service.get_customer(db.session, customer_id)  # 404 for an unknown customer
    rows = credit_reports(db.session, customer_id)
    return {"items": CreditReportOut(many=True).dump(rows)}


@bp.put("/customers/<int:customer_id>/credit-reports/<int:report_id>")
@requires(*WRITERS)
@body(CreditReportBody)
@responds(200, CreditReportOut)
def correct_credit_report(customer_id: int, report_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Correct a credit report."""
    report = records.correct_credit_report(
        db.session, runtime().clock.now(), actor().username, customer_id, report_id, body
    )
    db.session.commit()
    return CreditReportOut().dump(report)


@bp.put("/customers/<int:customer_id>/securities/<int:security_id>")
@requires(*WRITERS)
@body(SecurityBody)
@responds(200, SecurityOut)
def correct_security(customer_id: int, security_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Correct a security (amount, kind, expiry)."""
    security = records.correct_security(
        db.session, runtime().clock.now(), actor().username, customer_id, security_id, body
    )
    db.session.commit()
    return SecurityOut().dump(security)
