"""credit check answers, credit releases and the tiers' release decisions

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "credit_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.Column("check_point", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_cny", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("credit_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("tolerance", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("exposure_before", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("exposure_after", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.create_index("ix_credit_check_customer_at", ["customer_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_check_order_ref"), ["order_ref"], unique=False)

    op.create_table(
        "credit_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cny", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("consumed_at", sa.DateTime(), nullable=True),
        sa.Column("consumed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["credit_check.id"],
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("instance_id"),
    )
    with op.batch_alter_table("credit_release", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_release_customer_until", ["customer_id", "kind", "valid_until"], unique=False
        )
        batch_op.create_index(
            "ix_credit_release_order", ["order_ref", "kind", "consumed_at"], unique=False
        )

    op.create_table(
        "release_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("temporary_limit", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["credit_check.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("release_vote", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_release_vote_instance_id"), ["instance_id"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("release_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_vote_instance_id"))

    op.drop_table("release_vote")
    with op.batch_alter_table("credit_release", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_release_order")
        batch_op.drop_index("ix_credit_release_customer_until")

    op.drop_table("credit_release")
    with op.batch_alter_table("credit_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_check_order_ref"))
        batch_op.drop_index("ix_credit_check_customer_at")

    op.drop_table("credit_check")
