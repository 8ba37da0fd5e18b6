"""Tables of collection escalations: one case per escalation process, and its history.

A ``collection_case`` mirrors one ``collection_escalation`` instance (business key = customer
id): the stage it is at, the last ladder stage it reached, a promise or dispute that pauses it,
the stage task it owes and the day the daily sweep looks at it next. At most one case per
customer is running (a partial unique index). ``collection_event`` is the case's history: stage
changes and every decision, with who and when.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base

_RUNNING = sa.text("status = 'running'")


class CaseStatus(enum.StrEnum):
    """Whether an escalation is still being worked."""

    RUNNING = "running"
    CLOSED = "closed"


class CollectionCase(Base):
    """The state of one collection escalation, kept by its process's service tasks."""

    __tablename__ = "collection_case"
    __table_args__ = (
        sa.Index(
            "ux_collection_case_running_customer",
            "customer_id",
            unique=True,
            sqlite_where=_RUNNING,
            postgresql_where=_RUNNING,
        ),
        # The daily sweep: running cases to look at on or before a day.
        sa.Index(
            "ix_collection_case_running_check",
            "next_check_on",
            sqlite_where=_RUNNING,
            postgresql_where=_RUNNING,
        ),
        sa.Index("ix_collection_case_customer", "customer_id", "id"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    instance_id: so.Mapped[int] = so.mapped_column(unique=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=CaseStatus.RUNNING.value)
    stage: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    ladder_stage: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    paused_from: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    awaiting: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    next_check_on: so.Mapped[dt.date | None]
    promise_amount: so.Mapped[Decimal | None]
    promise_date: so.Mapped[dt.date | None]
    promise_ends_on: so.Mapped[dt.date | None]
    dispute_invoice_id: so.Mapped[int | None]
    dispute_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    follow_up_on: so.Mapped[dt.date | None]
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    started_on: so.Mapped[dt.date]
    started_at: so.Mapped[dt.datetime]
    closed_at: so.Mapped[dt.datetime | None]
    updated_at: so.Mapped[dt.datetime]


class CollectionEvent(Base):
    """One entry of a case's history: a stage change or a decision."""

    __tablename__ = "collection_event"
    __table_args__ = (sa.Index("ix_collection_event_case", "case_id", "id"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("collection_case.id"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    stage: so.Mapped[str] = so.mapped_column(sa.String(16))
    stage_changed: so.Mapped[bool] = so.mapped_column(default=False)
    actor: so.Mapped[str] = so.mapped_column(sa.String(64))
    at: so.Mapped[dt.datetime]
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
