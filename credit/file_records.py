"""The records of a credit file kept in the browser: read one, list reports, correct any of them.

Every correction is audited with the fields it changed (before and after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import get_customer, with_ratios
from credit.customers import (
    INDUSTRY_RISKS,
    StatementWithRatios,
    credit_report_errors,
    raise_if,
    security_errors,
)
from credit.ledger import audit_customer
from credit.models import CreditReport, Customer, FinancialStatement, Security
from credit.ratios import STATEMENT_FIGURES
from credit.uscc import uscc_error
from engine.errors import Conflict, Invalid, NotFound

PROFILE_FIELDS = (
    "name",
    "uscc",
    "industry",
    "industry_risk",
    "registered_capital",
    "founded_on",
    "legal_representative",
    "address",
    "contacts",
)


def _record(session: so.Session, model: Any, customer_id: int, record_id: int, what: str) -> Any:
    row = session.get(model, record_id)
    if row is None or row.customer_id != get_customer(session, customer_id).id:
        raise NotFound(f"customer {customer_id} has no {what} {record_id}")
    return row


def get_statement(session: so.Session, customer_id: int, statement_id: int) -> FinancialStatement:
    """One statement of the customer."""
    return _record(session, FinancialStatement, customer_id, statement_id, "statement")


def get_credit_report(session: so.Session, customer_id: int, report_id: int) -> CreditReport:
    """One credit report of the customer."""
    return _record(session, CreditReport, customer_id, report_id, "credit report")


def get_security(session: so.Session, customer_id: int, security_id: int) -> Security:
    """One security of the customer."""
    return _record(session, Security, customer_id, security_id, "security")


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | dt.date) else value


def _apply(row: Any, values: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Set the given fields; return {field: [before, after]} of those that changed."""
    changes = {}
    for name in names:
        if name not in values:
            continue
        before, after = getattr(row, name), values[name]
        if before != after:
            changes[name] = [_plain(before), _plain(after)]
            setattr(row, name, after)
    return changes


def _correct(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    row: Any,
    wanted: dict[str, Any],
    action: str,
    id_key: str,
) -> None:
    """Give a record the wanted values; audit the fields that changed (before and after)."""
    changes = _apply(row, wanted, tuple(wanted))
    if changes:
        session.flush()
        audit_customer(
            session, now, actor, action, row.customer_id, **{id_key: row.id, "changes": changes}
        )


def update_profile(
    session: so.Session, now: dt.datetime, actor: str, customer_id: int, values: Mapping[str, Any]
) -> Customer:
    """Correct the customer's profile; a new USCC must be valid and not used by another file."""
    customer = get_customer(session, customer_id)
    values = dict(values)
    if "uscc" in values:
        values["uscc"] = str(values["uscc"] or "").strip().upper()
        if problem := uscc_error(values["uscc"]):
            raise Invalid.field("uscc", problem)
        other = session.scalar(
            sa.select(Customer.id).where(
                Customer.uscc == values["uscc"], Customer.id != customer.id
            )
        )
        if other is not None:
            raise Conflict(f"customer {other} already has USCC {values['uscc']}")
    if "name" in values and not str(values["name"] or "").strip():
        raise Invalid.field("name", "name is required")
    if values.get("industry_risk", customer.industry_risk) not in INDUSTRY_RISKS:
        raise Invalid.field("industry_risk", f"must be one of {', '.join(INDUSTRY_RISKS)}")
    changes = _apply(customer, values, PROFILE_FIELDS)
    if changes:
        session.flush()
        audit_customer(session, now, actor, "customer_updated", customer.id, changes=changes)
    return customer


def correct_statement(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    statement_id: int,
    values: Mapping[str, Any],
) -> StatementWithRatios:
    """Correct a stored statement (every figure as given; a missing figure becomes empty)."""
    row = get_statement(session, customer_id, statement_id)
    if not isinstance(values.get("period_end"), dt.date):
        raise Invalid.field("period_end", "period_end is required (a date such as 2025-12-31)")
    full = {"period_end": values["period_end"], **{f: values.get(f) for f in STATEMENT_FIGURES}}
    if values.get("currency"):
        full["currency"] = str(values["currency"]).upper()
    _correct(session, now, actor, row, full, "statement_corrected", "statement_id")
    return with_ratios(row)


def correct_credit_report(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    report_id: int,
    values: Mapping[str, Any],
) -> CreditReport:
    """Correct a stored credit report (the same rules as adding one)."""
    row = get_credit_report(session, customer_id, report_id)
    raise_if(credit_report_errors(values))
    wanted = {
        "bureau": str(values["bureau"]).strip(),
        "score": values["score"],
        "report_date": values["report_date"],
        "enforcement_flag": bool(values.get("enforcement_flag", False)),
    }
    _correct(session, now, actor, row, wanted, "credit_report_corrected", "report_id")
    return row


def correct_security(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    security_id: int,
    values: Mapping[str, Any],
) -> Security:
    """Correct a stored security, e.g. its amount or expiry (the same rules as adding one)."""
    row = get_security(session, customer_id, security_id)
    raise_if(security_errors(values))
    wanted = {"kind": values["kind"], "amount": values["amount"]}
    wanted["expires_on"] = values.get("expires_on")
    if values.get("currency"):
        wanted["currency"] = str(values["currency"]).upper()
    _correct(session, now, actor, row, wanted, "security_corrected", "security_id")
    return row
