"""Tables of the credit check: the answers given, releases granted and the tiers' decisions.

``credit_check`` keeps every answer given to an order system (what it asked, what it was told
and the figures behind it). A blocked check may become a ``credit_decision`` process whose tier
decisions are ``release_vote`` rows; its outcome is a ``credit_release``: a one-time release of
one order (consumed by exactly one later check) or a temporary limit increase until a date.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base


class CheckDecision(enum.StrEnum):
    """The answer of a credit check."""

    APPROVE = "approve"
    BLOCK = "block"


class ReleaseKind(enum.StrEnum):
    """What a credit decision on a blocked order grants (or that it refuses)."""

    RELEASE_ONCE = "release_once"
    TEMPORARY_LIMIT = "temporary_limit"
    REJECT = "reject"


class CreditCheck(Base):
    """One credit check as answered, with the figures it was decided on (CNY)."""

    __tablename__ = "credit_check"
    __table_args__ = (sa.Index("ix_credit_check_customer_at", "customer_id", "at"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime]
    actor: so.Mapped[str] = so.mapped_column(sa.String(64))
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    order_ref: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    check_point: so.Mapped[str] = so.mapped_column(sa.String(16))
    amount: so.Mapped[Decimal]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    amount_cny: so.Mapped[Decimal]
    decision: so.Mapped[str] = so.mapped_column(sa.String(8))
    reasons: so.Mapped[list[Any]]
    credit_limit: so.Mapped[Decimal | None]
    tolerance: so.Mapped[Decimal]
    exposure_before: so.Mapped[Decimal]
    exposure_after: so.Mapped[Decimal]
    release_id: so.Mapped[int | None]


class CreditRelease(Base):
    """The outcome of a credit decision: release one order once, a temporary limit, or reject."""

    __tablename__ = "credit_release"
    __table_args__ = (
        sa.Index("ix_credit_release_order", "order_ref", "kind", "consumed_at"),
        sa.Index("ix_credit_release_customer_until", "customer_id", "kind", "valid_until"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(unique=True)
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("credit_check.id"))
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    order_ref: so.Mapped[str] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    amount_cny: so.Mapped[Decimal]
    valid_until: so.Mapped[dt.date | None]
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    decided_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    decided_at: so.Mapped[dt.datetime]
    consumed_at: so.Mapped[dt.datetime | None]
    consumed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))


class ReleaseVote(Base):
    """One tier's decision in a credit_decision process."""

    __tablename__ = "release_vote"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(index=True)
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("credit_check.id"))
    tier: so.Mapped[str] = so.mapped_column(sa.String(64))
    user: so.Mapped[str] = so.mapped_column(sa.String(64))
    decision: so.Mapped[str] = so.mapped_column(sa.String(16))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    temporary_limit: so.Mapped[Decimal | None]
    valid_until: so.Mapped[dt.date | None]
    at: so.Mapped[dt.datetime]
