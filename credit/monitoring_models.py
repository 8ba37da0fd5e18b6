"""Tables of monitoring: early-warning state, periodic reviews, credit-file documents.

``customer_warning`` holds each evaluated customer's level and signals so lists never
recompute them; ``warning_change`` is the history of level changes (a rise records the
`early_warning` process that ran its actions). A ``credit_review`` row follows one
`periodic_review` process; ``review_approval`` holds its tiers' decisions.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base

Money = sa.Numeric(18, 2)
_RUNNING = sa.text("status = 'running'")


class ReviewTrigger(enum.StrEnum):
    """What started a periodic review."""

    SCHEDULED = "scheduled"
    WARNING = "warning"
    MANUAL = "manual"


class ReviewStatus(enum.StrEnum):
    """Where a periodic review stands: running until it completes or is cancelled."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ReviewStage(enum.StrEnum):
    """The step of a running review (and its last step once it ended)."""

    IN_REVIEW = "in_review"
    IN_APPROVAL = "in_approval"
    RETURNED = "returned"
    DONE = "done"


class Recommendation(enum.StrEnum):
    """The analyst's recommendation on the limit."""

    KEEP = "keep"
    INCREASE = "increase"
    DECREASE = "decrease"
    SUSPEND = "suspend"


class DocumentKind(enum.StrEnum):
    """What a credit-file document is."""

    BUSINESS_LICENCE = "business_licence"
    AUDITED_STATEMENT = "audited_statement"
    BANK_STATEMENT = "bank_statement"
    CONTRACT = "contract"
    OTHER = "other"


class CustomerWarning(Base):
    """A customer's current early-warning level and signals, as last evaluated."""

    __tablename__ = "customer_warning"
    __table_args__ = (sa.Index("ix_customer_warning_rank", "rank"),)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), primary_key=True)
    level: so.Mapped[str] = so.mapped_column(sa.String(8), default="none")
    rank: so.Mapped[int] = so.mapped_column(default=0)
    signals: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    level_since: so.Mapped[dt.datetime | None]
    updated_at: so.Mapped[dt.datetime | None]


class WarningChange(Base):
    """A change of a customer's level; a rise names the process that ran its actions."""

    __tablename__ = "warning_change"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    from_level: so.Mapped[str] = so.mapped_column(sa.String(8))
    to_level: so.Mapped[str] = so.mapped_column(sa.String(8))
    codes: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    levels_passed: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    process_instance_id: so.Mapped[int | None]
    legal_decision: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    actor: so.Mapped[str] = so.mapped_column(sa.String(64), default="system")
    at: so.Mapped[dt.datetime]


class CreditReview(Base):
    """One periodic review of a customer, worked by its `periodic_review` process."""

    __tablename__ = "credit_review"
    __table_args__ = (
        # At most one running review per customer (POST /reviews answers 409 otherwise).
        sa.Index(
            "uq_credit_review_running",
            "customer_id",
            unique=True,
            sqlite_where=_RUNNING,
            postgresql_where=_RUNNING,
        ),
        sa.Index("ix_credit_review_customer", "customer_id", "id"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    process_instance_id: so.Mapped[int | None] = so.mapped_column(index=True)
    trigger: so.Mapped[str] = so.mapped_column(sa.String(16))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ReviewStatus.RUNNING.value)
    stage: so.Mapped[str] = so.mapped_column(sa.String(16), default=ReviewStage.IN_REVIEW.value)
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    requested_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    analyst: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    previous: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    recomputed: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    score: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(6, 2))
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(1))
    reason_codes: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    assessment: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    recommendation: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    current_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    proposed_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    approved_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    terms_days: so.Mapped[int | None]
    review_due_on: so.Mapped[dt.date | None]
    started_at: so.Mapped[dt.datetime]
    completed_at: so.Mapped[dt.datetime | None]


class ReviewApproval(Base):
    """One approver's decision on one tier of a review."""

    __tablename__ = "review_approval"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    review_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("credit_review.id"), index=True)
    round: so.Mapped[int] = so.mapped_column(default=1)
    tier: so.Mapped[str] = so.mapped_column(sa.String(64))
    user: so.Mapped[str] = so.mapped_column(sa.String(64))
    decision: so.Mapped[str] = so.mapped_column(sa.String(16))
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    approved_limit: so.Mapped[Decimal | None] = so.mapped_column(Money)
    at: so.Mapped[dt.datetime]


class CustomerDocument(Base):
    """A file of the credit file; its bytes live in the document store under their sha256."""

    __tablename__ = "customer_document"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    filename: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    dated_on: so.Mapped[dt.date | None]
    uploaded_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[dt.datetime]


class DailyRun(Base):
    """The last day a daily sweep finished (the scheduler polls every 2 s)."""

    __tablename__ = "daily_run"
    name: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    last_day: so.Mapped[dt.date]
    finished_at: so.Mapped[dt.datetime]
