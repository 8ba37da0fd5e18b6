"""collection escalations: one case per escalation process, and its history

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RUNNING = sa.text("status = 'running'")
_MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "collection_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("ladder_stage", sa.String(length=16), nullable=True),
        sa.Column("paused_from", sa.String(length=16), nullable=True),
        sa.Column("awaiting", sa.String(length=64), nullable=True),
        sa.Column("next_check_on", sa.Date(), nullable=True),
        sa.Column("promise_amount", _MONEY, nullable=True),
        sa.Column("promise_date", sa.Date(), nullable=True),
        sa.Column("promise_ends_on", sa.Date(), nullable=True),
        sa.Column("dispute_invoice_id", sa.Integer(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id"),
    )
    op.create_index(
        "ux_collection_case_running_customer",
        "collection_case",
        ["customer_id"],
        unique=True,
        sqlite_where=_RUNNING,
        postgresql_where=_RUNNING,
    )
    op.create_index(
        "ix_collection_case_running_check",
        "collection_case",
        ["next_check_on"],
        sqlite_where=_RUNNING,
        postgresql_where=_RUNNING,
    )
    op.create_index("ix_collection_case_customer", "collection_case", ["customer_id", "id"])
    op.create_table(
        "collection_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("stage_changed", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["collection_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_collection_event_case", "collection_event", ["case_id", "id"])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_collection_event_case", table_name="collection_event")
    op.drop_table("collection_event")
    op.drop_index("ix_collection_case_customer", table_name="collection_case")
    op.drop_index("ix_collection_case_running_check", table_name="collection_case")
    op.drop_index("ux_collection_case_running_customer", table_name="collection_case")
    op.drop_table("collection_case")
