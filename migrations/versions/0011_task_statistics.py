"""extended statistics on human_task (status, assignee) for PostgreSQL's task-list plans

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE STATISTICS IF NOT EXISTS human_task_status_assignee (mcv) "
            "ON status, assignee FROM human_task"
        )
        op.execute("ANALYZE human_task")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS human_task_status_assignee")
