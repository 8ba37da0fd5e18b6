"""The notification outbox: one row per message to deliver, written with the state change."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base


class Channel(enum.StrEnum):
    """Where a notification goes."""

    EMAIL = "email"
    INAPP = "inapp"
    WEBHOOK = "webhook"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class NotificationStatus(enum.StrEnum):
    """Lifecycle of an outbox row."""

    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"
    FAILED = "failed"
    READ = "read"


class Notification(Base):
    """One message for one recipient on one channel, delivered at least once."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.Index("ix_notification_due", "status", "next_attempt_at"),
        sa.Index("ix_notification_recipient", "recipient", "created_at"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    # A username for in-app and email rows (the address is in `address`), the channel
    # name for webhook and robot rows (their URLs stay in the configuration).
    recipient: so.Mapped[str] = so.mapped_column(sa.String(255))
    address: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    template: so.Mapped[str] = so.mapped_column(sa.String(64))
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="zh")
    subject: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    payload: so.Mapped[dict[str, Any]]
    process_instance_id: so.Mapped[int | None] = so.mapped_column(index=True)
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[dt.datetime | None]
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[dt.datetime]
    sent_at: so.Mapped[dt.datetime | None]
