"""task list filters (subject, amount) and the retention job's index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:00:00

Open inbox rows get their instance's subject; amounts are filled for tasks created from now on
(older rows keep none: the amount filter does not list them). Candidate rows get their task's
due date (and, from now on, amount), so a group's tasks are read in due-date order from one index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UNCOMPACTED = "status IN ('completed', 'cancelled') AND state NOT LIKE 'c1:%'"
CLAIMED = "status IN ('open', 'claimed') AND assignee IS NOT NULL"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True))
    op.execute(
        "UPDATE human_task SET subject = (SELECT subject FROM process_instance "
        "WHERE process_instance.id = human_task.instance_id)"
    )
    op.create_index("ix_human_task_subject", "human_task", ["subject", "status"], unique=False)
    op.drop_index("ix_human_task_assignee", table_name="human_task")
    op.create_index("ix_human_task_assignee", "human_task", ["assignee", "status"], unique=False)
    op.create_index(
        "ix_human_task_claimed",
        "human_task",
        ["assignee", "due_at"],
        unique=False,
        sqlite_where=sa.text(CLAIMED),
        postgresql_where=sa.text(CLAIMED),
    )
    with op.batch_alter_table("human_task_candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.drop_index("ix_human_task_candidate_group_name")
    op.execute(
        "UPDATE human_task_candidate SET due_at = (SELECT due_at FROM human_task "
        "WHERE human_task.id = human_task_candidate.task_id)"
    )
    op.create_index(
        "ix_human_task_candidate_due",
        "human_task_candidate",
        ["group_name", "due_at", "task_id", "amount"],
        unique=False,
    )
    op.create_index("ix_human_task_amount", "human_task", ["status", "amount"], unique=False)
    op.create_index(
        "ix_process_instance_uncompacted",
        "process_instance",
        ["updated_at"],
        unique=False,
        sqlite_where=sa.text(UNCOMPACTED),
        postgresql_where=sa.text(UNCOMPACTED),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("ix_process_instance_uncompacted", table_name="process_instance")
    op.drop_index("ix_human_task_candidate_due", table_name="human_task_candidate")
    with op.batch_alter_table("human_task_candidate", schema=None) as batch_op:
        batch_op.create_index("ix_human_task_candidate_group_name", ["group_name"], unique=False)
        batch_op.drop_column("amount")
        batch_op.drop_column("due_at")
    op.drop_index("ix_human_task_amount", table_name="human_task")
    op.drop_index("ix_human_task_claimed", table_name="human_task")
    op.drop_index("ix_human_task_assignee", table_name="human_task")
    op.create_index("ix_human_task_assignee", "human_task", ["assignee"], unique=False)
    op.drop_index("ix_human_task_subject", table_name="human_task")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("amount")
        batch_op.drop_column("subject")
