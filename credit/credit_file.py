"""Read views of a customer's credit file: summary, statements with ratios, securities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.exposure import limit_cny, read_exposure
from credit.models import (
    CreditApplication,
    CreditHistory,
    CreditReport,
    Customer,
    FinancialStatement,
    Security,
)
from credit.ratios import STATEMENT_FIGURES, as_json, compute_ratios
from credit.scorecard import as_points
from engine.clock import from_db
from engine.errors import NotFound


@dataclass(frozen=True)
class StatementWithRatios:
    """A stored statement with its ratios as shown (null ratios carry a reason)."""

    statement: FinancialStatement
    ratios: dict[str, Any]
    not_available: dict[str, str]

    def view(self) -> dict[str, Any]:
        """Return the statement's columns plus "ratios" and "ratios_not_available"."""
        return {
            **columns(self.statement),
            "ratios": self.ratios,
            "ratios_not_available": self.not_available,
        }


# customer.id is a 32-bit INTEGER; a larger id (valid as a 64-bit id in a request) matches nobody
# and must not reach PostgreSQL, which refuses to compare it with the column.
ROW_ID_MAX = 2**31 - 1


def find_customer(session: so.Session, customer_id: int) -> Customer | None:
    """Return the customer with this id, or None."""
    if not 1 <= customer_id <= ROW_ID_MAX:
        return None
    return session.get(Customer, customer_id)


def get_customer(session: so.Session, customer_id: int) -> Customer:
    """Return the customer with this id; raise NotFound when there is none."""
    customer = find_customer(session, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}; search with GET /customers?q=")
    return customer


def customer_summary(
    session: so.Session, customer_id: int, today: dt.date, rates: Mapping[str, str]
) -> dict[str, Any]:
    """Return the credit file: profile, active terms, exposure (CNY), latest data and history."""
    customer = get_customer(session, customer_id)
    exposure = read_exposure(session, customer.id).total
    limit = limit_cny(customer, rates)
    statement = session.scalars(_statements(customer.id).limit(1)).first()
    report = session.scalars(
        sa.select(CreditReport)
        .where(CreditReport.customer_id == customer.id)
        .order_by(CreditReport.report_date.desc(), CreditReport.id.desc())
        .limit(1)
    ).first()
    history = session.scalars(
        sa.select(CreditHistory)
        .where(CreditHistory.customer_id == customer.id)
        .order_by(CreditHistory.effective_on, CreditHistory.id)
    ).all()
    applications = session.scalars(
        sa.select(CreditApplication)
        .where(CreditApplication.customer_id == customer.id)
        .order_by(CreditApplication.id.desc())
    ).all()
    return {
        **columns(customer),
        "exposure": exposure,
        "available": None if limit is None else limit - exposure,
        "exposure_currency": "CNY",
        "latest_statement": None if statement is None else with_ratios(statement).view(),
        "latest_credit_report": None if report is None else columns(report),
        "securities": list_securities(session, customer.id, today),
        "history": [columns(row) for row in history],
        "applications": [
            {
                "id": a.id,
                "status": a.status,
                "requested_limit": a.requested_limit,
                "currency": a.currency,
                "created_at": from_db(a.created_at),
            }
            for a in applications
        ],
    }


def sales_rep_column() -> sa.ColumnElement[str]:
    """SQL for a customer's sales rep: who filed its latest application, else who created it."""
    latest = (
        sa.select(CreditApplication.applicant)
        .where(CreditApplication.customer_id == Customer.id)
        .order_by(CreditApplication.id.desc())
        .limit(1)
        .correlate(Customer)
        .scalar_subquery()
    )
    return sa.func.coalesce(latest, Customer.created_by)


def sales_rep_of(session: so.Session, customer_id: int) -> str | None:
    """The customer's sales rep (see sales_rep_column), or None for an unknown customer."""
    return session.scalar(sa.select(sales_rep_column()).where(Customer.id == customer_id))


def list_statements(session: so.Session, customer_id: int) -> list[StatementWithRatios]:
    """Return every statement of a customer with its ratios, latest period first."""
    customer = get_customer(session, customer_id)
    return [with_ratios(row) for row in session.scalars(_statements(customer.id))]


def list_securities(session: so.Session, customer_id: int, today: dt.date) -> list[dict[str, Any]]:
    """Return every security of a customer; "active" when it is unexpired on ``today``."""
    customer = get_customer(session, customer_id)
    rows = session.scalars(
        sa.select(Security).where(Security.customer_id == customer.id).order_by(Security.id)
    )
    return [
        {**columns(row), "active": row.expires_on is None or row.expires_on >= today}
        for row in rows
    ]


def with_ratios(row: FinancialStatement) -> StatementWithRatios:
    """Pair a statement with its ratios for display."""
    shown = as_json(compute_ratios({name: getattr(row, name) for name in STATEMENT_FIGURES}))
    not_available = shown.pop("not_available")
    return StatementWithRatios(row, shown, not_available)


def columns(row: Any) -> dict[str, Any]:
    """Return a row's column values, stored moments as aware UTC datetimes."""
    values = {attr.key: getattr(row, attr.key) for attr in sa.inspect(row).mapper.column_attrs}
    if isinstance(values.get("score"), Decimal):
        values["score"] = as_points(values["score"])
    return {
        key: from_db(value) if isinstance(value, dt.datetime) else value
        for key, value in values.items()
    }


def _statements(customer_id: int) -> sa.Select[tuple[FinancialStatement]]:
    return (
        sa.select(FinancialStatement)
        .where(FinancialStatement.customer_id == customer_id)
        .order_by(FinancialStatement.period_end.desc(), FinancialStatement.id.desc())
    )
