"""security: token versions, server-side sessions, sign-in failures, model version status

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="active")
        )
        batch_op.add_column(sa.Column("activated_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("activated_at", sa.DateTime(), nullable=True))
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_failure_username"), ["username"])
        batch_op.create_index(batch_op.f("ix_sign_in_failure_address"), ["address"])
        batch_op.create_index(batch_op.f("ix_sign_in_failure_at"), ["at"])


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("sign_in_failure")
    op.drop_table("user_session")
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_column("activated_at")
        batch_op.drop_column("activated_by")
        batch_op.drop_column("status")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("token_version")
