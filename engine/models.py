"""Tables of the engine: identity, process versions, instances, inbox, messages, audit."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base
from engine.serializer import COMPACTED


class InstanceStatus(enum.StrEnum):
    """Lifecycle of a process instance."""

    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class TaskStatus(enum.StrEnum):
    """Lifecycle of a human task in the inbox."""

    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


user_group = sa.Table(
    "user_group",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_name", sa.ForeignKey("app_group.name", ondelete="CASCADE"), primary_key=True),
)


class Group(Base):
    """A group of users; candidate groups of tasks name groups."""

    __tablename__ = "app_group"
    name: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    title_en: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    title_zh: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    supervisor: so.Mapped[str | None] = so.mapped_column(sa.String(64))


class User(Base):
    """A person or system account."""

    __tablename__ = "app_user"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    email: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="zh")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Bumped on password change, deactivation and "sign out everywhere": older tokens stop working.
    token_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    groups: so.Mapped[list[Group]] = so.relationship(secondary=user_group, lazy="selectin")

    @property
    def group_names(self) -> set[str]:
        """Names of the user's groups."""
        return {g.name for g in self.groups}


class UserSession(Base):
    """A signed-in browser session; signing out deletes it, so a copied cookie stops working."""

    __tablename__ = "user_session"
    id: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[dt.datetime]


class SignInFailure(Base):
    """A failed sign-in, counted per (user, address) and per address by every host."""

    __tablename__ = "sign_in_failure"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    address: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(index=True)


class VersionStatus(enum.StrEnum):
    """Whether a deployed process version starts new instances."""

    DRAFT = "draft"
    ACTIVE = "active"
    SUPERSEDED = "superseded"


class Setting(Base):
    """Installation-wide key/value settings (the test clock lives here)."""

    __tablename__ = "setting"
    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)


class ProcessVersion(Base):
    """An immutable deployed bundle of BPMN, DMN and form files."""

    __tablename__ = "process_version"
    __table_args__ = (sa.UniqueConstraint("process_key", "version"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    version: so.Mapped[int]
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    files: so.Mapped[dict[str, Any]]
    created_at: so.Mapped[dt.datetime]
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="system")
    status: so.Mapped[str] = so.mapped_column(
        sa.String(16), default=VersionStatus.ACTIVE.value, server_default="active"
    )
    activated_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    activated_at: so.Mapped[dt.datetime | None]


# Finished instances whose state the retention job has not compacted yet (see engine/retention.py).
UNCOMPACTED = f"status IN ('completed', 'cancelled') AND state NOT LIKE '{COMPACTED}%'"


class ProcessInstance(Base):
    """One running or finished process instance with its serialized state."""

    __tablename__ = "process_instance"
    __table_args__ = (
        sa.Index(
            "ix_process_instance_uncompacted",
            "updated_at",
            sqlite_where=sa.text(UNCOMPACTED),
            postgresql_where=sa.text(UNCOMPACTED),
        ),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    version: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    business_key: so.Mapped[str | None] = so.mapped_column(sa.String(128), index=True)
    subject: so.Mapped[str | None] = so.mapped_column(sa.String(128), index=True)
    state: so.Mapped[str] = so.mapped_column(sa.Text)
    revision: so.Mapped[int] = so.mapped_column(default=1)
    next_timer_at: so.Mapped[dt.datetime | None] = so.mapped_column(index=True)
    lease_owner: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    lease_until: so.Mapped[dt.datetime | None]
    error: so.Mapped[dict[str, Any] | None]
    started_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[dt.datetime]
    updated_at: so.Mapped[dt.datetime]


# Open tasks no one has claimed: what a group's members are offered (see engine/tasklist.py).
OFFERED = "human_task.status = 'open' AND human_task.assignee IS NULL"
# Open tasks someone has (a partial index: written literally in queries so that it is used).
CLAIMED = "human_task.status IN ('open', 'claimed') AND human_task.assignee IS NOT NULL"


class HumanTask(Base):
    """The inbox row of a ready user task, kept in step with the instance state."""

    __tablename__ = "human_task"
    __table_args__ = (
        sa.Index("ix_human_task_status_due", "status", "due_at"),
        sa.Index("ix_human_task_assignee", "assignee", "status"),
        # A user's open tasks by due date: few per user, so the planner prefers this index to
        # any business filter's.
        sa.Index(
            "ix_human_task_claimed",
            "assignee",
            "due_at",
            sqlite_where=sa.text(CLAIMED.replace("human_task.", "")),
            postgresql_where=sa.text(CLAIMED.replace("human_task.", "")),
        ),
        # Business filters of the task list: a customer's tasks, an amount range.
        sa.Index("ix_human_task_subject", "subject", "status"),
        sa.Index("ix_human_task_amount", "status", "amount"),
    )
    id: so.Mapped[str] = so.mapped_column(sa.String(36), primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(255))
    process_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    business_key: so.Mapped[str | None] = so.mapped_column(sa.String(128), index=True)
    candidate_groups: so.Mapped[list[Any]]
    candidate_users: so.Mapped[list[Any]]
    excluded_users: so.Mapped[list[Any]]
    assignee: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    priority: so.Mapped[int] = so.mapped_column(default=50)
    escalation_level: so.Mapped[int] = so.mapped_column(default=0)
    due_at: so.Mapped[dt.datetime | None]
    form_key: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    context: so.Mapped[dict[str, Any]]
    created_at: so.Mapped[dt.datetime]
    completed_at: so.Mapped[dt.datetime | None]
    completed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The instance's subject (a customer: customer:<id>) and the task's business amount in the
    # base currency (the runtime's amount key in its data), for filtered lists.
    subject: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    amount: so.Mapped[Decimal | None]

    @property
    def escalated(self) -> bool:
        """Whether the SLA ladder has escalated this task."""
        return self.escalation_level > 0


# PostgreSQL estimates "open and unassigned" as if status and assignee were independent (they are
# not: almost every unassigned task is open), plans a scan of the open tasks for a group's page
# and reads thousands of pages instead of stopping at 50. Extended statistics on the pair fix
# the estimate (migration 0011 creates the same object on migrated databases).
sa.event.listen(
    HumanTask.__table__,
    "after_create",
    sa.DDL(
        "CREATE STATISTICS IF NOT EXISTS human_task_status_assignee (mcv) "
        "ON status, assignee FROM human_task"
    ).execute_if(dialect="postgresql"),
)


class HumanTaskCandidate(Base):
    """One candidate group of an open task, for indexed inbox queries.

    The task's due date and amount are copied here (neither changes after the task is
    created), so a group's tasks are read in due-date order from one index, and an amount filter
    is applied there, before any task row is read.
    """

    __tablename__ = "human_task_candidate"
    __table_args__ = (
        sa.Index("ix_human_task_candidate_due", "group_name", "due_at", "task_id", "amount"),
    )
    task_id: so.Mapped[str] = so.mapped_column(
        sa.ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True
    )
    group_name: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    due_at: so.Mapped[dt.datetime | None]
    amount: so.Mapped[Decimal | None]


class PendingMessage(Base):
    """A message that found no waiting receiver yet; delivered when one appears."""

    __tablename__ = "pending_message"
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128), index=True)
    correlation_key: so.Mapped[str] = so.mapped_column(sa.String(255), index=True)
    payload: so.Mapped[dict[str, Any]]
    created_at: so.Mapped[dt.datetime]
    delivered_to: so.Mapped[int | None]
    delivered_at: so.Mapped[dt.datetime | None]


class AuditChain(Base):
    """The head of one audit chain (an instance's, a subject's or the system's): a lock point
    per chain, and how far the anchor job has covered it."""

    __tablename__ = "audit_chain"
    __table_args__ = (
        # The anchor job finds the chains that moved since it last ran through this index.
        sa.Index(
            "ix_audit_chain_unanchored",
            "key",
            sqlite_where=sa.text("seq <> anchored_seq"),
            postgresql_where=sa.text("seq <> anchored_seq"),
        ),
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(160), primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(default=0)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="0" * 64)
    anchored_seq: so.Mapped[int] = so.mapped_column(default=0)


class AuditEvent(Base):
    """One link of an append-only, hash-chained audit chain (one chain per instance)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.UniqueConstraint("chain", "chain_seq", name="uq_audit_event_chain"),)
    seq: so.Mapped[int] = so.mapped_column(primary_key=True)
    chain: so.Mapped[str] = so.mapped_column(sa.String(160))
    chain_seq: so.Mapped[int]
    at: so.Mapped[dt.datetime] = so.mapped_column(index=True)
    actor: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(64))
    instance_id: so.Mapped[int | None] = so.mapped_column(index=True)
    task_id: so.Mapped[str | None] = so.mapped_column(sa.String(36))
    element: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    subject: so.Mapped[str | None] = so.mapped_column(sa.String(128), index=True)
    data: so.Mapped[dict[str, Any]]
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class AuditAnchor(Base):
    """One link of the global anchor chain: the heads of the chains that moved since the last.

    Written by a periodic job (its only writer), so no engine step waits for it. An anchored
    event can no longer be removed, alone or with the rest of its chain, without a broken link.
    """

    __tablename__ = "audit_anchor"
    seq: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    at: so.Mapped[dt.datetime]
    chains: so.Mapped[int]
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class AuditAnchorHead(Base):
    """One chain head an anchor covers: the chain's place, its event and the event's hash."""

    __tablename__ = "audit_anchor_head"
    __table_args__ = (sa.Index("ix_audit_anchor_head_chain", "chain", "chain_seq"),)
    anchor_seq: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("audit_anchor.seq"), primary_key=True
    )
    chain: so.Mapped[str] = so.mapped_column(sa.String(160), primary_key=True)
    chain_seq: so.Mapped[int]
    event_seq: so.Mapped[int]
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class MessageSubscription(Base):
    """A waiting message catch event: which instance waits for which name and key."""

    __tablename__ = "message_subscription"
    __table_args__ = (sa.Index("ix_message_subscription_lookup", "name", "correlation_key"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    instance_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    task_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    correlation_key: so.Mapped[str] = so.mapped_column(sa.String(255))


class CalendarDay(Base):
    """A date that differs from the Monday–Friday rule: a holiday or a make-up workday (调休)."""

    __tablename__ = "calendar_day"
    day: so.Mapped[dt.date] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")


class WorkerHeartbeat(Base):
    """The last sign of life of a scheduler (`creditflow worker` or `serve`), on the DB clock."""

    __tablename__ = "worker_heartbeat"
    owner: so.Mapped[str] = so.mapped_column(sa.String(128), primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    started_at: so.Mapped[dt.datetime]
    seen_at: so.Mapped[dt.datetime] = so.mapped_column(index=True)


class SavedFilter(Base):
    """A worklist filter a user saved under a name (the query arguments that reproduce it)."""

    __tablename__ = "saved_filter"
    __table_args__ = (sa.UniqueConstraint("username", "name"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(60))
    query: so.Mapped[dict[str, Any]]
    created_at: so.Mapped[dt.datetime]
