"""monitoring: early-warning state and history, periodic reviews, credit-file documents

Customers' warning levels are filled by the first daily sweep after the upgrade.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "daily_run",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "credit_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("process_instance_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("analyst", sa.String(length=64), nullable=True),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("recomputed", sa.JSON(), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.String(length=16), nullable=True),
        sa.Column("current_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("proposed_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("approved_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("terms_days", sa.Integer(), nullable=True),
        sa.Column("review_due_on", sa.Date(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_review", schema=None) as batch_op:
        batch_op.create_index("ix_credit_review_customer", ["customer_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_credit_review_process_instance_id"),
            ["process_instance_id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_credit_review_running",
            ["customer_id"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )

    op.create_table(
        "customer_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_document_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "customer_warning",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("level_since", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    with op.batch_alter_table("customer_warning", schema=None) as batch_op:
        batch_op.create_index("ix_customer_warning_rank", ["rank"], unique=False)

    op.create_table(
        "warning_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=8), nullable=False),
        sa.Column("to_level", sa.String(length=8), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("levels_passed", sa.JSON(), nullable=False),
        sa.Column("process_instance_id", sa.Integer(), nullable=True),
        sa.Column("legal_decision", sa.String(length=16), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("warning_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warning_change_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "review_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("approved_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["credit_review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_approval_review_id"), ["review_id"], unique=False
        )

    with op.batch_alter_table("credit_history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("credit_history", schema=None) as batch_op:
        batch_op.drop_column("review_id")

    with op.batch_alter_table("review_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_approval_review_id"))

    op.drop_table("review_approval")
    with op.batch_alter_table("warning_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_change_customer_id"))

    op.drop_table("warning_change")
    with op.batch_alter_table("customer_warning", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_warning_rank")

    op.drop_table("customer_warning")
    with op.batch_alter_table("customer_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_document_sha256"))
        batch_op.drop_index(batch_op.f("ix_customer_document_customer_id"))

    op.drop_table("customer_document")
    with op.batch_alter_table("credit_review", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_credit_review_running",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index(batch_op.f("ix_credit_review_process_instance_id"))
        batch_op.drop_index("ix_credit_review_customer")

    op.drop_table("credit_review")
    op.drop_table("daily_run")
