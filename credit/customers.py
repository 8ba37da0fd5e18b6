"""Customers' credit files: create and find customers, add statements, reports and securities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import (
    STATEMENT_FIGURES,
    StatementWithRatios,
    customer_summary,
    get_customer,
    list_securities,
    list_statements,
    with_ratios,
)
from credit.ledger import audit_customer
from credit.models import CreditReport, Customer, FinancialStatement, Security
from credit.uscc import uscc_error
from credit.watch import customer_changed
from engine.clock import to_db
from engine.errors import Conflict, Invalid

# The read side lives in credit.credit_file; re-exported so callers find every service here.
__all__ = [
    "INDUSTRY_RISKS",
    "SECURITY_KINDS",
    "CustomerPage",
    "StatementWithRatios",
    "add_credit_report",
    "credit_report_errors",
    "add_security",
    "add_statement",
    "create_customer",
    "customer_summary",
    "get_customer",
    "list_securities",
    "list_statements",
    "search_customers",
    "security_errors",
]

INDUSTRY_RISKS = ("low", "medium", "high")
SECURITY_KINDS = ("guarantee", "collateral", "insurance", "deposit")
_PROFILE_TEXT = ("industry", "legal_representative", "address")


@dataclass(frozen=True)
class CustomerPage:
    """One page of a customer search and the number of all matches."""

    items: list[Customer]
    total: int


def create_customer(
    session: so.Session, now: dt.datetime, actor: str, values: Mapping[str, Any]
) -> Customer:
    """Open a credit file; the USCC must be valid and not yet registered."""
    uscc = str(values.get("uscc") or "").strip().upper()
    name = str(values.get("name") or "").strip()
    risk = values.get("industry_risk") or "medium"
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["name is required"]
    if problem := uscc_error(uscc):
        errors["uscc"] = [problem]
    if risk not in INDUSTRY_RISKS:
        errors["industry_risk"] = [f"must be one of {', '.join(INDUSTRY_RISKS)}"]
    _raise_if(errors)
    existing = session.scalar(sa.select(Customer.id).where(Customer.uscc == uscc))
    if existing is not None:
        raise Conflict(
            f"customer {existing} already has USCC {uscc}; use that credit file instead of "
            "creating a second one",
            existing_customer_id=existing,
        )
    customer = Customer(
        name=name,
        uscc=uscc,
        industry_risk=risk,
        registered_capital=values.get("registered_capital"),
        founded_on=values.get("founded_on"),
        contacts=[dict(contact) for contact in values.get("contacts") or []],
        currency=str(values.get("currency") or "CNY").upper(),
        created_by=actor,
        created_at=to_db(now),
        **{key: str(values.get(key) or "").strip() for key in _PROFILE_TEXT},
    )
    session.add(customer)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict(
            f"USCC {uscc} was registered by a concurrent request; search for it "
            "and use that credit file"
        ) from exc
    audit_customer(
        session,
        now,
        actor,
        "customer_created",
        customer.id,
        **{"name": name, "uscc": uscc, "industry_risk": risk},
    )
    return customer


def search_customers(session: so.Session, q: str | None, limit: int, offset: int) -> CustomerPage:
    """Find customers whose name or USCC contains ``q`` (case-insensitive), oldest first."""
    query = sa.select(Customer)
    if text := (q or "").strip():
        query = query.where(
            sa.or_(
                Customer.name.icontains(text, autoescape=True),
                Customer.uscc.icontains(text, autoescape=True),
            )
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(Customer.id).limit(limit).offset(offset)).all()
    return CustomerPage(list(items), total)


def add_statement(
    session: so.Session, now: dt.datetime, actor: str, customer_id: int, values: Mapping[str, Any]
) -> StatementWithRatios:
    """Store a period's financial statement and compute its ratios."""
    customer = get_customer(session, customer_id)
    if not isinstance(values.get("period_end"), dt.date):
        raise Invalid.field("period_end", "period_end is required (a date such as 2025-12-31)")
    row = FinancialStatement(
        customer_id=customer.id,
        period_end=values["period_end"],
        currency=str(values.get("currency") or customer.currency).upper(),
        created_by=actor,
        created_at=to_db(now),
        **{name: values.get(name) for name in STATEMENT_FIGURES},
    )
    result = with_ratios(row)
    session.add(row)
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "statement_added",
        customer.id,
        **{
            "statement_id": row.id,
            "period_end": row.period_end,
            "currency": row.currency,
            "altman_zone": result.ratios["altman_zone"],
            "ratios_not_available": sorted(result.not_available),
        },
    )
    return result


def add_credit_report(
    session: so.Session, now: dt.datetime, actor: str, customer_id: int, values: Mapping[str, Any]
) -> CreditReport:
    """Store an external credit bureau report (score 0-100)."""
    customer = get_customer(session, customer_id)
    _raise_if(credit_report_errors(values))
    score, bureau = values["score"], str(values["bureau"]).strip()
    row = CreditReport(
        customer_id=customer.id,
        bureau=bureau,
        score=score,
        report_date=values["report_date"],
        enforcement_flag=bool(values.get("enforcement_flag", False)),
        created_by=actor,
        created_at=to_db(now),
    )
    session.add(row)
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "credit_report_added",
        customer.id,
        **{
            "report_id": row.id,
            "bureau": bureau,
            "score": score,
            "report_date": row.report_date,
            "enforcement_flag": row.enforcement_flag,
        },
    )
    customer_changed(session, customer.id)
    return row


def add_security(
    session: so.Session, now: dt.datetime, actor: str, customer_id: int, values: Mapping[str, Any]
) -> Security:
    """Record a guarantee, collateral, credit insurance or deposit of the customer."""
    customer = get_customer(session, customer_id)
    _raise_if(security_errors(values))
    kind, amount = values["kind"], values["amount"]
    row = Security(
        customer_id=customer.id,
        kind=kind,
        amount=amount,
        expires_on=values.get("expires_on"),
        currency=str(values.get("currency") or customer.currency).upper(),
        created_by=actor,
        created_at=to_db(now),
    )
    session.add(row)
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "security_added",
        customer.id,
        **{
            "security_id": row.id,
            "kind": kind,
            "amount": amount,
            "currency": row.currency,
            "expires_on": row.expires_on,
        },
    )
    return row


def credit_report_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a credit report's fields (empty when nothing)."""
    score, bureau = values.get("score"), str(values.get("bureau") or "").strip()
    errors: dict[str, list[str]] = {}
    if not bureau:
        errors["bureau"] = ["bureau is required"]
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        errors["score"] = ["score must be a whole number from 0 to 100"]
    if not isinstance(values.get("report_date"), dt.date):
        errors["report_date"] = ["report_date is required (a date such as 2025-12-31)"]
    return errors


def security_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a security's fields (empty when nothing)."""
    kind, amount = values.get("kind"), values.get("amount")
    errors: dict[str, list[str]] = {}
    if kind not in SECURITY_KINDS:
        errors["kind"] = [f"must be one of {', '.join(SECURITY_KINDS)}"]
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        errors["amount"] = ["amount must be a decimal number greater than 0"]
    return errors


def raise_if(errors: dict[str, list[str]]) -> None:
    """Raise Invalid naming every field in error (nothing when there is none)."""
    _raise_if(errors)


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(f"invalid fields: {', '.join(sorted(errors))}", errors)
