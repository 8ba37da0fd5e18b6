"""The scorecard's inputs for a customer on a day: latest statement, latest report, own history.

One function for every assessment, so a periodic review scores a customer exactly as an
application does (credit-policy.md, "Ratios" and "Periodic review").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit import scorecard
from credit.models import CreditReport, Customer, FinancialStatement, Invoice
from credit.ratios import STATEMENT_FIGURES, as_json, compute_ratios


def scoring_inputs_for(
    session: so.Session, customer: Customer, on: dt.date, entered_years: int | None = None
) -> dict[str, Any]:
    """Ratios of the latest statement, the latest credit report and our payment history."""
    statement = session.scalar(
        sa.select(FinancialStatement)
        .where(FinancialStatement.customer_id == customer.id)
        .order_by(FinancialStatement.period_end.desc(), FinancialStatement.id.desc())
        .limit(1)
    )
    ratios = compute_ratios(
        {f: getattr(statement, f) for f in STATEMENT_FIGURES} if statement else {}
    )
    report = session.scalar(
        sa.select(CreditReport)
        .where(CreditReport.customer_id == customer.id)
        .order_by(CreditReport.report_date.desc(), CreditReport.id.desc())
        .limit(1)
    )
    # Late until settled: a partly paid invoice stays past due until its open amount is 0.
    invoices = session.execute(
        sa.select(Invoice.due_on, Invoice.settled_on).where(
            Invoice.customer_id == customer.id,
            Invoice.due_on < on,
            Invoice.due_on >= on - dt.timedelta(days=366),
        )
    ).all()
    return {
        "current_ratio": ratios.current_ratio,
        "debt_to_asset": ratios.debt_to_asset,
        "net_margin": ratios.net_margin,
        "altman_z2": ratios.altman_z2,
        "altman_zone": str(ratios.altman_zone),
        "years_in_business": scorecard.years_in_business(customer.founded_on, on, entered_years),
        "external_score": report.score if report else None,
        "enforcement_flag": bool(report.enforcement_flag) if report else False,
        "max_days_past_due": scorecard.max_days_past_due([tuple(i) for i in invoices], on),
        "equity": statement.equity if statement else None,
        "ratios": as_json(ratios),
        "statement_id": statement.id if statement else None,
        "credit_report_id": report.id if report else None,
    }
