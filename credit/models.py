"""Tables of the credit domain: credit file, applications, approvals; receivables re-exported."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base

Money = sa.Numeric(18, 2)


class ApplicationStatus(enum.StrEnum):
    """Where a credit application stands."""

    IN_ASSESSMENT = "in_assessment"
    IN_APPROVAL = "in_approval"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"


class Customer(Base):
    """A customer's credit file (资信档案): profile and the active credit terms."""

    __tablename__ = "customer"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(255), index=True)
    uscc: so.Mapped[str] = so.mapped_column(sa.String(18), unique=True)
    industry: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    industry_risk: so.Mapped[str] = so.mapped_column(sa.String(8), default="medium")
    registered_capital: so.Mapped[Decimal | None] = so.mapped_column(Money)
    founded_on: so.Mapped[dt.date | None]
    legal_representative: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    address: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    contacts: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(1))
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 2))
    credit_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    payment_terms_days: so.Mapped[int | None]
    review_due_on: so.Mapped[dt.date | None]
    limit_active_since: so.Mapped[dt.date | None]
    on_hold: so.Mapped[bool] = so.mapped_column(default=False)
    warning_level: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class FinancialStatement(Base):
    """One period's financial statement of a customer."""

    __tablename__ = "financial_statement"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    period_end: so.Mapped[dt.date]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    current_assets: so.Mapped[Decimal | None] = so.mapped_column(Money)
    current_liabilities: so.Mapped[Decimal | None] = so.mapped_column(Money)
    inventory: so.Mapped[Decimal | None] = so.mapped_column(Money)
    total_assets: so.Mapped[Decimal | None] = so.mapped_column(Money)
    total_liabilities: so.Mapped[Decimal | None] = so.mapped_column(Money)
    equity: so.Mapped[Decimal | None] = so.mapped_column(Money)
    revenue: so.Mapped[Decimal | None] = so.mapped_column(Money)
    net_profit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    ebit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    interest_expense: so.Mapped[Decimal | None] = so.mapped_column(Money)
    retained_earnings: so.Mapped[Decimal | None] = so.mapped_column(Money)
    operating_cash_flow: so.Mapped[Decimal | None] = so.mapped_column(Money)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class CreditReport(Base):
    """An external credit bureau report."""

    __tablename__ = "credit_report"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    bureau: so.Mapped[str] = so.mapped_column(sa.String(120))
    score: so.Mapped[int]
    report_date: so.Mapped[dt.date]
    enforcement_flag: so.Mapped[bool] = so.mapped_column(default=False)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class Security(Base):
    """A risk-mitigation instrument: guarantee, collateral, credit insurance, deposit."""

    __tablename__ = "security"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    amount: so.Mapped[Decimal] = so.mapped_column(Money)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    expires_on: so.Mapped[dt.date | None]
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class CreditApplication(Base):
    """A request for a credit limit and terms, worked by the credit_application process."""

    __tablename__ = "credit_application"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    requested_limit: so.Mapped[Decimal] = so.mapped_column(Money)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    requested_terms_days: so.Mapped[int]
    expected_monthly_purchases: so.Mapped[Decimal] = so.mapped_column(Money)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    process_instance_id: so.Mapped[int | None] = so.mapped_column(index=True)
    applicant: so.Mapped[str] = so.mapped_column(sa.String(64))
    analyst: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 2))
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(1))
    reason_codes: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    suggested_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    suggested_terms_days: so.Mapped[int | None]
    approved_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    approved_terms_days: so.Mapped[int | None]
    assessment: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    decided_at: so.Mapped[dt.datetime | None]
    created_at: so.Mapped[dt.datetime]
    approvals: so.Mapped[list[Approval]] = so.relationship(
        order_by="Approval.id", lazy="select", back_populates="application"
    )


class Approval(Base):
    """One approver's decision on one tier of an application."""

    __tablename__ = "approval"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    application_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("credit_application.id"), index=True
    )
    round: so.Mapped[int] = so.mapped_column(default=1)
    tier: so.Mapped[str] = so.mapped_column(sa.String(64))
    user: so.Mapped[str] = so.mapped_column(sa.String(64))
    decision: so.Mapped[str] = so.mapped_column(sa.String(16))
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    approved_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    at: so.Mapped[dt.datetime]
    application: so.Mapped[CreditApplication] = so.relationship(back_populates="approvals")


class CreditHistory(Base):
    """A grade / limit / terms change of a customer (for the history charts)."""

    __tablename__ = "credit_history"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    application_id: so.Mapped[int | None]
    review_id: so.Mapped[int | None]
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(1))
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 2))
    credit_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    payment_terms_days: so.Mapped[int | None]
    review_due_on: so.Mapped[dt.date | None]
    effective_on: so.Mapped[dt.date]
    at: so.Mapped[dt.datetime]


from credit.check_models import (  # noqa: E402
    CheckDecision,
    CreditCheck,
    CreditRelease,
    ReleaseKind,
    ReleaseVote,
)

# The receivables ledger, the credit check, monitoring and collections have their own
# modules (credit.*_models); their tables are part of this package's schema, importable from here.
from credit.collection_models import CaseStatus, CollectionCase, CollectionEvent  # noqa: E402
from credit.monitoring_models import (  # noqa: E402
    CreditReview,
    CustomerDocument,
    CustomerWarning,
    DailyRun,
    ReviewApproval,
    WarningChange,
)
from credit.receivable_models import (  # noqa: E402
    Adjustment,
    AdjustmentKind,
    CreditHold,
    CustomerExposure,
    HoldSource,
    Invoice,
    InvoiceStatus,
    OrderReservation,
    Payment,
    ReservationStatus,
    ReversalReason,
)

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "ApplicationStatus",
    "CaseStatus",
    "CollectionCase",
    "CollectionEvent",
    "Approval",
    "CheckDecision",
    "CreditApplication",
    "CreditCheck",
    "CreditHistory",
    "CreditHold",
    "CreditRelease",
    "CreditReport",
    "CreditReview",
    "Customer",
    "CustomerDocument",
    "CustomerExposure",
    "CustomerWarning",
    "DailyRun",
    "FinancialStatement",
    "HoldSource",
    "Invoice",
    "InvoiceStatus",
    "OrderReservation",
    "Payment",
    "ReleaseKind",
    "ReleaseVote",
    "ReservationStatus",
    "ReviewApproval",
    "ReversalReason",
    "Security",
    "WarningChange",
]
